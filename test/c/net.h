/*
 * Shared by the socket programs (test/c/sock_*.c). Plain POSIX, so that one
 * source builds for wasm32-wasi (wasi-libc's accept/recv/send/shutdown/poll,
 * run by tswasi with listeners from --tcplisten or --listenfd) and natively
 * (run by test/helpers/listen.mjs with the same listeners at the same fds):
 * the native build is the reference the same client checks tswasi against.
 *
 * The host hands the program listening sockets at fds 3, 4, ... (wasmtime's
 * --tcplisten; systemd's LISTEN_FDS). A failed expectation prints
 * "FAIL file:line: what (errno N: text)" and exits 1.
 */
#ifndef TSWASI_NET_H
#define TSWASI_NET_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#ifndef __wasi__
#include <signal.h>
#endif

#define FIRST_LISTEN_FD 3

#define DIE(...)                                                              \
  do {                                                                        \
    int e_ = errno;                                                           \
    printf("FAIL %s:%d: ", __FILE__, __LINE__);                               \
    printf(__VA_ARGS__);                                                      \
    printf(" (errno %d: %s)\n", e_, strerror(e_));                            \
    fflush(stdout);                                                           \
    exit(1);                                                                  \
  } while (0)

#define NEED(e)                                                               \
  do {                                                                        \
    if (!(e)) DIE("%s", #e);                                                  \
  } while (0)

/* A status line the test waits for: out at once, whatever stdout is. */
#define SAY(...)                                                              \
  do {                                                                        \
    printf(__VA_ARGS__);                                                      \
    fflush(stdout);                                                           \
  } while (0)

/*
 * Start-up common to every program. A WASI guest gets EPIPE from a send on a
 * socket the peer closed, never a signal: so must the native build. The
 * listeners are made blocking here, the same start on both sides: a WASI
 * host may hand them over non-blocking (wasmtime and tswasi do, for Go's
 * sake), and the native launcher's come from Node, whose libuv makes them
 * non-blocking (a dup'd socket shares that flag). Every program then sets
 * the mode it wants itself.
 */
static inline void net_init(int listeners) {
#ifndef __wasi__
  signal(SIGPIPE, SIG_IGN);
#endif
  for (int i = 0; i < listeners; i++) {
    int fd = FIRST_LISTEN_FD + i;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) DIE("fcntl(%d, F_GETFL): no listener at fd %d", fd, fd);
    if ((fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) DIE("fcntl(%d, F_SETFL)", fd);
  }
}

static inline void set_nonblock(int fd, int on) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0) DIE("fcntl(%d, F_GETFL)", fd);
  fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
  if (fcntl(fd, F_SETFL, fl) != 0) DIE("fcntl(%d, F_SETFL, %#x)", fd, fl);
}

static inline int is_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0) DIE("fcntl(%d, F_GETFL)", fd);
  return (fl & O_NONBLOCK) != 0;
}

/* accept4 with an address buffer: wasi-libc's accept writes through it. */
static inline int accept_flags(int listener, int flags) {
  struct sockaddr_storage addr;
  socklen_t len = sizeof addr;
  return accept4(listener, (struct sockaddr *)&addr, &len, flags);
}

/* A peer that went away: what a server drops the connection for and goes on. */
static inline int peer_gone(int e) { return e == ECONNRESET || e == EPIPE; }

static inline int would_block(int e) { return e == EAGAIN || e == EWOULDBLOCK; }

/* Send all of buf on a blocking socket. */
static inline void send_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = send(fd, p, len, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) DIE("send(%d, %zu bytes)", fd, len);
    p += n;
    len -= (size_t)n;
  }
}

/* Receive until EOF on a blocking socket into buf (cap bytes, NUL-terminated);
 * returns the length. */
static inline size_t recv_to_eof(int fd, char *buf, size_t cap) {
  size_t total = 0;
  for (;;) {
    NEED(total < cap - 1);
    ssize_t n = recv(fd, buf + total, cap - 1 - total, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) DIE("recv(%d)", fd);
    if (n == 0) break;
    total += (size_t)n;
  }
  buf[total] = 0;
  return total;
}

/* A positive integer argument, or def when absent. */
static inline int int_arg(int argc, char **argv, int i, int def) {
  if (argc <= i) return def;
  char *end;
  long v = strtol(argv[i], &end, 10);
  if (*end || v < 0 || v > 1000000) DIE("bad argument %s", argv[i]);
  return (int)v;
}

#endif
