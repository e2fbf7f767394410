// Prints what the guest is told of its stdio: isatty() (wasi-libc asks
// fd_fdstat_get for a character device) and the filetype, for fds 0, 1, 2.
#include <stdio.h>
#include <unistd.h>
#include <wasi/api.h>

int main(void) {
  for (int fd = 0; fd < 3; fd++) {
    __wasi_fdstat_t st;
    int err = __wasi_fd_fdstat_get(fd, &st);
    fprintf(stderr, "fd %d: isatty %d filetype %d err %d\n", fd, isatty(fd), err ? -1 : st.fs_filetype, err);
  }
  return 0;
}
