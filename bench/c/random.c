// random: N MiB (default 64) of random_get in C-byte calls (default 256),
// straight to the host (__wasi_random_get, no libc buffering). Checks that
// the bytes look random (every byte value's count within 5% of the mean; no
// call returns the same bytes as the one before) and prints one summary line,
// identical on every correct host. Measures the per-call cost of random_get
// for the small requests programs make (hash seeds, UUIDs, nonces).
// argv[1] = MiB, argv[2] = bytes per call.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
    long mib = argc > 1 ? atol(argv[1]) : 64;
    long chunk = argc > 2 ? atol(argv[2]) : 256;
    if (mib <= 0 || chunk <= 0 || chunk > 65536) { fprintf(stderr, "bad arguments\n"); return 2; }
    static unsigned char buf[65536], prev[65536];
    static unsigned long long count[256];
    long long total = mib * 1024LL * 1024LL;
    long long calls = total / chunk;
    for (long long c = 0; c < calls; c++) {
        __wasi_errno_t err = __wasi_random_get(buf, (__wasi_size_t)chunk);
        if (err != 0) { fprintf(stderr, "random_get failed: %u\n", (unsigned)err); return 1; }
        if (c > 0 && chunk >= 8 && memcmp(buf, prev, (size_t)chunk) == 0) { fprintf(stderr, "call %lld repeated the previous bytes\n", c); return 1; }
        for (long i = 0; i < chunk; i++) count[buf[i]]++;
        memcpy(prev, buf, (size_t)chunk);
    }
    // Integer arithmetic only: wasi-libc links no compiler-rt for double -> u64.
    unsigned long long mean = (unsigned long long)(calls * chunk) / 256;
    for (int v = 0; v < 256; v++) {
        if (mean >= 16384 && (count[v] * 20 < mean * 19 || count[v] * 20 > mean * 21)) {
            fprintf(stderr, "byte %d: %llu times, expected about %llu\n", v, count[v], mean);
            return 1;
        }
    }
    printf("random: %lld bytes in %lld calls of %ld, distribution ok\n", calls * chunk, calls, chunk);
    return 0;
}
