/* fd_filestat_get, fd_filestat_set_size, fd_filestat_set_times, fd_fdstat_get,
 * fd_fdstat_set_flags (APPEND), fd_allocate, fd_advise, fd_sync, fd_datasync. */
#include "check.h"

#define SEC 1000000000ull

static __wasi_filestat_t fstat_(__wasi_fd_t fd) {
  __wasi_filestat_t st;
  memset(&st, 0xEE, sizeof st);
  OK(__wasi_fd_filestat_get(fd, &st));
  return st;
}

static __wasi_timestamp_t rt_now(void) {
  __wasi_timestamp_t t;
  OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t));
  return t;
}

static int near_now(__wasi_timestamp_t t) {
  __wasi_timestamp_t n = rt_now();
  return t + 60 * SEC > n && t < n + 60 * SEC;
}

static void wr(__wasi_fd_t fd, const char *s) { OK(write_all(fd, s, strlen(s))); }

static void expect_content(__wasi_fd_t dir, const char *path, const char *want, size_t len) {
  char buf[256];
  OK(get_file(dir, path, buf, sizeof buf));
  CHECKF(memcmp(buf, want, len) == 0 && strlen(buf) <= len, "content of %s is '%s'", path, buf);
}

int main(void) {
  __wasi_fd_t dir = sandbox_fd(), fd;
  __wasi_filesize_t pos;
  OK(open_file(dir, "st.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0, &fd));

  /* ---- fd_filestat_get */
  __wasi_filestat_t st = fstat_(fd);
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK(st.size == 0);
  CHECK(st.nlink >= 1);
  CHECK(near_now(st.mtim));
  wr(fd, "0123456789");
  st = fstat_(fd);
  CHECK(st.size == 10);
  /* the same file through path_filestat_get */
  __wasi_filestat_t pst;
  OK(__wasi_path_filestat_get(dir, 0, "st.txt", &pst));
  CHECK(pst.ino == st.ino && pst.dev == st.dev && pst.size == 10);
  /* a directory fd */
  __wasi_filestat_t dst = fstat_(dir);
  CHECK(dst.filetype == __WASI_FILETYPE_DIRECTORY);

  /* ---- fd_filestat_set_size */
  OK(__wasi_fd_filestat_set_size(fd, 4));
  CHECK(fstat_(fd).size == 4);
  OK(__wasi_fd_tell(fd, &pos));
  CHECK(pos == 10); /* the position is not moved */
  OK(__wasi_fd_filestat_set_size(fd, 8));
  CHECK(fstat_(fd).size == 8);
  expect_content(dir, "st.txt", "0123\0\0\0\0", 4);
  {
    char buf[8];
    __wasi_iovec_t iov = {(uint8_t *)buf, 8};
    __wasi_size_t n;
    OK(__wasi_fd_pread(fd, &iov, 1, 0, &n));
    CHECK(n == 8 && memcmp(buf, "0123\0\0\0\0", 8) == 0);
  }
  OK(__wasi_fd_filestat_set_size(fd, 0));
  CHECK(fstat_(fd).size == 0);
  wr(fd, "abc"); /* at position 10 */
  CHECK(fstat_(fd).size == 13);
  OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));

  /* ---- fd_filestat_set_times */
  const __wasi_timestamp_t A = 1600000000ull * SEC, M = 1500000000ull * SEC;
  OK(__wasi_fd_filestat_set_times(fd, A, M, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  st = fstat_(fd);
  CHECKF(st.atim == A, "atim %llu", (unsigned long long)st.atim);
  CHECKF(st.mtim == M, "mtim %llu", (unsigned long long)st.mtim);
  /* only ATIM: mtim unchanged */
  OK(__wasi_fd_filestat_set_times(fd, A + 5 * SEC, 0, __WASI_FSTFLAGS_ATIM));
  st = fstat_(fd);
  CHECK(st.atim == A + 5 * SEC);
  CHECK(st.mtim == M);
  /* only MTIM: atim unchanged */
  OK(__wasi_fd_filestat_set_times(fd, 0, M + 7 * SEC, __WASI_FSTFLAGS_MTIM));
  st = fstat_(fd);
  CHECK(st.atim == A + 5 * SEC);
  CHECK(st.mtim == M + 7 * SEC);
  /* no flags: nothing changes */
  OK(__wasi_fd_filestat_set_times(fd, 1, 1, 0));
  st = fstat_(fd);
  CHECK(st.atim == A + 5 * SEC && st.mtim == M + 7 * SEC);
  /* MTIM_NOW: mtim is now, atim unchanged */
  OK(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  st = fstat_(fd);
  CHECKF(near_now(st.mtim), "mtim %llu", (unsigned long long)st.mtim);
  CHECK(st.atim == A + 5 * SEC);
  /* ATIM_NOW */
  OK(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM_NOW));
  st = fstat_(fd);
  CHECK(near_now(st.atim));
  /* X and X_NOW together is invalid */
  EXPECT(__wasi_fd_filestat_set_times(fd, A, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
         __WASI_ERRNO_INVAL);
  EXPECT(__wasi_fd_filestat_set_times(fd, 0, M, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
         __WASI_ERRNO_INVAL);
  /* on a directory fd */
  OK(__wasi_fd_filestat_set_times(dir, A, M, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  dst = fstat_(dir);
  CHECK(dst.mtim == M);

  /* ---- fd_fdstat_get */
  __wasi_fdstat_t fs;
  OK(__wasi_fd_fdstat_get(fd, &fs));
  CHECK(fs.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECKF(fs.fs_flags == 0, "fs_flags %u", (unsigned)fs.fs_flags);
  CHECK(fs.fs_rights_base & __WASI_RIGHTS_FD_READ);
  CHECK(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
  OK(__wasi_fd_fdstat_get(dir, &fs));
  CHECK(fs.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK(fs.fs_rights_base & __WASI_RIGHTS_PATH_OPEN);
  EXPECT(__wasi_fd_fdstat_get(9999, &fs), __WASI_ERRNO_BADF);

  /* ---- fd_fdstat_set_flags(APPEND) */
  OK(__wasi_fd_filestat_set_size(fd, 0));
  OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
  wr(fd, "abc");
  OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
  OK(__wasi_fd_fdstat_get(fd, &fs));
  CHECK(fs.fs_flags & __WASI_FDFLAGS_APPEND);
  OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
  wr(fd, "XY"); /* appended, not written at 0 */
  OK(__wasi_fd_tell(fd, &pos));
  CHECKF(pos == 5, "position after append %llu", (unsigned long long)pos);
  expect_content(dir, "st.txt", "abcXY", 5);
  /* clear APPEND: writes go to the position again */
  OK(__wasi_fd_fdstat_set_flags(fd, 0));
  OK(__wasi_fd_fdstat_get(fd, &fs));
  CHECK(!(fs.fs_flags & __WASI_FDFLAGS_APPEND));
  OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
  wr(fd, "Q");
  expect_content(dir, "st.txt", "QbcXY", 5);
  /* APPEND given to path_open */
  __wasi_fd_t afd;
  OK(open_file(dir, "st.txt", 0, __WASI_FDFLAGS_APPEND, &afd));
  OK(__wasi_fd_fdstat_get(afd, &fs));
  CHECK(fs.fs_flags & __WASI_FDFLAGS_APPEND);
  wr(afd, "!");
  expect_content(dir, "st.txt", "QbcXY!", 6);
  OK(__wasi_fd_close(afd));

  /* ---- fd_allocate: wasmtime (preview1 over preview2) answers NOTSUP; a
   * host that implements it must grow the file and keep the data. */
  __wasi_errno_t e = __wasi_fd_allocate(fd, 0, 100);
  CHECKF(e == 0 || e == __WASI_ERRNO_NOTSUP, "fd_allocate -> %s", errno_name(e));
  if (e == 0) {
    CHECK(fstat_(fd).size == 100);
    expect_content(dir, "st.txt", "QbcXY!", 6);
    OK(__wasi_fd_allocate(fd, 10, 20)); /* inside: no change */
    CHECK(fstat_(fd).size == 100);
  }
  EXPECT(__wasi_fd_allocate(9999, 0, 1), __WASI_ERRNO_BADF);

  /* ---- fd_advise: every advice is accepted; bad advice is EINVAL */
  for (int adv = 0; adv <= 5; adv++) OK(__wasi_fd_advise(fd, 0, 10, adv));
  OK(__wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_SEQUENTIAL));
  EXPECT(__wasi_fd_advise(fd, 0, 10, 6), __WASI_ERRNO_INVAL);
  EXPECT(__wasi_fd_advise(9999, 0, 10, 0), __WASI_ERRNO_BADF);

  /* ---- fd_sync / fd_datasync */
  OK(__wasi_fd_sync(fd));
  OK(__wasi_fd_datasync(fd));
  EXPECT(__wasi_fd_sync(9999), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_datasync(9999), __WASI_ERRNO_BADF);

  /* ---- errors */
  EXPECT(__wasi_fd_filestat_get(9999, &st), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_filestat_set_size(9999, 0), __WASI_ERRNO_BADF);
  EXPECT(__wasi_fd_filestat_set_times(9999, 0, 0, __WASI_FSTFLAGS_MTIM_NOW), __WASI_ERRNO_BADF);
  EXPECT_FAIL(__wasi_fd_filestat_set_size(dir, 0));
  OK(__wasi_fd_close(fd));
  EXPECT(__wasi_fd_filestat_get(fd, &st), __WASI_ERRNO_BADF);
  DONE();
}
