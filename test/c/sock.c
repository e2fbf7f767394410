/* sock_accept, sock_recv, sock_send, sock_shutdown on fds that are not
 * sockets: ENOTSOCK; on fds that are not open: EBADF. */
#include "check.h"

static void not_a_socket(__wasi_fd_t fd, int ok_badf_for_stdio) {
  __wasi_fd_t out;
  char buf[8];
  __wasi_iovec_t riov = {(uint8_t *)buf, sizeof buf};
  __wasi_ciovec_t siov = {(const uint8_t *)"x", 1};
  __wasi_size_t n;
  __wasi_roflags_t roflags;
  EXPECT(__wasi_sock_accept(fd, 0, &out), __WASI_ERRNO_NOTSOCK);
  EXPECT(__wasi_sock_recv(fd, &riov, 1, 0, &n, &roflags), __WASI_ERRNO_NOTSOCK);
  EXPECT(__wasi_sock_send(fd, &siov, 1, 0, &n), __WASI_ERRNO_NOTSOCK);
  EXPECT(__wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK);
  (void)ok_badf_for_stdio;
}

int main(void) {
  __wasi_fd_t dir = sandbox_fd(), fd, d;
  put_file(dir, "f.txt", "data");
  OK(open_file(dir, "f.txt", 0, 0, &fd));
  not_a_socket(fd, 0);   /* a regular file */
  not_a_socket(dir, 0);  /* the preopen */
  OK(__wasi_path_create_directory(dir, "sub"));
  OK(open_dir(dir, "sub", &d));
  not_a_socket(d, 0);    /* a directory */
  not_a_socket(1, 1);    /* stdout */

  /* the file is unharmed */
  char buf[8] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, 4};
  __wasi_size_t n;
  OK(__wasi_fd_pread(fd, &iov, 1, 0, &n));
  CHECK(n == 4 && memcmp(buf, "data", 4) == 0);
  OK(__wasi_fd_close(fd));
  OK(__wasi_fd_close(d));

  /* closed / never-open fds */
  __wasi_fd_t out;
  __wasi_ciovec_t siov = {(const uint8_t *)"x", 1};
  __wasi_roflags_t roflags;
  EXPECT(__wasi_sock_accept(fd, 0, &out), __WASI_ERRNO_BADF);
  EXPECT(__wasi_sock_accept(9999, 0, &out), __WASI_ERRNO_BADF);
  EXPECT(__wasi_sock_recv(9999, &iov, 1, 0, &n, &roflags), __WASI_ERRNO_BADF);
  EXPECT(__wasi_sock_send(9999, &siov, 1, 0, &n), __WASI_ERRNO_BADF);
  EXPECT(__wasi_sock_shutdown(9999, __WASI_SDFLAGS_WR), __WASI_ERRNO_BADF);
  DONE();
}
