/* fd_fdstat_set_rights and the rights carried by path_open.
 * Rights can only shrink; an operation whose right was dropped answers
 * ENOTCAPABLE. */
#include "check.h"

int main(void) {
  __wasi_fd_t dir = sandbox_fd(), fd;
  __wasi_fdstat_t fs;
  __wasi_size_t n;
  char buf[16];
  __wasi_iovec_t riov = {(uint8_t *)buf, sizeof buf};
  __wasi_ciovec_t wiov = {(const uint8_t *)"data", 4};

  put_file(dir, "r.txt", "hello");

  /* ---- drop FD_READ from a read/write fd */
  OK(open_file(dir, "r.txt", 0, 0, &fd));
  OK(__wasi_fd_fdstat_get(fd, &fs));
  __wasi_rights_t base = fs.fs_rights_base, inh = fs.fs_rights_inheriting;
  CHECK(base & __WASI_RIGHTS_FD_READ);
  CHECK(base & __WASI_RIGHTS_FD_WRITE);
  OK(__wasi_fd_read(fd, &riov, 1, &n));
  CHECK(n == 5);

  OK(__wasi_fd_fdstat_set_rights(fd, base & ~__WASI_RIGHTS_FD_READ, inh));
  OK(__wasi_fd_fdstat_get(fd, &fs));
  CHECKF(fs.fs_rights_base == (base & ~__WASI_RIGHTS_FD_READ), "rights now %llx",
         (unsigned long long)fs.fs_rights_base);
  EXPECT(__wasi_fd_read(fd, &riov, 1, &n), __WASI_ERRNO_NOTCAPABLE);
  EXPECT(__wasi_fd_pread(fd, &riov, 1, 0, &n), __WASI_ERRNO_NOTCAPABLE);
  OK(__wasi_fd_write(fd, &wiov, 1, &n)); /* still allowed */
  CHECK(n == 4);

  /* rights cannot grow back */
  EXPECT(__wasi_fd_fdstat_set_rights(fd, base, inh), __WASI_ERRNO_NOTCAPABLE);
  OK(__wasi_fd_fdstat_get(fd, &fs));
  CHECK(!(fs.fs_rights_base & __WASI_RIGHTS_FD_READ));
  /* setting the same rights again is fine */
  OK(__wasi_fd_fdstat_set_rights(fd, fs.fs_rights_base, fs.fs_rights_inheriting));

  /* drop FD_WRITE and FD_SEEK/TELL as well */
  OK(__wasi_fd_fdstat_set_rights(fd, fs.fs_rights_base & ~(__WASI_RIGHTS_FD_WRITE |
                                                           __WASI_RIGHTS_FD_SEEK |
                                                           __WASI_RIGHTS_FD_TELL),
                                 fs.fs_rights_inheriting));
  EXPECT(__wasi_fd_write(fd, &wiov, 1, &n), __WASI_ERRNO_NOTCAPABLE);
  __wasi_filesize_t pos;
  EXPECT(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_NOTCAPABLE);
  EXPECT(__wasi_fd_tell(fd, &pos), __WASI_ERRNO_NOTCAPABLE);

  /* drop FD_FILESTAT_GET */
  OK(__wasi_fd_fdstat_get(fd, &fs));
  OK(__wasi_fd_fdstat_set_rights(fd, fs.fs_rights_base & ~__WASI_RIGHTS_FD_FILESTAT_GET,
                                 fs.fs_rights_inheriting));
  __wasi_filestat_t st;
  EXPECT(__wasi_fd_filestat_get(fd, &st), __WASI_ERRNO_NOTCAPABLE);
  /* fdstat_get needs no right */
  OK(__wasi_fd_fdstat_get(fd, &fs));
  /* drop everything */
  OK(__wasi_fd_fdstat_set_rights(fd, 0, 0));
  OK(__wasi_fd_fdstat_get(fd, &fs));
  CHECK(fs.fs_rights_base == 0 && fs.fs_rights_inheriting == 0);
  EXPECT(__wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ, 0), __WASI_ERRNO_NOTCAPABLE);
  OK(__wasi_fd_close(fd));
  EXPECT(__wasi_fd_fdstat_set_rights(fd, 0, 0), __WASI_ERRNO_BADF);

  /* the file got the write made before FD_WRITE was dropped */
  OK(get_file(dir, "r.txt", buf, sizeof buf));
  CHECKF(strcmp(buf, "hellodata") == 0, "content '%s'", buf);

  /* ---- path_open with only FD_READ: writing is refused */
  OK(__wasi_path_open(dir, 0, "r.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd));
  OK(__wasi_fd_fdstat_get(fd, &fs));
  CHECK(fs.fs_rights_base & __WASI_RIGHTS_FD_READ);
  CHECK(!(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
  OK(__wasi_fd_read(fd, &riov, 1, &n));
  EXPECT2(__wasi_fd_write(fd, &wiov, 1, &n), __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_BADF);
  OK(__wasi_fd_close(fd));
  /* only FD_WRITE: reading is refused */
  OK(__wasi_path_open(dir, 0, "r.txt", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
  EXPECT2(__wasi_fd_read(fd, &riov, 1, &n), __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_BADF);
  OK(__wasi_fd_write(fd, &wiov, 1, &n));
  OK(__wasi_fd_close(fd));

  /* ---- directory rights: a dir fd without PATH_CREATE_DIRECTORY / PATH_OPEN */
  __wasi_fd_t sub;
  OK(__wasi_path_create_directory(dir, "sub"));
  OK(open_dir(dir, "sub", &sub));
  OK(__wasi_fd_fdstat_get(sub, &fs));
  CHECK(fs.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK(fs.fs_rights_base & __WASI_RIGHTS_PATH_CREATE_DIRECTORY);
  OK(__wasi_fd_fdstat_set_rights(sub, fs.fs_rights_base & ~__WASI_RIGHTS_PATH_CREATE_DIRECTORY,
                                 fs.fs_rights_inheriting));
  EXPECT(__wasi_path_create_directory(sub, "x"), __WASI_ERRNO_NOTCAPABLE);
  OK(open_file(sub, "f.txt", __WASI_OFLAGS_CREAT, 0, &fd)); /* PATH_OPEN still there */
  OK(__wasi_fd_close(fd));
  OK(__wasi_fd_fdstat_get(sub, &fs));
  OK(__wasi_fd_fdstat_set_rights(sub, fs.fs_rights_base & ~__WASI_RIGHTS_PATH_OPEN,
                                 fs.fs_rights_inheriting));
  EXPECT(open_file(sub, "f.txt", 0, 0, &fd), __WASI_ERRNO_NOTCAPABLE);
  OK(__wasi_fd_close(sub));

  /* ---- inheriting rights bound what files opened below can get */
  OK(open_dir(dir, "sub", &sub));
  OK(__wasi_fd_fdstat_get(sub, &fs));
  OK(__wasi_fd_fdstat_set_rights(sub, fs.fs_rights_base,
                                 fs.fs_rights_inheriting & ~__WASI_RIGHTS_FD_WRITE));
  /* FD_WRITE is beyond the directory's inheriting rights now: as in wasmtime
     (and as wasi-libc expects, since it asks for every right), the open
     succeeds but the new fd does not get FD_WRITE, so it cannot write. */
  OK(__wasi_path_open(sub, 0, "f.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0,
                      0, &fd));
  OK(__wasi_fd_fdstat_get(fd, &fs));
  CHECK((fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE) == 0);
  CHECK((fs.fs_rights_base & __WASI_RIGHTS_FD_READ) != 0);
  {
    char c = 'x';
    __wasi_ciovec_t iov = {(const uint8_t *)&c, 1};
    __wasi_size_t n;
    EXPECT(__wasi_fd_write(fd, &iov, 1, &n), __WASI_ERRNO_NOTCAPABLE);
  }
  OK(__wasi_fd_close(fd));
  OK(__wasi_fd_close(sub));
  DONE();
}
