/* poll_oneoff: relative and absolute clock subscriptions, fd_read/fd_write
 * subscriptions on regular files, and errors. */
#include "check.h"
#include <time.h>

#define MS 1000000ull

static __wasi_timestamp_t mono(void) {
  __wasi_timestamp_t t;
  OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t));
  return t;
}
static __wasi_timestamp_t real(void) {
  __wasi_timestamp_t t;
  OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t));
  return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id,
                                       __wasi_timestamp_t timeout, int abs) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = id;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.precision = 0;
  s.u.u.clock.flags = abs ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
  return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, __wasi_eventtype_t type, __wasi_fd_t fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = type;
  if (type == __WASI_EVENTTYPE_FD_READ)
    s.u.u.fd_read.file_descriptor = fd;
  else
    s.u.u.fd_write.file_descriptor = fd;
  return s;
}

/* One clock subscription; returns the elapsed monotonic time. */
static __wasi_timestamp_t sleep_on(__wasi_subscription_t s) {
  __wasi_event_t ev;
  memset(&ev, 0xEE, sizeof ev);
  __wasi_size_t n = 0;
  __wasi_timestamp_t t0 = mono();
  OK(__wasi_poll_oneoff(&s, &ev, 1, &n));
  __wasi_timestamp_t dt = mono() - t0;
  CHECK(n == 1);
  CHECK(ev.userdata == s.userdata);
  CHECK(ev.error == __WASI_ERRNO_SUCCESS);
  CHECK(ev.type == __WASI_EVENTTYPE_CLOCK);
  return dt;
}

