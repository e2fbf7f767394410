/*
 * Shared helpers for the WASI preview1 conformance programs.
 *
 * Every program asserts with CHECK/EXPECT and ends with DONE(), which prints a
 * final line "ok". A failed assertion prints "FAIL file:line: expression" (and
 * the actual errno where there is one) and exits with status 1.
 *
 * The test harness preopens its sandbox at guest path "/sandbox"; sandbox_fd()
 * finds that preopen by walking fd_prestat_get from fd 3.
 */
#ifndef TSWASI_CHECK_H
#define TSWASI_CHECK_H

#include <wasi/api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAIL_EXIT() do { fflush(stdout); fflush(stderr); exit(1); } while (0)

#define CHECK(e)                                                              \
  do {                                                                        \
    if (!(e)) {                                                               \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #e);                     \
      FAIL_EXIT();                                                            \
    }                                                                         \
  } while (0)

/* CHECK with an extra printf-style explanation of the actual values. */
#define CHECKF(e, ...)                                                        \
  do {                                                                        \
    if (!(e)) {                                                               \
      printf("FAIL %s:%d: %s (", __FILE__, __LINE__, #e);                     \
      printf(__VA_ARGS__);                                                    \
      printf(")\n");                                                          \
      FAIL_EXIT();                                                            \
    }                                                                         \
  } while (0)

/* Build with -DTRACE_LINES to log every checked call to stderr (hangs). */
#ifdef TRACE_LINES
#define TRACE_() fprintf(stderr, "%s:%d\n", __FILE__, __LINE__)
#else
#define TRACE_() ((void)0)
#endif

/* The call must return exactly errno `want`. */
#define EXPECT(call, want)                                                    \
  do {                                                                        \
    TRACE_();                                                                 \
    __wasi_errno_t e_ = (call);                                               \
    if (e_ != (want)) {                                                       \
      printf("FAIL %s:%d: %s -> errno %u (%s), expected %u (%s)\n", __FILE__, \
             __LINE__, #call, (unsigned)e_, errno_name(e_), (unsigned)(want), \
             errno_name(want));                                               \
      FAIL_EXIT();                                                            \
    }                                                                         \
  } while (0)

/* The call must return one of two errnos. */
#define EXPECT2(call, w1, w2)                                                 \
  do {                                                                        \
    __wasi_errno_t e_ = (call);                                               \
    if (e_ != (w1) && e_ != (w2)) {                                           \
      printf("FAIL %s:%d: %s -> errno %u (%s), expected %s or %s\n",          \
             __FILE__, __LINE__, #call, (unsigned)e_, errno_name(e_),         \
             errno_name(w1), errno_name(w2));                                 \
      FAIL_EXIT();                                                            \
    }                                                                         \
  } while (0)

/* The call must fail (any errno but SUCCESS). */
#define EXPECT_FAIL(call)                                                     \
  do {                                                                        \
    __wasi_errno_t e_ = (call);                                               \
    if (e_ == __WASI_ERRNO_SUCCESS) {                                         \
      printf("FAIL %s:%d: %s succeeded, expected an error\n", __FILE__,       \
             __LINE__, #call);                                                \
      FAIL_EXIT();                                                            \
    }                                                                         \
  } while (0)

#define OK(call) EXPECT(call, __WASI_ERRNO_SUCCESS)

#define DONE()                                                                \
  do {                                                                        \
    printf("ok\n");                                                           \
    fflush(stdout);                                                           \
    return 0;                                                                 \
  } while (0)

static inline const char *errno_name(__wasi_errno_t e) {
  switch (e) {
  case __WASI_ERRNO_SUCCESS: return "SUCCESS";
  case __WASI_ERRNO_2BIG: return "2BIG";
  case __WASI_ERRNO_ACCES: return "ACCES";
  case __WASI_ERRNO_AGAIN: return "AGAIN";
  case __WASI_ERRNO_BADF: return "BADF";
  case __WASI_ERRNO_BUSY: return "BUSY";
  case __WASI_ERRNO_EXIST: return "EXIST";
  case __WASI_ERRNO_FAULT: return "FAULT";
  case __WASI_ERRNO_FBIG: return "FBIG";
  case __WASI_ERRNO_INVAL: return "INVAL";
  case __WASI_ERRNO_IO: return "IO";
  case __WASI_ERRNO_ISDIR: return "ISDIR";
  case __WASI_ERRNO_LOOP: return "LOOP";
  case __WASI_ERRNO_MLINK: return "MLINK";
  case __WASI_ERRNO_NAMETOOLONG: return "NAMETOOLONG";
  case __WASI_ERRNO_NOENT: return "NOENT";
  case __WASI_ERRNO_NOSPC: return "NOSPC";
  case __WASI_ERRNO_NOSYS: return "NOSYS";
  case __WASI_ERRNO_NOTDIR: return "NOTDIR";
  case __WASI_ERRNO_NOTEMPTY: return "NOTEMPTY";
  case __WASI_ERRNO_NOTSOCK: return "NOTSOCK";
  case __WASI_ERRNO_NOTSUP: return "NOTSUP";
  case __WASI_ERRNO_PERM: return "PERM";
  case __WASI_ERRNO_RANGE: return "RANGE";
  case __WASI_ERRNO_ROFS: return "ROFS";
  case __WASI_ERRNO_SPIPE: return "SPIPE";
  case __WASI_ERRNO_XDEV: return "XDEV";
  case __WASI_ERRNO_NOTCAPABLE: return "NOTCAPABLE";
  case __WASI_ERRNO_ILSEQ: return "ILSEQ";
  default: return "?";
  }
}

/* All rights defined by preview1 (bits 0..28). */
#define RIGHTS_ALL ((__wasi_rights_t)0x1FFFFFFFull)

#define RIGHTS_FILE_RW                                                        \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |   \
   __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS |                \
   __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_DATASYNC |                        \
   __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |                      \
   __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE |       \
   __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_POLL_FD_READWRITE)

/* Find the preopen whose guest name is `name`; exits with FAIL if missing. */
static inline __wasi_fd_t preopen_fd(const char *name) {
  for (__wasi_fd_t fd = 3; fd < 64; fd++) {
    __wasi_prestat_t ps;
    __wasi_errno_t e = __wasi_fd_prestat_get(fd, &ps);
    if (e == __WASI_ERRNO_BADF) break;
    if (e != __WASI_ERRNO_SUCCESS) continue;
    if (ps.tag != __WASI_PREOPENTYPE_DIR) continue;
    char buf[256];
    size_t n = ps.u.dir.pr_name_len;
    if (n >= sizeof buf) continue;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, n) != 0) continue;
    buf[n] = 0;
    /* Tolerate a trailing NUL some hosts include in the length. */
    if (strcmp(buf, name) == 0) return fd;
  }
  printf("FAIL %s:%d: no preopen named %s\n", __FILE__, __LINE__, name);
  FAIL_EXIT();
  return (__wasi_fd_t)-1;
}

