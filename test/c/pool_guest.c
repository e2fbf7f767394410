/*
 * Guest for the worker-pool tests:
 *   state        — prints, then changes, a global and a static buffer: a fresh
 *                  instance must print "counter=0 buffer=" every time
 *   id N         — prints N many times (concurrent outputs must not mix)
 *   cat          — copies stdin to stdout
 *   oom          — allocates until malloc fails, then traps (as Rust's alloc does)
 *   spin         — loops forever
 *   env NAME     — prints NAME's value
 *   write F T    — writes T to file F
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int counter;
static char buffer[64];

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : "";
  if (!strcmp(cmd, "state")) {
    printf("counter=%d buffer=%s\n", counter, buffer);
    counter = 42;
    strcpy(buffer, "leaked");
    return 0;
  }
  if (!strcmp(cmd, "id") && argc > 2) {
    for (int i = 0; i < 200; i++) printf("[%s]", argv[2]);
    printf("\n");
    return 0;
  }
  if (!strcmp(cmd, "cat")) {
    char b[4096];
    ssize_t n;
    while ((n = read(0, b, sizeof b)) > 0) fwrite(b, 1, (size_t)n, stdout);
    return 0;
  }
  if (!strcmp(cmd, "oom")) {
    for (;;) {
      char *volatile p = malloc(1 << 20);
      if (p == NULL) __builtin_trap();
      memset(p, 1, 1 << 20);
    }
  }
  if (!strcmp(cmd, "spin")) {
    volatile unsigned long x = 0;
    for (;;) x++;
  }
  if (!strcmp(cmd, "env") && argc > 2) {
    const char *v = getenv(argv[2]);
    printf("%s\n", v ? v : "(unset)");
    return 0;
  }
  if (!strcmp(cmd, "write") && argc > 3) {
    FILE *f = fopen(argv[2], "w");
    if (!f) return 2;
    fputs(argv[3], f);
    return fclose(f) ? 3 : 0;
  }
  return 64;
}
