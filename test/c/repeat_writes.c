// The same call again and again: 1000 x write(1, "x\n", 2), then
// clock_time_get in a loop (each call different: a new time), then one
// line. Recorded, the writes become REPEAT records of the first one
// (docs/record-replay.md); replayed, the output is the same.
#include <stdio.h>
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
  printf("done %s\n", sum >= 0 ? "ok" : "?");
  return 0;
}
