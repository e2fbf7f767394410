/* What the trace test pins: open, write, read, seek, rename, delete a file. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  int fd = open("notes.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  if (fd < 0) return 1;
  if (write(fd, "hello trace\n", 12) != 12) return 2;
  if (lseek(fd, 6, SEEK_SET) != 6) return 3;
  char buf[16];
  if (read(fd, buf, sizeof buf) != 6) return 4;
  close(fd);
  if (rename("notes.txt", "renamed.txt") != 0) return 5;
  if (unlink("renamed.txt") != 0) return 6;
  return 0;
}
