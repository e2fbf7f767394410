/* An echo server that waits in poll(): accepts one connection on the
 * listener at fd 3, then until the peer hangs up polls for input, receives
 * it and sends it back in capitals. What the trace tests decode: sock_accept,
 * poll_oneoff's FD_READ subscription and its events (nbytes, hang-up),
 * sock_recv, sock_send, and fd_fdstat_get of a socket. */
#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>

int main(void) {
  /* Preopened listeners start non-blocking: block in accept instead. */
  if (fcntl(3, F_SETFL, 0) != 0) { perror("fcntl"); return 1; }
  struct sockaddr_storage peer;
  socklen_t len = sizeof peer;
  int c = accept(3, (struct sockaddr *)&peer, &len);
  if (c < 0) { perror("accept"); return 1; }
  __wasi_fdstat_t st;
  if (__wasi_fd_fdstat_get(c, &st) != 0 || st.fs_filetype != __WASI_FILETYPE_SOCKET_STREAM) { fputs("not a socket\n", stderr); return 1; }
  for (;;) {
    struct pollfd p = {.fd = c, .events = POLLIN};
    if (poll(&p, 1, -1) != 1) { perror("poll"); return 1; }
    char buf[256];
    ssize_t n = recv(c, buf, sizeof buf, 0);
    if (n < 0) { perror("recv"); return 1; }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
    if (send(c, buf, (size_t)n, 0) != n) { perror("send"); return 1; }
  }
  close(c);
  puts("peer hung up");
  return 0;
}
