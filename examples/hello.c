/*
 * The demo guest: greets, shows its arguments and environment, and writes
 * and reads back a file in the directory it was given — the WASI basics.
 * Rebuild: clang --target=wasm32-wasi -O2 -s examples/hello.c -o examples/hello.wasm
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
  printf("hello from WebAssembly, %s!\n", argc > 1 ? argv[1] : "world");
  for (int i = 0; i < argc; i++) printf("  argv[%d] = %s\n", i, argv[i]);
  const char *user = getenv("GREETING");
  if (user) printf("  GREETING = %s\n", user);

  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  printf("  the host clock says %lld seconds since 1970\n", (long long)ts.tv_sec);

  FILE *f = fopen("demo-output.txt", "w");
  if (f == NULL) {
    printf("  (no directory granted: run with --dir . to let me write a file)\n");
    return 0;
  }
  fprintf(f, "written by a WASI guest\n");
  fclose(f);
  char line[64] = {0};
  f = fopen("demo-output.txt", "r");
  if (f && fgets(line, sizeof line, f)) printf("  wrote and read back: %s", line);
  if (f) fclose(f);
  remove("demo-output.txt");
  return 0;
}
