// Calls recorded as NEXT records (docs/record-replay.md): a function with no
// input and one 4- or 8-byte result, called again with its last arguments.
// Prints a hash of every value the guest received, so replay must give each
// one exactly: the realtime clock (values above 2^53), the monotonic clock,
// clock calls interleaved with a second clock (each NEXT record closed and
// reopened), fd_seek and fd_tell stepping through a file, a seek that moves
// by more than 2^52 (a CALL, not a NEXT), and calls that fail between.
#include "check.h"

static uint64_t hash = 1469598103934665603ull;
static void mix(uint64_t v) {
  for (int i = 0; i < 8; i++) {
    hash ^= (v >> (8 * i)) & 0xff;
    hash *= 1099511628211ull;
  }
}

static uint64_t now(__wasi_clockid_t id) {
  __wasi_timestamp_t t = 0;
  OK(__wasi_clock_time_get(id, 1, &t));
  return t;
}

int main(void) {
  for (int i = 0; i < 5000; i++) mix(now(__WASI_CLOCKID_REALTIME));
  for (int i = 0; i < 5000; i++) mix(now(__WASI_CLOCKID_MONOTONIC));
  for (int i = 0; i < 3000; i++) {
    mix(now(__WASI_CLOCKID_MONOTONIC));
    mix(now(__WASI_CLOCKID_REALTIME));
  }
  __wasi_timestamp_t t = 0;
  CHECK(__wasi_clock_time_get(99, 1, &t) == __WASI_ERRNO_INVAL);
  for (int i = 0; i < 100; i++) mix(now(__WASI_CLOCKID_MONOTONIC));

  int fd = sandbox_fd();
  __wasi_fd_t f;
  OK(__wasi_path_open(fd, 0, "next_values.bin", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                      __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_WRITE, 0, 0, &f));
  __wasi_filesize_t pos = 0;
  for (int i = 0; i < 3000; i++) {
    OK(__wasi_fd_seek(f, 7, __WASI_WHENCE_CUR, &pos));
    mix(pos);
  }
  for (int i = 0; i < 50; i++) {
    OK(__wasi_fd_tell(f, &pos));
    mix(pos);
  }
  for (int i = 0; i < 3; i++) {
    OK(__wasi_fd_seek(f, (__wasi_filedelta_t)1 << 40, __WASI_WHENCE_CUR, &pos));
    mix(pos);
  }
  OK(__wasi_fd_seek(f, 0, __WASI_WHENCE_SET, &pos));
  for (int i = 0; i < 10; i++) {
    CHECK(__wasi_fd_seek(f, -1, __WASI_WHENCE_SET, &pos) == __WASI_ERRNO_INVAL);
    OK(__wasi_fd_seek(f, 0, __WASI_WHENCE_CUR, &pos));
    mix(pos);
  }
  OK(__wasi_fd_close(f));
  printf("%016llx\n", (unsigned long long)hash);
  DONE();
}
