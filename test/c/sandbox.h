/* Helpers shared by the sandbox_*.c programs. */
#ifndef TSWASI_SANDBOX_H
#define TSWASI_SANDBOX_H
#include "check.h"

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

/* An escape attempt must be refused as one: wasmtime answers ENOTCAPABLE
 * (older wasi-common) or EPERM (cap-std's "outside the sandbox" error). */
#define EXPECT_ESCAPE(call) EXPECT2(call, __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_PERM)

static inline __wasi_errno_t try_read(__wasi_fd_t dir, __wasi_lookupflags_t lf, const char *p) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, lf, p, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
  if (e) return e;
  /* it opened: read it, so the failure message can show what leaked */
  char buf[64] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  __wasi_size_t n = 0;
  (void)__wasi_fd_read(fd, &iov, 1, &n);
  printf("LEAK: opened %s and read '%s'\n", p, buf);
  (void)__wasi_fd_close(fd);
  return 0;
}

static inline __wasi_errno_t try_opendir(__wasi_fd_t dir, const char *p) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, FOLLOW, p, __WASI_OFLAGS_DIRECTORY,
                                      __WASI_RIGHTS_FD_READDIR, 0, 0, &fd);
  if (e) return e;
  uint8_t buf[512];
  __wasi_size_t used = 0;
  (void)__wasi_fd_readdir(fd, buf, sizeof buf, 0, &used);
  printf("LEAK: opened directory %s and listed %u bytes\n", p, (unsigned)used);
  (void)__wasi_fd_close(fd);
  return 0;
}

static inline __wasi_errno_t try_stat(__wasi_fd_t dir, __wasi_lookupflags_t lf, const char *p) {
  __wasi_filestat_t st;
  __wasi_errno_t e = __wasi_path_filestat_get(dir, lf, p, &st);
  if (e == 0) printf("LEAK: stat %s: size %llu\n", p, (unsigned long long)st.size);
  return e;
}

static inline __wasi_errno_t try_create(__wasi_fd_t dir, const char *p, __wasi_oflags_t of) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, FOLLOW, p, of, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
  if (e == 0) (void)__wasi_fd_close(fd);
  return e;
}

static inline __wasi_errno_t try_times(__wasi_fd_t dir, const char *p) {
  return __wasi_path_filestat_set_times(dir, FOLLOW, p, 1000000000ull, 1000000000ull,
                                        __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM);
}

static inline const char *join(const char *a, const char *b) {
  static char bufs[8][256];
  static int i;
  char *r = bufs[i++ & 7];
  snprintf(r, 256, "%s/%s", a, b);
  return r;
}
#endif
