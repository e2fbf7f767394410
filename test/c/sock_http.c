/*
 * A poll-based HTTP/1.1 keep-alive server with one small fixed response.
 *
 *   sock_http [LISTENERS [MAX_CONNS]]
 *
 * Every request (a head ending in \r\n\r\n, then Content-Length bytes of
 * body) is answered
 *
 *   HTTP/1.1 200 OK / Content-Type: text/plain / Content-Length: 6 /
 *   X-Path: <the request target>   and the body "hello\n"
 *
 * in the order the requests came on their connection: pipelined requests
 * and requests split over many reads both work. "Connection: close" (and an
 * HTTP/1.0 request without keep-alive) closes the connection after its
 * response; a request line that is not "METHOD TARGET HTTP/1.x" gets 400, a
 * head larger than the input buffer 431, both then closed. A connection the
 * peer resets is dropped and the others are served on.
 *
 * LISTENERS and MAX_CONNS as for sock_echo: with MAX_CONNS, the server ends
 * once that many connections came and went, printing
 * "served N connections, R requests, dropped M".
 */
#include "net.h"
#include <ctype.h>
#include <strings.h>

#define MAX_CONNS 2048
#define MAX_LISTENERS 8
#define IN_SIZE 8192
#define OUT_HIGH 65536 /* stop reading a connection with this much unsent */

struct conn {
  int fd;
  int eof;     /* the client sent EOF */
  int closing; /* close once out is sent */
  size_t inlen;
  char in[IN_SIZE];
  char *out;
  size_t outlen, outoff, outcap;
};

static struct conn *conns[MAX_CONNS];
static int nconns;
static long requests;
static int dropped;

static void drop(int i) {
  close(conns[i]->fd);
  free(conns[i]->out);
  free(conns[i]);
  conns[i] = conns[--nconns];
}

static void put(struct conn *c, const char *s, size_t n) {
  if (c->outlen + n > c->outcap) {
    size_t cap = c->outcap ? c->outcap : 1024;
    while (cap < c->outlen + n) cap *= 2;
    c->out = realloc(c->out, cap);
    NEED(c->out != NULL);
    c->outcap = cap;
  }
  memcpy(c->out + c->outlen, s, n);
  c->outlen += n;
}

static void respond(struct conn *c, const char *status, const char *target, size_t tlen) {
  char head[256];
  /* The target is the client's: only its first 100 printable bytes go back. */
  char path[101];
  size_t pn = 0;
  for (size_t i = 0; i < tlen && pn < 100; i++)
    if (isgraph((unsigned char)target[i])) path[pn++] = target[i];
  path[pn] = 0;
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n%sX-Path: %s\r\n\r\nhello\n",
                   status, c->closing ? "Connection: close\r\n" : "", path);
  NEED(n > 0 && (size_t)n < sizeof head);
  put(c, head, (size_t)n);
}

/* The value of header `name` in head[0..len) (lines after the first), or NULL. */
static const char *header(const char *head, size_t len, const char *name, size_t *vlen) {
  size_t nl = strlen(name);
  const char *p = memchr(head, '\n', len);
  const char *end = head + len;
  while (p && p + 1 < end) {
    const char *line = p + 1;
    const char *eol = memchr(line, '\n', (size_t)(end - line));
    if (!eol) break;
    if ((size_t)(eol - line) > nl && line[nl] == ':' && strncasecmp(line, name, nl) == 0) {
      const char *v = line + nl + 1;
      while (v < eol && (*v == ' ' || *v == '\t')) v++;
      const char *ve = eol;
      while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t')) ve--;
      *vlen = (size_t)(ve - v);
      return v;
    }
    p = eol;
  }
  return NULL;
}

static int has_token(const char *v, size_t vlen, const char *token) {
  size_t tl = strlen(token);
  for (size_t i = 0; i + tl <= vlen; i++)
    if (strncasecmp(v + i, token, tl) == 0) return 1;
  return 0;
}