static inline __wasi_fd_t sandbox_fd(void) { return preopen_fd("/sandbox"); }

/* The rights a new fd under `dir` may have: `want` limited to dir's
 * inheriting rights (what wasi-libc does). */
static inline __wasi_rights_t inheritable(__wasi_fd_t dir, __wasi_rights_t want) {
  __wasi_fdstat_t fs;
  if (__wasi_fd_fdstat_get(dir, &fs) != 0) return want;
  return want & fs.fs_rights_inheriting;
}

/* path_open with the usual file rights; returns errno, fd in *out. */
static inline __wasi_errno_t open_file(__wasi_fd_t dir, const char *path,
                                       __wasi_oflags_t oflags,
                                       __wasi_fdflags_t fdflags,
                                       __wasi_fd_t *out) {
  __wasi_rights_t r = inheritable(dir, RIGHTS_FILE_RW);
  return __wasi_path_open(dir, 0, path, oflags, r, r, fdflags, out);
}

/* path_open(O_DIRECTORY) with all the rights the parent can pass on. */
static inline __wasi_errno_t open_dir(__wasi_fd_t dir, const char *path,
                                      __wasi_fd_t *out) {
  __wasi_rights_t r = inheritable(dir, RIGHTS_ALL);
  __wasi_rights_t base = r & ~(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE |
                               __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_DATASYNC);
  return __wasi_path_open(dir, 0, path, __WASI_OFLAGS_DIRECTORY, base, r, 0, out);
}

static inline __wasi_errno_t write_all(__wasi_fd_t fd, const void *data,
                                       size_t len) {
  while (len > 0) {
    __wasi_ciovec_t iov = {(const uint8_t *)data, len};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_write(fd, &iov, 1, &n);
    if (e) return e;
    if (n == 0) return __WASI_ERRNO_IO;
    data = (const uint8_t *)data + n;
    len -= n;
  }
  return 0;
}

/* Create/truncate `path` under `dir` with `content`. */
static inline void put_file(__wasi_fd_t dir, const char *path,
                            const char *content) {
  __wasi_fd_t fd;
  __wasi_errno_t e = open_file(dir, path,
                               __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0, &fd);
  CHECKF(e == 0, "path_open(%s) -> %s", path, errno_name(e));
  e = write_all(fd, content, strlen(content));
  CHECKF(e == 0, "write(%s) -> %s", path, errno_name(e));
  OK(__wasi_fd_close(fd));
}

/* Read up to cap-1 bytes of `path` under `dir` into buf (NUL-terminated). */
static inline __wasi_errno_t get_file(__wasi_fd_t dir, const char *path,
                                      char *buf, size_t cap) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                                      path, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
  if (e) return e;
  size_t total = 0;
  for (;;) {
    __wasi_iovec_t iov = {(uint8_t *)buf + total, cap - 1 - total};
    __wasi_size_t n = 0;
    e = __wasi_fd_read(fd, &iov, 1, &n);
    if (e || n == 0) break;
    total += n;
    if (total >= cap - 1) break;
  }
  buf[total] = 0;
  __wasi_errno_t ce = __wasi_fd_close(fd);
  return e ? e : ce;
}

static inline __wasi_filetype_t filetype_at(__wasi_fd_t dir, const char *path,
                                            int follow) {
  __wasi_filestat_t st;
  __wasi_errno_t e = __wasi_path_filestat_get(
      dir, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, &st);
  CHECKF(e == 0, "path_filestat_get(%s) -> %s", path, errno_name(e));
  return st.filetype;
}

#endif
