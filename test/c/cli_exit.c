/* Exits with argv[1] (through proc_exit), after echoing its arguments and one env var. */
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) printf("arg%d=%s\n", i, argv[i]);
  const char *v = getenv("TSWASI_TEST_VAR");
  printf("env=%s\n", v ? v : "(unset)");
  fflush(stdout);
  return argc > 1 ? atoi(argv[1]) : 0;
}
