/* fd_prestat_get, fd_prestat_dir_name. The harness preopens only /sandbox. */
#include "check.h"

int main(void) {
  __wasi_prestat_t ps;
  /* stdio are not preopens */
  for (__wasi_fd_t fd = 0; fd < 3; fd++) EXPECT(__wasi_fd_prestat_get(fd, &ps), __WASI_ERRNO_BADF);

  /* fd 3 is the first (and only) preopen */
  memset(&ps, 0xEE, sizeof ps);
  OK(__wasi_fd_prestat_get(3, &ps));
  CHECK(ps.tag == __WASI_PREOPENTYPE_DIR);
  CHECKF(ps.u.dir.pr_name_len == 8, "pr_name_len %u", (unsigned)ps.u.dir.pr_name_len);
  char name[32];
  memset(name, '#', sizeof name);
  OK(__wasi_fd_prestat_dir_name(3, (uint8_t *)name, 8));
  CHECK(memcmp(name, "/sandbox", 8) == 0);
  CHECK(name[8] == '#'); /* nothing written past the length */
  /* a bigger buffer is fine */
  OK(__wasi_fd_prestat_dir_name(3, (uint8_t *)name, sizeof name));
  CHECK(memcmp(name, "/sandbox", 8) == 0);
  /* too small a buffer fails (wasmtime: NAMETOOLONG) */
  EXPECT_FAIL(__wasi_fd_prestat_dir_name(3, (uint8_t *)name, 4));

  /* the next fd is not a preopen */
  EXPECT(__wasi_fd_prestat_get(4, &ps), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_prestat_dir_name(4, (uint8_t *)name, sizeof name), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_prestat_get(12345, &ps), __WASI_ERRNO_BADF);

  /* an fd from path_open is not a preopen either, even a directory */
  __wasi_fd_t d, f;
  OK(__wasi_path_create_directory(3, "dir"));
  OK(open_dir(3, "dir", &d));
  EXPECT(__wasi_fd_prestat_get(d, &ps), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_prestat_dir_name(d, (uint8_t *)name, sizeof name), __WASI_ERRNO_BADF);
  OK(open_file(3, "f.txt", __WASI_OFLAGS_CREAT, 0, &f));
  EXPECT(__wasi_fd_prestat_get(f, &ps), __WASI_ERRNO_BADF);
  OK(__wasi_fd_close(f));
  OK(__wasi_fd_close(d));

  /* libc found the preopen: absolute paths under /sandbox work */
  FILE *fp = fopen("/sandbox/f.txt", "r");
  CHECK(fp != NULL);
  fclose(fp);
  DONE();
}
