/* Interleaves unbuffered writes to stdout and stderr: their order must survive write-combining. */
#include <unistd.h>
#include <wasi/api.h>
int main(void) {
  for (int i = 0; i < 1000; i++) {
    write(1, "o", 1);
    if (i % 100 == 99) write(2, "E", 1);
  }
  write(1, "\n", 1);
  /* A sleep (poll_oneoff) must not hold back what was written before it. */
  write(1, "before-sleep\n", 13);
  __wasi_subscription_t sub = {0};
  sub.u.tag = __WASI_EVENTTYPE_CLOCK;
  sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  sub.u.u.clock.timeout = 300000000; /* 300 ms */
  __wasi_event_t ev;
  __wasi_size_t n;
  __wasi_poll_oneoff(&sub, &ev, 1, &n);
  write(1, "after-sleep\n", 12);
  return 0;
}
