/*
 * Non-blocking accept and recv, then back to blocking.
 *
 * The listener at fd 3 made non-blocking: accept fails with EAGAIN while no
 * connection is pending and poll with timeout 0 reports nothing. The
 * program then prints "waiting" and polls (no timeout) until the test
 * connects. accept4(SOCK_NONBLOCK) gives a non-blocking connection: recv
 * fails with EAGAIN until the client sends. The protocol with the client:
 *
 *   server: "accepted\n"   client: "ping\n"   server: "pong\n"
 *   (the connection made blocking again)      client: "bye\n" and EOF
 *
 * then "ok".
 */
#include "net.h"

int main(void) {
  net_init(1);
  int l = FIRST_LISTEN_FD;
  set_nonblock(l, 1);
  NEED(is_nonblock(l));
  errno = 0;
  NEED(accept_flags(l, 0) == -1 && would_block(errno));
  struct pollfd p = {l, POLLIN, 0};
  NEED(poll(&p, 1, 0) == 0 && p.revents == 0);
  SAY("waiting\n");

  NEED(poll(&p, 1, -1) == 1 && (p.revents & POLLIN));
  int c = accept_flags(l, SOCK_NONBLOCK);
  NEED(c >= 0);
  NEED(is_nonblock(c));
  /* Only one connection came. */
  errno = 0;
  NEED(accept_flags(l, 0) == -1 && would_block(errno));

  char buf[64];
  errno = 0;
  NEED(recv(c, buf, sizeof buf, 0) == -1 && would_block(errno));
  send_all(c, "accepted\n", 9);

  struct pollfd q = {c, POLLIN, 0};
  NEED(poll(&q, 1, -1) == 1 && (q.revents & POLLIN));
  /* "ping\n" may come in pieces: read until the newline. */
  size_t got = 0;
  while (got == 0 || buf[got - 1] != '\n') {
    ssize_t n = recv(c, buf + got, sizeof buf - 1 - got, 0);
    if (n < 0 && would_block(errno)) {
      NEED(poll(&q, 1, -1) == 1);
      continue;
    }
    NEED(n > 0);
    got += (size_t)n;
    NEED(got < sizeof buf - 1);
  }
  buf[got] = 0;
  if (strcmp(buf, "ping\n") != 0) DIE("got \"%s\", expected \"ping\\n\"", buf);
  send_all(c, "pong\n", 5);

  set_nonblock(c, 0);
  NEED(!is_nonblock(c));
  char rest[64];
  recv_to_eof(c, rest, sizeof rest);
  if (strcmp(rest, "bye\n") != 0) DIE("got \"%s\", expected \"bye\\n\"", rest);
  NEED(close(c) == 0);
  SAY("ok\n");
  return 0;
}
