// A write loop the recorder answers from its kept copy of the last repeating
// call (src/record/repeat-cache.ts), and the calls that must leave it:
//   - 10 x fd_write(fd, [iov "abc"]) to a file: REPEATs after the first;
//   - the same call with the iovec pointing at another buffer of the same
//     bytes: still a REPEAT (a record holds the bytes, not where they were);
//   - the same arguments, the bytes changed: a CALL;
//   - the same arguments and bytes once fd is closed: EBADF, a CALL whose
//     result differs from the kept one after the call; then REPEATs of it;
//   - two iovecs making the same bytes as one: a REPEAT as well.
// Replayed, every line printed here must come out the same.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>
#include "check.h"

static __wasi_errno_t put(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, size_t n, __wasi_size_t *nw) {
  return __wasi_fd_write(fd, iovs, n, nw);
}

int main(void) {
  __wasi_fd_t fd;
  OK(__wasi_path_open(sandbox_fd(), 0, "cached.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                      __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
  static char a[3] = {'a', 'b', 'c'}, b[3] = {'a', 'b', 'c'};
  static __wasi_ciovec_t iov[2];
  __wasi_size_t nw = 0, total = 0;
  iov[0].buf = (const uint8_t *)a;
  iov[0].buf_len = 3;
  for (int i = 0; i < 10; i++) { OK(put(fd, iov, 1, &nw)); total += nw; }
  iov[0].buf = (const uint8_t *)b;
  for (int i = 0; i < 5; i++) { OK(put(fd, iov, 1, &nw)); total += nw; }
  b[2] = 'C';
  for (int i = 0; i < 5; i++) { OK(put(fd, iov, 1, &nw)); total += nw; }
  iov[0].buf_len = 1;
  iov[1].buf = (const uint8_t *)b + 1;
  iov[1].buf_len = 2;
  for (int i = 0; i < 5; i++) { OK(put(fd, iov, 2, &nw)); total += nw; }
  OK(__wasi_fd_close(fd));
  int badf = 0;
  for (int i = 0; i < 5; i++) badf += put(fd, iov, 2, &nw) == __WASI_ERRNO_BADF;
  printf("written %u, EBADF %d\n", (unsigned)total, badf);
  DONE();
}
