/* A tiny HTTP/1.0 server on the listener the host preopened at fd 3
 * (tswasi run --tcplisten, or a container's io.tswasi.tcplisten): for each
 * of argv[1] connections (default 1; 0 = forever) accept, read the request
 * head, answer with its first line and the guest's argv[2] (a greeting),
 * shut down the writing side and close. No poll: one connection at a time.
 * Exits 0 after the last one; a failing call ends it with the errno.
 * Preopened listeners start non-blocking (as wasmtime's): the server makes
 * its listener blocking, to wait in accept. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LISTENER 3

static int fail(const char *what) {
  fprintf(stderr, "http_serve: %s: %s\n", what, strerror(errno));
  return 1;
}

int main(int argc, char **argv) {
  long count = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
  const char *greeting = argc > 2 ? argv[2] : "hello from wasm";
  if (fcntl(LISTENER, F_SETFL, 0) != 0) return fail("fcntl");
  for (long served = 0; count == 0 || served < count; served++) {
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    int c = accept(LISTENER, (struct sockaddr *)&peer, &len);
    if (c < 0) return fail("accept");
    char req[4096];
    size_t got = 0;
    /* Until the blank line that ends the head (or the buffer is full, or the peer stops). */
    while (got < sizeof req - 1) {
      ssize_t n = recv(c, req + got, sizeof req - 1 - got, 0);
      if (n < 0) return fail("recv");
      if (n == 0) break;
      got += (size_t)n;
      req[got] = 0;
      if (strstr(req, "\r\n\r\n")) break;
    }
    req[got] = 0;
    char *eol = strstr(req, "\r\n");
    if (eol) *eol = 0;
    char body[4400];
    int blen = snprintf(body, sizeof body, "%s: %s\n", greeting, req);
    char head[256];
    int hlen = snprintf(head, sizeof head,
                        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", blen);
    if (send(c, head, (size_t)hlen, 0) != hlen) return fail("send");
    if (send(c, body, (size_t)blen, 0) != blen) return fail("send");
    if (shutdown(c, SHUT_WR) != 0) return fail("shutdown");
    if (close(c) != 0) return fail("close");
    printf("served %ld: %s\n", served + 1, req);
    fflush(stdout);
  }
  return 0;
}
