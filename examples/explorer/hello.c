// The explorer's first example: arguments, environment and stdout.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  const char *name = getenv("NAME");
  printf("Hello, %s!\n", name ? name : "WASI");
  for (int i = 0; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);
  return 0;
}
