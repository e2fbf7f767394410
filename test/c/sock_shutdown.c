/*
 * shutdown(2) on an accepted connection, one direction or both.
 *
 *   sock_shutdown wr     send "hello\n", SHUT_WR: the client reads "hello\n"
 *                        then EOF; a send now fails with EPIPE; the program
 *                        can still read: the client's "after\n" and its EOF
 *   sock_shutdown rd     SHUT_RD: recv returns 0 (EOF) at once; the program
 *                        can still send: the client reads "still-writing\n"
 *                        and EOF
 *   sock_shutdown rdwr   SHUT_RDWR: the client reads EOF; recv returns 0 and
 *                        send fails with EPIPE
 *
 * A bad `how` is EINVAL. Prints "ok".
 */
#include "net.h"

int main(int argc, char **argv) {
  NEED(argc == 2);
  const char *mode = argv[1];
  if (strcmp(mode, "wr") != 0 && strcmp(mode, "rd") != 0 && strcmp(mode, "rdwr") != 0) DIE("unknown mode %s", mode);
  net_init(1);
  int c = accept_flags(FIRST_LISTEN_FD, 0);
  NEED(c >= 0);
  errno = 0;
  NEED(shutdown(c, 12345) == -1 && errno == EINVAL);
  char buf[256];
  if (strcmp(mode, "wr") == 0) {
    send_all(c, "hello\n", 6);
    NEED(shutdown(c, SHUT_WR) == 0);
    errno = 0;
    NEED(send(c, "x", 1, 0) == -1 && errno == EPIPE);
    recv_to_eof(c, buf, sizeof buf);
    if (strcmp(buf, "after\n") != 0) DIE("got \"%s\", expected \"after\\n\"", buf);
  } else if (strcmp(mode, "rd") == 0) {
    NEED(shutdown(c, SHUT_RD) == 0);
    NEED(recv(c, buf, sizeof buf, 0) == 0);
    send_all(c, "still-writing\n", 14);
  } else if (strcmp(mode, "rdwr") == 0) {
    NEED(shutdown(c, SHUT_RDWR) == 0);
    NEED(recv(c, buf, sizeof buf, 0) == 0);
    errno = 0;
    NEED(send(c, "x", 1, 0) == -1 && errno == EPIPE);
  }
  NEED(close(c) == 0);
  SAY("ok\n");
  return 0;
}
