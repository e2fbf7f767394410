/* fd 0/1/2: fdstat, writes (several iovecs), and reading stdin to EOF.
 * stdin: whatever the test gives; the program writes to stdout
 *   "in:<length>:<stdin upper-cased>\n" then "ok", and "to-stderr\n" to
 *   stderr. */
#include "check.h"
#include <ctype.h>

int main(void) {
  __wasi_fdstat_t fs;
  for (__wasi_fd_t fd = 0; fd < 3; fd++) {
    OK(__wasi_fd_fdstat_get(fd, &fs));
    CHECKF(fs.fs_filetype != __WASI_FILETYPE_DIRECTORY, "fd %u filetype %u", (unsigned)fd,
           (unsigned)fs.fs_filetype);
  }
  OK(__wasi_fd_fdstat_get(0, &fs));
  CHECK(fs.fs_rights_base & __WASI_RIGHTS_FD_READ);
  OK(__wasi_fd_fdstat_get(1, &fs));
  CHECK(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE);

  /* read stdin to EOF with a small buffer */
  static char in[1 << 20];
  size_t total = 0;
  for (;;) {
    __wasi_iovec_t iov[2] = {{(uint8_t *)in + total, 3}, {(uint8_t *)in + total + 3, 4}};
    __wasi_size_t n = 0;
    OK(__wasi_fd_read(0, iov, 2, &n));
    if (n == 0) break;
    total += n;
    CHECK(total + 7 < sizeof in);
  }
  /* EOF stays EOF */
  {
    char c;
    __wasi_iovec_t iov = {(uint8_t *)&c, 1};
    __wasi_size_t n = 99;
    OK(__wasi_fd_read(0, &iov, 1, &n));
    CHECK(n == 0);
  }
  for (size_t i = 0; i < total; i++) in[i] = (char)toupper((unsigned char)in[i]);

  char head[32];
  int hl = snprintf(head, sizeof head, "in:%zu:", total);
  __wasi_ciovec_t out[3] = {{(const uint8_t *)head, (size_t)hl},
                            {(const uint8_t *)in, total},
                            {(const uint8_t *)"\n", 1}};
  __wasi_size_t n = 0;
  OK(__wasi_fd_write(1, out, 3, &n));
  CHECK(n == (size_t)hl + total + 1);
  __wasi_ciovec_t err = {(const uint8_t *)"to-stderr\n", 10};
  OK(__wasi_fd_write(2, &err, 1, &n));
  CHECK(n == 10);
  fprintf(stderr, "via-libc\n");
  DONE();
}
