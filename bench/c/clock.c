// clock: N (default 5,000,000) direct clock_time_get(MONOTONIC) host calls.
// Results are folded into a volatile so the calls can't be elided, and
// monotonicity is checked. Measures the cheapest possible host call that
// writes a u64 back into guest memory.
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 5000000L;
    volatile __wasi_timestamp_t acc = 0;
    __wasi_timestamp_t prev = 0;
    for (long i = 0; i < n; i++) {
        __wasi_timestamp_t t = 0;
        __wasi_errno_t err = __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
        if (err != 0) { fprintf(stderr, "clock_time_get failed: %u\n", (unsigned)err); return 1; }
        if (t < prev) { fprintf(stderr, "clock went backwards at %ld\n", i); return 1; }
        prev = t;
        acc += t;
    }
    return acc == 0 ? 2 : 0;
}