/* Answer every complete request in c->in; returns when one is incomplete. */
static void serve(struct conn *c) {
  while (!c->closing && c->outlen - c->outoff < OUT_HIGH) {
    char *end = NULL;
    for (size_t i = 0; i + 4 <= c->inlen; i++)
      if (memcmp(c->in + i, "\r\n\r\n", 4) == 0) {
        end = c->in + i + 4;
        break;
      }
    if (!end) {
      if (c->inlen == IN_SIZE) {
        c->closing = 1;
        respond(c, "431 Request Header Fields Too Large", "", 0);
      }
      return;
    }
    size_t hlen = (size_t)(end - c->in);
    /* METHOD SP TARGET SP HTTP/1.x CRLF */
    const char *sp1 = memchr(c->in, ' ', hlen);
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', hlen - (size_t)(sp1 + 1 - c->in)) : NULL;
    if (!sp1 || sp1 == c->in || !sp2 || sp2 == sp1 + 1 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
        (sp2[8] != '0' && sp2[8] != '1') || sp2[9] != '\r') {
      c->closing = 1;
      respond(c, "400 Bad Request", "", 0);
      return;
    }
    size_t vlen = 0;
    const char *v = header(c->in, hlen, "Content-Length", &vlen);
    size_t body = 0;
    if (v) {
      char num[24];
      if (vlen == 0 || vlen >= sizeof num) vlen = sizeof num; /* rejected below */
      else memcpy(num, v, vlen);
      num[vlen < sizeof num ? vlen : 0] = 0;
      char *e;
      unsigned long cl = strtoul(num, &e, 10);
      if (vlen >= sizeof num || *e || !isdigit((unsigned char)num[0]) || cl > IN_SIZE - hlen) {
        c->closing = 1;
        respond(c, "400 Bad Request", "", 0);
        return;
      }
      body = cl;
    }
    if (c->inlen < hlen + body) return; /* the body is still coming */
    v = header(c->in, hlen, "Connection", &vlen);
    int http10 = sp2[8] == '0';
    if (v ? has_token(v, vlen, "close") || (http10 && !has_token(v, vlen, "keep-alive")) : http10) c->closing = 1;
    respond(c, "200 OK", sp1 + 1, (size_t)(sp2 - sp1 - 1));
    requests++;
    memmove(c->in, c->in + hlen + body, c->inlen - hlen - body);
    c->inlen -= hlen + body;
  }
}

/* Send what is pending without blocking; returns 0 when the peer is gone. */
static int flush(struct conn *c) {
  while (c->outoff < c->outlen) {
    ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && would_block(errno)) return 1;
    if (n < 0 && peer_gone(errno)) return 0;
    if (n <= 0) DIE("send(%d)", c->fd);
    c->outoff += (size_t)n;
  }
  c->outoff = c->outlen = 0;
  return 1;
}

/* One readiness event: read, answer, send; returns 0 when the peer is gone. */
static int step(struct conn *c, short revents) {
  if ((revents & (POLLIN | POLLHUP | POLLERR)) && !c->eof && c->inlen < IN_SIZE) {
    ssize_t n = recv(c->fd, c->in + c->inlen, IN_SIZE - c->inlen, 0);
    if (n < 0 && peer_gone(errno)) return 0;
    if (n < 0 && errno != EINTR && !would_block(errno)) DIE("recv(%d)", c->fd);
    if (n == 0) c->eof = 1;
    if (n > 0) c->inlen += (size_t)n;
  }
  /* Answer and send; when everything went out, answer what else the input holds
   * (serve() stops at OUT_HIGH unsent). */
  for (;;) {
    serve(c);
    if (c->outlen == 0) return 1;
    if (!flush(c)) return 0;
    if (c->outlen != 0 || c->closing) return 1;
  }
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
    for (int i = 0; i < nconns; i++) {
      struct conn *c = conns[i];
      short ev = 0;
      if (c->outoff < c->outlen) ev |= POLLOUT;
      if (!c->eof && !c->closing && c->inlen < IN_SIZE && c->outlen - c->outoff < OUT_HIGH) ev |= POLLIN;
      /* step() drops a connection before it could have nothing to wait for: */
      NEED(ev != 0);
      pfd[n++] = (struct pollfd){c->fd, ev, 0};
    }
    if (poll(pfd, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      DIE("poll(%d fds)", n);
    }
    for (int i = nconns - 1; i >= 0; i--) {
      short re = pfd[first_conn + i].revents;
      if (!re) continue;
      struct conn *c = conns[i];
      if (!step(c, re)) {
        dropped++;
        drop(i);
      } else if ((c->closing || c->eof) && c->outoff == c->outlen) {
        drop(i); /* answered all it asked, and it is done (or we are) */
      }
    }
    for (int l = 0; l < first_conn; l++) {
      if (!pfd[l].revents) continue;
      while (nconns < MAX_CONNS && (max_conns == 0 || accepted < max_conns)) {
        int fd = accept_flags(pfd[l].fd, SOCK_NONBLOCK);
        if (fd < 0 && (errno == EINTR || would_block(errno))) break;
        if (fd < 0 && errno == ECONNABORTED) continue;
        if (fd < 0) DIE("accept4(%d, SOCK_NONBLOCK)", pfd[l].fd);
        struct conn *c = calloc(1, sizeof *c);
        NEED(c != NULL);
        c->fd = fd;
        conns[nconns++] = c;
        accepted++;
      }
    }
  }
  SAY("served %d connections, %ld requests, dropped %d\n", accepted, requests, dropped);
  return 0;
}
