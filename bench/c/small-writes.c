// small-writes: N (default 1,000,000) direct fd_write syscalls of a 2-byte
// buffer to fd 1. Bypasses stdio buffering so every iteration is one
// host call; measures per-call overhead of the host's fd_write path.
#include <stdlib.h>
#include <stdio.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000L;
    static const char buf[2] = {'x', '\n'};
    __wasi_ciovec_t iov = {.buf = (const uint8_t *)buf, .buf_len = sizeof buf};
    for (long i = 0; i < n; i++) {
        __wasi_size_t nw = 0;
        __wasi_errno_t err = __wasi_fd_write(1, &iov, 1, &nw);
        if (err != 0 || nw != sizeof buf) {
            fprintf(stderr, "small-writes: fd_write failed at %ld: errno=%u nwritten=%u\n",
                    i, (unsigned)err, (unsigned)nw);
            return 1;
        }
    }
    return 0;
}
