// Read standard input line by line and echo each line upper-cased, until the
// end of input: fd_read blocks until you type a line (or press End input).
#include <ctype.h>
#include <stdio.h>

int main(void) {
  char line[256];
  int n = 0;
  printf("type lines; End input finishes\n");
  fflush(stdout);
  while (fgets(line, sizeof line, stdin)) {
    for (char *p = line; *p; p++) *p = (char)toupper((unsigned char)*p);
    fputs(line, stdout);
    fflush(stdout);
    n++;
  }
  printf("%d lines\n", n);
  return 0;
}
