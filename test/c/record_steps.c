/*
 * A run for the explorer's recording stepper (test/browser/recording.test.mjs):
 * reads in.txt, copies it to out.txt, lists the directory, fails to open
 * missing.txt, makes a directory, moves an fd with fd_renumber, and writes
 * big.bin (70000 bytes: the recording spans several gzip members).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

int main(void) {
  char buf[256];
  int in = open("in.txt", O_RDONLY);
  if (in < 0) { perror("in.txt"); return 1; }
  ssize_t n = read(in, buf, sizeof buf);
  close(in);
  int out = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0 || write(out, buf, n) != n) { perror("out.txt"); return 1; }
  close(out);

  DIR *d = opendir(".");
  if (!d) { perror("."); return 1; }
  int entries = 0;
  while (readdir(d)) entries++;
  closedir(d);

  if (open("missing.txt", O_RDONLY) >= 0 || errno != ENOENT) { fprintf(stderr, "missing.txt opened\n"); return 1; }
  if (mkdir("made", 0755) != 0) { perror("made"); return 1; }

  int a = open("in.txt", O_RDONLY);
  int b = open("out.txt", O_RDONLY);
  if (a < 0 || b < 0 || __wasi_fd_renumber(a, b) != 0) { fprintf(stderr, "renumber failed\n"); return 1; }
  close(b);

  int big = open("big.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (big < 0) { perror("big.bin"); return 1; }
  char chunk[7000];
  for (int i = 0; i < 10; i++) {
    for (size_t j = 0; j < sizeof chunk; j++) chunk[j] = (char)('a' + (i * 7 + j) % 26);
    if (write(big, chunk, sizeof chunk) != sizeof chunk) { perror("big.bin"); return 1; }
  }
  close(big);
  printf("read %zd bytes, %d entries listed\n", n, entries);
  return 0;
}
