/*
 * Prints, then computes without another WASI call: the output must reach
 * the host within the bound even so. Each line carries CLOCK_REALTIME in
 * microseconds at the moment of the write, so the host can measure the
 * delay. argv[1]: lines to print (default 1), 50 ms of spinning apart;
 * argv[2]: "stderr" to print there instead; then it spins for ever (or
 * exits 0 with argv[3] == "exit"; argv[3] == "ready" first writes "ready"
 * to the other stream, for a host that must know the lines were written).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static unsigned long long now_us(void) {
  __wasi_timestamp_t t = 0;
  (void)__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1000, &t);
  return t / 1000;
}

static void spin_us(unsigned long long us) {
  /* clock_time_get never flushes gathered output: still "no other WASI call" for output. */
  unsigned long long end = now_us() + us;
  volatile unsigned long x = 0;
  while (now_us() < end) for (int i = 0; i < 100000; i++) x++;
}

int main(int argc, char **argv) {
  int lines = argc > 1 ? atoi(argv[1]) : 1;
  int fd = argc > 2 && strcmp(argv[2], "stderr") == 0 ? 2 : 1;
  char buf[64];
  for (int i = 0; i < lines; i++) {
    int n = snprintf(buf, sizeof buf, "line %d at %llu\n", i, now_us());
    write(fd, buf, n);
    spin_us(50000);
  }
  if (argc > 3 && strcmp(argv[3], "exit") == 0) return 0;
  if (argc > 3 && strcmp(argv[3], "ready") == 0) write(3 - fd, "ready\n", 6);
  volatile unsigned long x = 0;
  for (;;) x++;
}
