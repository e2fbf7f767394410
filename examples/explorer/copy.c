// Copy a file: copy FROM TO. Shows path_open, fd_read, fd_write and fd_close,
// and a new file appearing in the tree.
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: copy FROM TO\n");
    return 2;
  }
  FILE *in = fopen(argv[1], "rb");
  if (!in) { perror(argv[1]); return 1; }
  FILE *out = fopen(argv[2], "wb");
  if (!out) { perror(argv[2]); return 1; }
  char buf[256];
  size_t n, total = 0;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
    if (fwrite(buf, 1, n, out) != n) { perror(argv[2]); return 1; }
    total += n;
  }
  fclose(in);
  if (fclose(out) != 0) { perror(argv[2]); return 1; }
  printf("copied %zu bytes from %s to %s\n", total, argv[1], argv[2]);
  return 0;
}
