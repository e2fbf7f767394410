// A program that fails with an errno: reading a file that does not exist
// gives path_open = NOENT, then the program exits with status 1.
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "missing.txt";
  FILE *f = fopen(name, "r");
  if (!f) {
    fprintf(stderr, "cannot open %s: %s (errno %d)\n", name, strerror(errno), errno);
    return 1;
  }
  fclose(f);
  printf("%s exists after all\n", name);
  return 0;
}
