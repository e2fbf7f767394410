/*
 * A poll-based echo server: every byte a client sends comes back to it, over
 * any number of connections at once, on every listener.
 *
 *   sock_echo [LISTENERS [MAX_CONNS]]
 *
 * LISTENERS (default 1): listening sockets at fds 3.. MAX_CONNS (default 0:
 * no limit): stop accepting after that many connections, and once they are
 * all closed print "served N, dropped M" (M: connections the peer reset) and
 * exit 0. A client's EOF is echoed too: once its data is all back, the server
 * closes the connection. A connection whose client stops reading is not read
 * from until what it sent has gone back (the echo's own backpressure).
 * Connections are read and written with read(2)/write(2) (fd_read/fd_write
 * on a socket; sock_http uses recv/send).
 */
#include "net.h"

#define MAX_CONNS 1024
#define MAX_LISTENERS 8
#define BUF_SIZE 65536

struct conn {
  int fd;
  int eof;           /* the client sent EOF */
  size_t len, off;   /* buf[off..len) is still to be sent back */
  char buf[BUF_SIZE];
};

static struct conn *conns[MAX_CONNS];
static int nconns;
static int dropped;

static void drop(int i) {
  close(conns[i]->fd);
  free(conns[i]);
  conns[i] = conns[--nconns];
}

/* Send what is pending without blocking; returns 0 when the peer is gone. */
static int flush(struct conn *c) {
  while (c->off < c->len) {
    ssize_t n = write(c->fd, c->buf + c->off, c->len - c->off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && would_block(errno)) return 1;
    if (n < 0 && peer_gone(errno)) return 0;
    if (n <= 0) DIE("write(%d)", c->fd);
    c->off += (size_t)n;
  }
  c->off = c->len = 0;
  return 1;
}

/* Read what is there and send it back; returns 0 when the peer is gone. */
static int pump(struct conn *c) {
  ssize_t n = read(c->fd, c->buf, BUF_SIZE);
  if (n < 0 && (errno == EINTR || would_block(errno))) return 1;
  if (n < 0 && peer_gone(errno)) return 0;
  if (n < 0) DIE("read(%d)", c->fd);
  if (n == 0) {
    c->eof = 1;
    return 1;
  }
  c->off = 0;
  c->len = (size_t)n;
  return flush(c);
}

int main(int argc, char **argv) {
  int listeners = int_arg(argc, argv, 1, 1);
  int max_conns = int_arg(argc, argv, 2, 0);
  NEED(listeners >= 1 && listeners <= MAX_LISTENERS);
  net_init(listeners);
  for (int l = 0; l < listeners; l++) set_nonblock(FIRST_LISTEN_FD + l, 1);

  static struct pollfd pfd[MAX_CONNS + MAX_LISTENERS];
  int accepted = 0;
  for (;;) {
    int accepting = (max_conns == 0 || accepted < max_conns) && nconns < MAX_CONNS;
    if (!accepting && nconns == 0 && max_conns > 0) break;
    int n = 0;
    if (accepting)
      for (int l = 0; l < listeners; l++) pfd[n++] = (struct pollfd){FIRST_LISTEN_FD + l, POLLIN, 0};
    int first_conn = n;
    for (int i = 0; i < nconns; i++)
      pfd[n++] = (struct pollfd){conns[i]->fd, conns[i]->len > conns[i]->off ? POLLOUT : POLLIN, 0};
    if (poll(pfd, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      DIE("poll(%d fds)", n);
    }
    /* Connections first, from the last: drop() moves the last one into the hole. */
    for (int i = nconns - 1; i >= 0; i--) {
      short re = pfd[first_conn + i].revents;
      if (!re) continue;
      struct conn *c = conns[i];
      int alive = c->len > c->off ? flush(c) : pump(c);
      if (!alive) {
        dropped++;
        drop(i);
      } else if (c->eof && c->off == c->len) {
        drop(i);
      }
    }
    for (int l = 0; l < first_conn; l++) {
      if (!pfd[l].revents) continue;
      while (nconns < MAX_CONNS && (max_conns == 0 || accepted < max_conns)) {
        int fd = accept_flags(pfd[l].fd, 0);
        if (fd < 0 && (errno == EINTR || would_block(errno))) break;
        if (fd < 0 && errno == ECONNABORTED) continue;
        if (fd < 0) DIE("accept(%d)", pfd[l].fd);
        /* accept() without SOCK_NONBLOCK gives a blocking socket: set it here (fcntl on a socket). */
        NEED(!is_nonblock(fd));
        set_nonblock(fd, 1);
        struct conn *c = malloc(sizeof *c);
        NEED(c != NULL);
        c->fd = fd;
        c->eof = 0;
        c->len = c->off = 0;
        conns[nconns++] = c;
        accepted++;
      }
    }
  }
  SAY("served %d, dropped %d\n", accepted, dropped);
  return 0;
}
