/* fd_renumber: `to` takes over `from`'s open file; `from` is closed. */
#include "check.h"

static void expect_reads(__wasi_fd_t fd, const char *want) {
  char buf[32] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  __wasi_size_t n;
  OK(__wasi_fd_pread(fd, &iov, 1, 0, &n));
  buf[n] = 0;
  CHECKF(strcmp(buf, want) == 0, "fd %u reads '%s', expected '%s'", (unsigned)fd, buf, want);
}

int main(void) {
  __wasi_fd_t dir = sandbox_fd(), a, b, c;
  put_file(dir, "a.txt", "AAA");
  put_file(dir, "b.txt", "BBB");
  OK(open_file(dir, "a.txt", 0, 0, &a));
  OK(open_file(dir, "b.txt", 0, 0, &b));
  CHECK(a != b);
  expect_reads(a, "AAA");
  expect_reads(b, "BBB");

  /* seek a so we can tell its description moved with it */
  __wasi_filesize_t pos;
  OK(__wasi_fd_seek(a, 2, __WASI_WHENCE_SET, &pos));
  OK(__wasi_fd_renumber(a, b));
  expect_reads(b, "AAA");
  OK(__wasi_fd_tell(b, &pos));
  CHECK(pos == 2);
  __wasi_fdstat_t fs;
  EXPECT(__wasi_fd_fdstat_get(a, &fs), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_close(a), __WASI_ERRNO_BADF);

  /* renumber onto itself: no-op */
  OK(__wasi_fd_renumber(b, b));
  expect_reads(b, "AAA");

  /* the freed number can be reused by the next open */
  OK(open_file(dir, "b.txt", 0, 0, &c));
  expect_reads(c, "BBB");

  /* bad from / bad to */
  EXPECT(__wasi_fd_renumber(9999, b), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_renumber(b, 9999), __WASI_ERRNO_BADF);
  expect_reads(b, "AAA"); /* a failed renumber leaves `from` open */

  /* a directory fd can be renumbered too */
  __wasi_fd_t d;
  OK(__wasi_path_create_directory(dir, "sub"));
  OK(open_dir(dir, "sub", &d));
  OK(__wasi_fd_renumber(d, c));
  OK(__wasi_fd_fdstat_get(c, &fs));
  CHECK(fs.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  __wasi_fd_t f;
  OK(open_file(c, "in_sub.txt", __WASI_OFLAGS_CREAT, 0, &f)); /* relative to sub */
  OK(__wasi_fd_close(f));
  __wasi_filestat_t st;
  OK(__wasi_path_filestat_get(dir, 0, "sub/in_sub.txt", &st));

  OK(__wasi_fd_close(b));
  OK(__wasi_fd_close(c));
  DONE();
}
