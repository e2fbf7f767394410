/* clock_res_get, clock_time_get for all four clocks; invalid ids.
 * argv[1]: the host's wall-clock time in milliseconds since the epoch. */
#include "check.h"

static __wasi_timestamp_t now(__wasi_clockid_t id) {
  __wasi_timestamp_t t = 0;
  OK(__wasi_clock_time_get(id, 1, &t));
  return t;
}

static volatile uint64_t sink;

int main(int argc, char **argv) {
  CHECK(argc == 2);
  const __wasi_clockid_t ids[] = {__WASI_CLOCKID_REALTIME, __WASI_CLOCKID_MONOTONIC,
                                  __WASI_CLOCKID_PROCESS_CPUTIME_ID,
                                  __WASI_CLOCKID_THREAD_CPUTIME_ID};
  for (int i = 0; i < 4; i++) {
    __wasi_timestamp_t res = 0;
    OK(__wasi_clock_res_get(ids[i], &res));
    CHECKF(res > 0 && res <= 1000000000ull, "clock %d resolution %llu", i,
           (unsigned long long)res);
    __wasi_timestamp_t t = 0;
    OK(__wasi_clock_time_get(ids[i], 0, &t));
    OK(__wasi_clock_time_get(ids[i], 1000000, &t));
  }

  /* realtime agrees with the host within a minute */
  long long host_ms = atoll(argv[1]);
  long long rt_ms = (long long)(now(__WASI_CLOCKID_REALTIME) / 1000000ull);
  CHECKF(rt_ms > host_ms - 60000 && rt_ms < host_ms + 60000, "realtime %lld ms, host %lld ms",
         rt_ms, host_ms);
  CHECK(now(__WASI_CLOCKID_REALTIME) > 1577836800000000000ull); /* after 2020 */

  /* monotonic never decreases and advances */
  __wasi_timestamp_t prev = now(__WASI_CLOCKID_MONOTONIC), first = prev;
  for (int i = 0; i < 20000; i++) {
    __wasi_timestamp_t t = now(__WASI_CLOCKID_MONOTONIC);
    CHECKF(t >= prev, "monotonic went back: %llu -> %llu", (unsigned long long)prev,
           (unsigned long long)t);
    prev = t;
  }
  /* spin ~20ms on the monotonic clock */
  while (now(__WASI_CLOCKID_MONOTONIC) - first < 20000000ull) sink++;
  CHECK(now(__WASI_CLOCKID_MONOTONIC) - first >= 20000000ull);

  /* cputime clocks are non-decreasing and move while we burn CPU */
  for (int c = 2; c < 4; c++) {
    __wasi_timestamp_t a = now(ids[c]);
    __wasi_timestamp_t m0 = now(__WASI_CLOCKID_MONOTONIC);
    while (now(__WASI_CLOCKID_MONOTONIC) - m0 < 50000000ull) sink++; /* 50ms busy */
    __wasi_timestamp_t b = now(ids[c]);
    CHECKF(b >= a, "cputime clock %d went back", c);
    CHECKF(b - a >= 1000000ull, "cputime clock %d advanced only %llu ns in 50ms of busy work",
           c, (unsigned long long)(b - a));
  }

  /* invalid clock ids */
  __wasi_timestamp_t t;
  EXPECT(__wasi_clock_res_get(4, &t), __WASI_ERRNO_INVAL);
  EXPECT(__wasi_clock_time_get(4, 1, &t), __WASI_ERRNO_INVAL);
  EXPECT(__wasi_clock_res_get(0xFFFFFFFFu, &t), __WASI_ERRNO_INVAL);
  EXPECT(__wasi_clock_time_get(1000, 1, &t), __WASI_ERRNO_INVAL);
  DONE();
}
