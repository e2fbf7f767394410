/* fd_write, fd_read, fd_pwrite, fd_pread, fd_seek, fd_tell, fd_close. */
#include "check.h"

static __wasi_size_t wr(__wasi_fd_t fd, const char *s) {
  __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
  __wasi_size_t n = 0;
  OK(__wasi_fd_write(fd, &iov, 1, &n));
  return n;
}

static __wasi_filesize_t tell(__wasi_fd_t fd) {
  __wasi_filesize_t pos = 0;
  OK(__wasi_fd_tell(fd, &pos));
  return pos;
}

static __wasi_filesize_t seek(__wasi_fd_t fd, __wasi_filedelta_t off, __wasi_whence_t w) {
  __wasi_filesize_t pos = 0;
  OK(__wasi_fd_seek(fd, off, w, &pos));
  return pos;
}

int main(void) {
  __wasi_fd_t dir = sandbox_fd(), fd;
  OK(open_file(dir, "io.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, &fd));
  CHECK(tell(fd) == 0);

  /* gather write: three iovecs */
  __wasi_ciovec_t iovs[3] = {{(const uint8_t *)"Hello", 5},
                             {(const uint8_t *)", ", 2},
                             {(const uint8_t *)"world!", 6}};
  __wasi_size_t n = 0;
  OK(__wasi_fd_write(fd, iovs, 3, &n));
  CHECK(n == 13);
  CHECK(tell(fd) == 13);
  /* zero iovecs and zero-length iovecs write nothing */
  OK(__wasi_fd_write(fd, iovs, 0, &n));
  CHECK(n == 0);
  __wasi_ciovec_t empty = {(const uint8_t *)"x", 0};
  OK(__wasi_fd_write(fd, &empty, 1, &n));
  CHECK(n == 0);
  CHECK(tell(fd) == 13);

  /* seek SET / CUR / END */
  CHECK(seek(fd, 0, __WASI_WHENCE_SET) == 0);
  CHECK(tell(fd) == 0);
  CHECK(seek(fd, 7, __WASI_WHENCE_CUR) == 7);
  CHECK(seek(fd, -2, __WASI_WHENCE_CUR) == 5);
  CHECK(seek(fd, -6, __WASI_WHENCE_END) == 7);
  CHECK(seek(fd, 0, __WASI_WHENCE_CUR) == 7);

  /* scatter read: two iovecs */
  char a[3] = {0}, b[10] = {0};
  __wasi_iovec_t riov[2] = {{(uint8_t *)a, 3}, {(uint8_t *)b, 10}};
  OK(__wasi_fd_read(fd, riov, 2, &n));
  CHECKF(n == 6, "read %u", (unsigned)n);
  CHECK(memcmp(a, "wor", 3) == 0 && memcmp(b, "ld!", 3) == 0);
  CHECK(tell(fd) == 13);
  /* at EOF: 0 bytes, no error */
  OK(__wasi_fd_read(fd, riov, 2, &n));
  CHECK(n == 0);

  /* negative resulting offset -> EINVAL, position unchanged */
  __wasi_filesize_t pos = 12345;
  EXPECT(__wasi_fd_seek(fd, -1, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_INVAL);
  EXPECT(__wasi_fd_seek(fd, -100, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_INVAL);
  EXPECT(__wasi_fd_seek(fd, -14, __WASI_WHENCE_END, &pos), __WASI_ERRNO_INVAL);
  CHECK(tell(fd) == 13);
  /* bad whence */
  EXPECT(__wasi_fd_seek(fd, 0, 3, &pos), __WASI_ERRNO_INVAL);
  EXPECT(__wasi_fd_seek(fd, 0, 200, &pos), __WASI_ERRNO_INVAL);

  /* seek past the end and write: the gap reads as zeros */
  CHECK(seek(fd, 20, __WASI_WHENCE_SET) == 20);
  CHECK(wr(fd, "Z") == 1);
  CHECK(tell(fd) == 21);
  char buf[64];
  memset(buf, 0x55, sizeof buf);
  __wasi_iovec_t whole = {(uint8_t *)buf, sizeof buf};
  OK(__wasi_fd_pread(fd, &whole, 1, 0, &n));
  CHECK(n == 21);
  CHECK(memcmp(buf, "Hello, world!", 13) == 0);
  for (int i = 13; i < 20; i++) CHECK(buf[i] == 0);
  CHECK(buf[20] == 'Z');

  /* pwrite / pread do not move the file position */
  CHECK(seek(fd, 2, __WASI_WHENCE_SET) == 2);
  __wasi_ciovec_t pw[2] = {{(const uint8_t *)"JE", 2}, {(const uint8_t *)"LLO", 3}};
  OK(__wasi_fd_pwrite(fd, pw, 2, 0, &n));
  CHECK(n == 5);
  CHECK(tell(fd) == 2);
  char p1[2], p2[4];
  __wasi_iovec_t pr[2] = {{(uint8_t *)p1, 2}, {(uint8_t *)p2, 4}};
  OK(__wasi_fd_pread(fd, pr, 2, 1, &n));
  CHECK(n == 6);
  CHECK(memcmp(p1, "EL", 2) == 0 && memcmp(p2, "LO, ", 4) == 0);
  CHECK(tell(fd) == 2);
  /* pread at/after EOF -> 0 */
  OK(__wasi_fd_pread(fd, &whole, 1, 21, &n));
  CHECK(n == 0);
  OK(__wasi_fd_pread(fd, &whole, 1, 1000, &n));
  CHECK(n == 0);
  /* pwrite past EOF extends the file */
  __wasi_ciovec_t tail = {(const uint8_t *)"END", 3};
  OK(__wasi_fd_pwrite(fd, &tail, 1, 30, &n));
  CHECK(n == 3);
  CHECK(tell(fd) == 2);
  CHECK(seek(fd, 0, __WASI_WHENCE_END) == 33);
  /* read continues from the position */
  CHECK(seek(fd, 2, __WASI_WHENCE_SET) == 2);
  char r3[3];
  __wasi_iovec_t ri = {(uint8_t *)r3, 3};
  OK(__wasi_fd_read(fd, &ri, 1, &n));
  CHECK(n == 3 && memcmp(r3, "LLO", 3) == 0);
  CHECK(tell(fd) == 5);

  /* a second fd on the same file has its own position and sees the data */
  __wasi_fd_t fd2;
  OK(open_file(dir, "io.txt", 0, 0, &fd2));
  CHECK(fd2 != fd);
  CHECK(tell(fd2) == 0);
  char r5[5];
  __wasi_iovec_t ri5 = {(uint8_t *)r5, 5};
  OK(__wasi_fd_read(fd2, &ri5, 1, &n));
  CHECK(n == 5 && memcmp(r5, "JELLO", 5) == 0);
  CHECK(tell(fd) == 5);

  /* close; then everything on that fd is EBADF */
  OK(__wasi_fd_close(fd));
  EXPECT(__wasi_fd_close(fd), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_read(fd, &ri, 1, &n), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_write(fd, &tail, 1, &n), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_tell(fd, &pos), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_pread(fd, &ri, 1, 0, &n), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_pwrite(fd, &tail, 1, 0, &n), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_read(9999, &ri, 1, &n), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_close(9999), __WASI_ERRNO_BADF);
  OK(__wasi_fd_close(fd2));

  /* the data is on disk: reopen and read it all through libc */
  FILE *f = fopen("/sandbox/io.txt", "rb");
  CHECK(f != NULL);
  size_t got = fread(buf, 1, sizeof buf, f);
  CHECK(got == 33);
  CHECK(memcmp(buf, "JELLO, world!", 13) == 0);
  CHECK(memcmp(buf + 30, "END", 3) == 0);
  fclose(f);

  /* reading a directory fd as a file fails */
  EXPECT_FAIL(__wasi_fd_read(dir, &ri, 1, &n));
  EXPECT_FAIL(__wasi_fd_write(dir, &tail, 1, &n));
  DONE();
}