int main(void) {
  __wasi_timestamp_t dt;
  /* relative monotonic: sleeps about the timeout */
  dt = sleep_on(clock_sub(0x1111, __WASI_CLOCKID_MONOTONIC, 60 * MS, 0));
  CHECKF(dt >= 59 * MS && dt < 2000 * MS, "slept %llu ms for 60", (unsigned long long)(dt / MS));
  /* relative realtime */
  dt = sleep_on(clock_sub(0x2222, __WASI_CLOCKID_REALTIME, 40 * MS, 0));
  CHECKF(dt >= 39 * MS && dt < 2000 * MS, "slept %llu ms for 40", (unsigned long long)(dt / MS));
  /* zero timeout: immediate */
  dt = sleep_on(clock_sub(3, __WASI_CLOCKID_MONOTONIC, 0, 0));
  CHECK(dt < 500 * MS);
  /* absolute monotonic deadline */
  __wasi_timestamp_t deadline = mono() + 50 * MS;
  sleep_on(clock_sub(4, __WASI_CLOCKID_MONOTONIC, deadline, 1));
  CHECKF(mono() >= deadline, "woke %llu ms early", (unsigned long long)((deadline - mono()) / MS));
  CHECK(mono() < deadline + 2000 * MS);
  /* absolute realtime deadline */
  __wasi_timestamp_t rdeadline = real() + 50 * MS;
  __wasi_timestamp_t m0 = mono();
  sleep_on(clock_sub(5, __WASI_CLOCKID_REALTIME, rdeadline, 1));
  CHECKF(real() + 2 * MS >= rdeadline, "woke %lld ms early",
         (long long)((long long)(rdeadline - real()) / (long long)MS));
  CHECK(mono() - m0 >= 45 * MS);
  /* absolute deadline in the past: immediate */
  dt = sleep_on(clock_sub(6, __WASI_CLOCKID_MONOTONIC, 1, 1));
  CHECK(dt < 500 * MS);
  dt = sleep_on(clock_sub(7, __WASI_CLOCKID_REALTIME, 1, 1));
  CHECK(dt < 500 * MS);

  /* two clocks: only the earlier one fires */
  {
    __wasi_subscription_t s[2] = {clock_sub(0xAAAA, __WASI_CLOCKID_MONOTONIC, 3000 * MS, 0),
                                  clock_sub(0xBBBB, __WASI_CLOCKID_MONOTONIC, 20 * MS, 0)};
    __wasi_event_t ev[2];
    __wasi_size_t n = 0;
    __wasi_timestamp_t t0 = mono();
    OK(__wasi_poll_oneoff(s, ev, 2, &n));
    dt = mono() - t0;
    CHECKF(n == 1, "%u events", (unsigned)n);
    CHECK(ev[0].userdata == 0xBBBB && ev[0].type == __WASI_EVENTTYPE_CLOCK);
    CHECKF(dt >= 19 * MS && dt < 2500 * MS, "took %llu ms", (unsigned long long)(dt / MS));
  }

  /* libc sleeping goes through poll_oneoff */
  {
    __wasi_timestamp_t t0 = mono();
    struct timespec ts = {0, 30 * 1000000};
    CHECK(nanosleep(&ts, NULL) == 0);
    CHECK(mono() - t0 >= 29 * MS);
  }

  /* fd_read / fd_write on a regular file are ready at once */
  __wasi_fd_t dir = sandbox_fd(), fd;
  put_file(dir, "p.txt", "0123456789");
  OK(open_file(dir, "p.txt", 0, 0, &fd));
  {
    __wasi_subscription_t s[3] = {fd_sub(0x10, __WASI_EVENTTYPE_FD_READ, fd),
                                  fd_sub(0x20, __WASI_EVENTTYPE_FD_WRITE, fd),
                                  clock_sub(0x30, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0)};
    __wasi_event_t ev[3];
    memset(ev, 0xEE, sizeof ev);
    __wasi_size_t n = 0;
    __wasi_timestamp_t t0 = mono();
    OK(__wasi_poll_oneoff(s, ev, 3, &n));
    CHECK(mono() - t0 < 2000 * MS);
    CHECKF(n == 2, "%u events", (unsigned)n);
    int seen_r = 0, seen_w = 0;
    for (__wasi_size_t i = 0; i < n; i++) {
      CHECK(ev[i].error == __WASI_ERRNO_SUCCESS);
      if (ev[i].userdata == 0x10) {
        CHECK(ev[i].type == __WASI_EVENTTYPE_FD_READ);
        seen_r++;
      } else if (ev[i].userdata == 0x20) {
        CHECK(ev[i].type == __WASI_EVENTTYPE_FD_WRITE);
        seen_w++;
      } else {
        CHECKF(0, "unexpected userdata %llx", (unsigned long long)ev[i].userdata);
      }
    }
    CHECK(seen_r == 1 && seen_w == 1);
  }
  /* a single fd_read subscription alone */
  {
    __wasi_subscription_t s = fd_sub(0x40, __WASI_EVENTTYPE_FD_READ, fd);
    __wasi_event_t ev;
    __wasi_size_t n = 0;
    OK(__wasi_poll_oneoff(&s, &ev, 1, &n));
    CHECK(n == 1 && ev.userdata == 0x40 && ev.error == 0 && ev.type == __WASI_EVENTTYPE_FD_READ);
  }
  /* a bad fd: either the call or the event reports EBADF */
  {
    __wasi_subscription_t s = fd_sub(0x50, __WASI_EVENTTYPE_FD_READ, 9999);
    __wasi_event_t ev;
    memset(&ev, 0, sizeof ev);
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_poll_oneoff(&s, &ev, 1, &n);
    CHECKF(e == __WASI_ERRNO_BADF || (e == 0 && n == 1 && ev.userdata == 0x50 &&
                                      ev.error == __WASI_ERRNO_BADF),
           "errno %s, n %u, event error %u", errno_name(e), (unsigned)n, (unsigned)ev.error);
  }
  OK(__wasi_fd_close(fd));

  /* no subscriptions: EINVAL */
  {
    __wasi_subscription_t s;
    __wasi_event_t ev;
    __wasi_size_t n = 0;
    EXPECT(__wasi_poll_oneoff(&s, &ev, 0, &n), __WASI_ERRNO_INVAL);
  }
  DONE();
}
