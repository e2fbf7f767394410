/*
 * Which listener is which fd:
 *
 *   sock_fds N
 *
 * accepts one connection on each of fds 3 .. 3+N-1 in that order (blocking),
 * sends it "fd F\n" with the listener's fd, and closes it. Prints "ok".
 */
#include "net.h"

int main(int argc, char **argv) {
  int n = int_arg(argc, argv, 1, 1);
  NEED(n >= 1 && n <= 16);
  net_init(n);
  for (int i = 0; i < n; i++) {
    int fd = FIRST_LISTEN_FD + i;
    int c = accept_flags(fd, 0);
    if (c < 0) DIE("accept(%d)", fd);
    char msg[16];
    int len = snprintf(msg, sizeof msg, "fd %d\n", fd);
    send_all(c, msg, (size_t)len);
    NEED(close(c) == 0);
  }
  SAY("ok\n");
  return 0;
}
