// Clocks, sleeping and poll: clock_res_get, clock_time_get, and poll_oneoff
// with clock subscriptions (what nanosleep becomes in WASI).
#include <stdio.h>
#include <time.h>

static double ms(struct timespec a, struct timespec b) {
  return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

int main(void) {
  struct timespec res, now, t0, t1;
  clock_getres(CLOCK_MONOTONIC, &res);
  printf("monotonic clock resolution: %ld ns\n", (long)res.tv_nsec);
  clock_gettime(CLOCK_REALTIME, &now);
  printf("realtime: %lld s since 1970\n", (long long)now.tv_sec);
  for (int i = 1; i <= 3; i++) {
    struct timespec d = { 0, i * 10 * 1000000L };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    nanosleep(&d, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("asked to sleep %d ms, slept %.1f ms\n", i * 10, ms(t0, t1));
  }
  return 0;
}
