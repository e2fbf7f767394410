/*
 * A call that differs each time for long (the recorder then compares it on
 * every 64th call only), with another function's calls between, and then
 * the same call again and again: the recorder must find it repeating again
 * and record REPEATs; replayed, the output is the same.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  char line[16];
  struct timespec ts;
  for (int i = 0; i < 300; i++) {
    int n = snprintf(line, sizeof line, "%03d\n", i);
    if (write(1, line, n) != n) return 1;
    /* One, two or no clock calls between: the calls' count moves unevenly. */
    for (int k = 0; k < i % 3; k++) clock_gettime(CLOCK_MONOTONIC, &ts);
  }
  for (int i = 0; i < 2000; i++) {
    if (write(1, "same\n", 5) != 5) return 1;
    if (i % 7 == 0) clock_gettime(CLOCK_MONOTONIC, &ts);
  }
  return 0;
}
