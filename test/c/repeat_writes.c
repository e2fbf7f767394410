// The same call again and again: 1000 x write(1, "x\n", 2); then
// clock_time_get in a loop (each call different: a new time); then 400 x a
// 200-byte line (a record of over 128 bytes), each after a random_get of
// 300 bytes (too big to compare, and enough to fill several of the
// recorder's 64 KiB blocks); then one line. Recorded, the repeated writes
// become REPEAT records (docs/record-replay.md), also across blocks;
// replayed, the output is the same.
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <wasi/api.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  for (int i = 0; i < 1000; i++) {
    if (write(1, "x\n", 2) != 2) return 1;
  }
  struct timespec ts;
  long long sum = 0;
  for (int i = 0; i < 100; i++) {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sum += ts.tv_nsec & 1;
  }
  char line[200];
  uint8_t noise[300];
  memset(line, 'L', sizeof line - 1);
  line[sizeof line - 1] = '\n';
  unsigned acc = 0;
  for (int i = 0; i < 400; i++) {
    if (__wasi_random_get(noise, sizeof noise) != 0) return 1;
    acc += noise[i % sizeof noise];
    if (write(1, line, sizeof line) != sizeof line) return 1;
  }
  sum += acc & 0;
  printf("done %s\n", sum >= 0 ? "ok" : "?");
  return 0;
}
