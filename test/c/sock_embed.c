/* A small service for the embedding tests: serves argv[1] connections on the
 * listener at fd 3 (poll first: preopened listeners are non-blocking, as in
 * wasmtime), one at a time: reads until the peer's FIN, answers the bytes
 * upper-cased, closes. With a preopened directory it also writes one line
 * to /data/served.txt (listeners and directories both work through
 * wasi-libc). Exits 0 after the last connection. */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[1 << 20];

int main(int argc, char **argv) {
  int want = argc > 1 ? atoi(argv[1]) : 1;
  for (int served = 0; served < want;) {
    struct pollfd p = {.fd = 3, .events = POLLIN};
    if (poll(&p, 1, -1) != 1) { perror("poll"); return 1; }
    int c = accept(3, NULL, NULL);
    if (c < 0) {
      if (errno == EAGAIN) continue;
      perror("accept");
      return 1;
    }
    size_t n = 0;
    for (;;) {
      ssize_t k = recv(c, buf + n, sizeof buf - n, 0);
      if (k < 0) { perror("recv"); return 1; }
      if (k == 0) break;
      n += (size_t)k;
    }
    for (size_t i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
    for (size_t off = 0; off < n;) {
      ssize_t k = send(c, buf + off, n - off, 0);
      if (k < 0) { perror("send"); return 1; }
      off += (size_t)k;
    }
    close(c);
    served++;
  }
  FILE *f = fopen("/data/served.txt", "w");
  if (f) {
    fprintf(f, "served %d\n", want);
    fclose(f);
  }
  return 0;
}
