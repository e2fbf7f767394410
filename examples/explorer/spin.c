// A guest that never ends: it spins, asking the clock now and then. Press Stop.
#include <stdio.h>
#include <time.h>

int main(void) {
  puts("spinning forever: press Stop");
  fflush(stdout);
  volatile unsigned long n = 0;
  struct timespec t;
  for (;;) {
    if ((++n & 0xfffff) == 0) clock_gettime(CLOCK_MONOTONIC, &t);
  }
}
