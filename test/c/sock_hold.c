/*
 * A guest that does not read its connection until told to.
 *
 * Accepts one connection on fd 3 (blocking: until then the guest is blocked
 * in accept), prints "accepted", then reads stdin to EOF (the test holds it
 * open while its client sends), then reads the connection to EOF and prints
 * "received N" with the byte count. While the guest reads stdin, what the
 * client sends can only pile up in the host: it must stop reading (the
 * client's writes stall) rather than buffer it all.
 */
#include "net.h"

int main(void) {
  net_init(1);
  int c = accept_flags(FIRST_LISTEN_FD, 0);
  NEED(c >= 0);
  SAY("accepted\n");
  char buf[65536];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    NEED(n >= 0);
    if (n == 0) break;
  }
  long long total = 0;
  for (;;) {
    ssize_t n = recv(c, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) DIE("recv");
    if (n == 0) break;
    total += n;
  }
  NEED(close(c) == 0);
  SAY("received %lld\n", total);
  return 0;
}
