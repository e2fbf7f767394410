/* Grows linear memory 1 MiB at a time until it cannot; prints how far it got. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
  int mib = 0;
  char *volatile p;
  while (mib < 4096 && (p = malloc(1 << 20)) != NULL) {
    memset(p, 1, 1 << 20); /* touch it, so the allocation is real */
    mib++;
  }
  printf("allocated %d MiB\n", mib);
  return 0;
}
