/* Long compute and I/O for the host-stability test: `stress ITERS FILES`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
  uint64_t iters = argc > 1 ? strtoull(argv[1], 0, 10) : 200000000ull;
  int files = argc > 2 ? atoi(argv[2]) : 2000;
  /* compute: an LCG and a rotate-xor mix, 'iters' rounds */
  uint64_t x = 0x9e3779b97f4a7c15ull, acc = 0;
  for (uint64_t i = 0; i < iters; i++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    acc ^= (x >> 29) | (x << 35);
    acc += i;
  }
  /* clock calls (the hot path through the wasm trampoline) */
  __wasi_timestamp_t t, last = 0;
  for (int i = 0; i < 200000; i++) {
    __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
    if (t < last) { printf("clock went back\n"); return 3; }
    last = t;
  }
  /* I/O: many small files written, read back, renamed, removed */
  char name[64], buf[64], back[64];
  long bytes = 0;
  for (int i = 0; i < files; i++) {
    snprintf(name, sizeof name, "/sandbox/f%d.txt", i % 97);
    int n = snprintf(buf, sizeof buf, "file %d acc %llu\n", i, (unsigned long long)(acc + i));
    FILE *f = fopen(name, "w");
    if (!f) { printf("fopen %s failed\n", name); return 4; }
    fwrite(buf, 1, n, f);
    fclose(f);
    f = fopen(name, "r");
    size_t m = fread(back, 1, sizeof back, f);
    fclose(f);
    if ((int)m != n || memcmp(buf, back, n) != 0) { printf("read back mismatch %d\n", i); return 5; }
    bytes += m;
    if (i % 7 == 0) { char to[64]; snprintf(to, sizeof to, "/sandbox/r%d.txt", i % 13); rename(name, to); remove(to); }
    else if (i % 5 == 0) remove(name);
    if (i % 100 == 0) printf("progress %d\n", i);
  }
  printf("acc %llu bytes %ld\n", (unsigned long long)acc, bytes);
  return 0;
}
