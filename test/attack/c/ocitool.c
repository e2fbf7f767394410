/* A small guest for the OCI fault tests: exit N | spin | sleep MS | hello. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "exit") == 0) return atoi(argv[2]);
  if (argc >= 2 && strcmp(argv[1], "spin") == 0) {
    volatile unsigned long x = 0;
    for (;;) x++;
  }
  if (argc >= 3 && strcmp(argv[1], "sleep") == 0) {
    __wasi_subscription_t s = {0};
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    s.u.u.clock.timeout = (unsigned long long)atoi(argv[2]) * 1000000ull;
    __wasi_event_t ev;
    __wasi_size_t n;
    __wasi_poll_oneoff(&s, &ev, 1, &n);
    return 0;
  }
  puts("hello from ocitool");
  return 0;
}
