/*
 * Socket probes (issue 19): a guest uses only the sockets it was given.
 * `sock_probe PROBE` runs one probe with the listener at fd 3 and a preopen
 * at fd 4 (its directory holds inside.txt: "inside data"); the test's
 * clients connect to the listener, client k sending "PEER<k>:" and a
 * payload, and check what each gets back. `sock_probe list` prints the probes.
 *
 * Output: "<label> e=<ERRNO>" for every attempt (the test pins each errno),
 * and "SAW <label> n=<n>: <bytes>" for the bytes a receive returned (the
 * test checks every byte came from a peer). Ends with "DONE".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define LISTENER 3
#define DIR 4
#define RIGHTS_ALL ((__wasi_rights_t)0x1FFFFFFFull)

static const char *ERRNO[] = {
  "SUCCESS", "TOOBIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT", "AGAIN", "ALREADY",
  "BADF", "BADMSG", "BUSY", "CANCELED", "CHILD", "CONNABORTED", "CONNREFUSED", "CONNRESET",
  "DEADLK", "DESTADDRREQ", "DOM", "DQUOT", "EXIST", "FAULT", "FBIG", "HOSTUNREACH", "IDRM",
  "ILSEQ", "INPROGRESS", "INTR", "INVAL", "IO", "ISCONN", "ISDIR", "LOOP", "MFILE", "MLINK",
  "MSGSIZE", "MULTIHOP", "NAMETOOLONG", "NETDOWN", "NETRESET", "NETUNREACH", "NFILE", "NOBUFS",
  "NODEV", "NOENT", "NOEXEC", "NOLCK", "NOLINK", "NOMEM", "NOMSG", "NOPROTOOPT", "NOSPC",
  "NOSYS", "NOTCONN", "NOTDIR", "NOTEMPTY", "NOTRECOVERABLE", "NOTSOCK", "NOTSUP", "NOTTY",
  "NXIO", "OVERFLOW", "OWNERDEAD", "PERM", "PIPE", "PROTO", "PROTONOSUPPORT", "PROTOTYPE",
  "RANGE", "ROFS", "SPIPE", "SRCH", "STALE", "TIMEDOUT", "TXTBSY", "XDEV", "NOTCAPABLE",
};

static int R(const char *label, int e) {
  if (e >= 0 && e < (int)(sizeof ERRNO / sizeof ERRNO[0])) printf("%s e=%s\n", label, ERRNO[e]);
  else printf("%s e=%d\n", label, e);
  return e;
}

static void saw(const char *label, const uint8_t *p, size_t n) {
  printf("SAW %s n=%u: ", label, (unsigned)n);
  for (size_t i = 0; i < n && i < 400; i++) {
    if (p[i] >= 32 && p[i] < 127 && p[i] != '\\') putchar(p[i]);
    else printf("\\x%02x", p[i]);
  }
  putchar('\n');
}

/* Raw imports, for arguments libc would never pass (huge lengths, bad pointers). */
__attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("sock_recv")))
extern int32_t raw_sock_recv(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
__attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("sock_send")))
extern int32_t raw_sock_send(int32_t, int32_t, int32_t, int32_t, int32_t);
__attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("sock_accept")))
extern int32_t raw_sock_accept(int32_t, int32_t, int32_t);

static int accept_fd(const char *label, int flags, __wasi_fd_t *out) {
  return R(label, __wasi_sock_accept(LISTENER, flags, out));
}

/* One receive into a zeroed buffer; shows what came. */
static int recv_some(const char *label, __wasi_fd_t fd, size_t len, int flags) {
  static uint8_t buf[4096];
  memset(buf, 0, sizeof buf);
  __wasi_iovec_t iov = {buf, len};
  __wasi_size_t n = 0;
  __wasi_roflags_t ro = 0;
  int e = R(label, __wasi_sock_recv(fd, &iov, 1, flags, &n, &ro));
  if (e == 0) saw(label, buf, n);
  return e;
}

static int send_str(const char *label, __wasi_fd_t fd, const char *s) {
  __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
  __wasi_size_t n = 0;
  int e = R(label, __wasi_sock_send(fd, &iov, 1, 0, &n));
  if (e == 0 && n != strlen(s)) printf("%s short send %u\n", label, (unsigned)n);
  return e;
}

static int open_file(__wasi_fd_t *fd) {
  return __wasi_path_open(DIR, 0, "inside.txt", 0, RIGHTS_ALL, RIGHTS_ALL, 0, fd);
}

/* Every socket call on an fd that is not a socket (or not open). */
static void not_a_socket(const char *what, __wasi_fd_t fd) {
  char label[64];
  __wasi_fd_t out = 12345;
  uint8_t buf[16];
  __wasi_iovec_t riov = {buf, sizeof buf};
  __wasi_ciovec_t siov = {(const uint8_t *)"x", 1};
  __wasi_size_t n = 0;
  __wasi_roflags_t ro = 0;
  snprintf(label, sizeof label, "%s accept", what);
  R(label, __wasi_sock_accept(fd, 0, &out));
  if (out != 12345) printf("%s accept wrote an fd\n", what);
  snprintf(label, sizeof label, "%s recv", what);
  R(label, __wasi_sock_recv(fd, &riov, 1, 0, &n, &ro));
  snprintf(label, sizeof label, "%s send", what);
  R(label, __wasi_sock_send(fd, &siov, 1, 0, &n));
  snprintf(label, sizeof label, "%s shutdown", what);
  R(label, __wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR));
}

/* ---------------------------------------------------------------- probes */

/* Files, directories, stdio, closed and never-open fds: no socket call works, nothing changes. */
static void p_not_sockets(void) {
  __wasi_fd_t f, d;
  if (open_file(&f)) { puts("no file"); return; }
  not_a_socket("file", f);
  not_a_socket("preopen", DIR);
  if (R("open dir", __wasi_path_open(DIR, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR, RIGHTS_ALL, 0, &d)) == 0)
    not_a_socket("dir", d);
  not_a_socket("stdin", 0);
  not_a_socket("stdout", 1);
  not_a_socket("stderr", 2);
  R("close file", __wasi_fd_close(f));
  not_a_socket("closed", f);
  not_a_socket("never", 9999);
  not_a_socket("minus1", (__wasi_fd_t)-1);
  /* The listener is still there: the first client's connection and its data. */
  __wasi_fd_t c;
  if (accept_fd("accept", 0, &c) == 0) {
    recv_some("recv", c, 64, 0);
    send_str("send", c, "G1:after-probes");
    R("close", __wasi_fd_close(c));
  }
}

/* Calls a listener does not answer, and calls a connection does not. */
static void p_wrong_kind(void) {
  uint8_t buf[16];
  __wasi_iovec_t riov = {buf, sizeof buf};
  __wasi_ciovec_t siov = {(const uint8_t *)"x", 1};
  __wasi_size_t n = 0;
  __wasi_roflags_t ro = 0;
  __wasi_fd_t c = 0, out = 0;
  R("listener recv", __wasi_sock_recv(LISTENER, &riov, 1, 0, &n, &ro));
  R("listener send", __wasi_sock_send(LISTENER, &siov, 1, 0, &n));
  R("listener fd_read", __wasi_fd_read(LISTENER, &riov, 1, &n));
  R("listener fd_write", __wasi_fd_write(LISTENER, &siov, 1, &n));
  R("listener shutdown", __wasi_sock_shutdown(LISTENER, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR));
  __wasi_filestat_t fst;
  if (R("listener filestat", __wasi_fd_filestat_get(LISTENER, &fst)) == 0)
    printf("listener filestat type=%d size=%llu ino=%llu\n", fst.filetype, (unsigned long long)fst.size, (unsigned long long)fst.ino);
  __wasi_prestat_t pre;
  R("listener prestat", __wasi_fd_prestat_get(LISTENER, &pre));
  __wasi_filesize_t off;
  R("listener seek", __wasi_fd_seek(LISTENER, 0, __WASI_WHENCE_SET, &off));
  R("listener open", __wasi_path_open(LISTENER, 0, "inside.txt", 0, RIGHTS_ALL, RIGHTS_ALL, 0, &out));
  R("listener readdir", __wasi_fd_readdir(LISTENER, buf, sizeof buf, 0, &n));
  __wasi_fdstat_t st;
  if (R("listener fdstat", __wasi_fd_fdstat_get(LISTENER, &st)) == 0)
    printf("listener filetype=%d accept-right=%d\n", st.fs_filetype, (st.fs_rights_base & __WASI_RIGHTS_SOCK_ACCEPT) != 0);
  if (accept_fd("accept", 0, &c) != 0) return;
  if (R("conn fdstat", __wasi_fd_fdstat_get(c, &st)) == 0)
    printf("conn filetype=%d flags=%d\n", st.fs_filetype, st.fs_flags);
  R("conn accept", __wasi_sock_accept(c, 0, &out));
  R("conn seek", __wasi_fd_seek(c, 0, __WASI_WHENCE_CUR, &off));
  R("conn pread", __wasi_fd_pread(c, &riov, 1, 0, &n));
  R("conn pwrite", __wasi_fd_pwrite(c, &siov, 1, 0, &n));
  R("conn prestat", __wasi_fd_prestat_get(c, &pre));
  R("conn open", __wasi_path_open(c, 0, "inside.txt", 0, RIGHTS_ALL, RIGHTS_ALL, 0, &out));
  /* fd_read and fd_write are recv and send on a connection. */
  memset(buf, 0, sizeof buf);
  if (R("conn fd_read", __wasi_fd_read(c, &riov, 1, &n)) == 0) saw("conn fd_read", buf, n);
  __wasi_ciovec_t g = {(const uint8_t *)"G1:fd_write", 11};
  R("conn fd_write", __wasi_fd_write(c, &g, 1, &n));
  R("close", __wasi_fd_close(c));
}

/* Flags no call defines: refused before anything happens (no connection is taken, no byte moves). */
static void p_garbage_flags(void) {
  __wasi_fd_t c = 0, out;
  static const int accept_flags[] = {__WASI_FDFLAGS_APPEND, __WASI_FDFLAGS_DSYNC, __WASI_FDFLAGS_RSYNC, __WASI_FDFLAGS_SYNC, 0x20, 0x8000, 0xffff};
  char label[64];
  for (size_t i = 0; i < sizeof accept_flags / sizeof accept_flags[0]; i++) {
    snprintf(label, sizeof label, "accept flags=0x%x", accept_flags[i]);
    out = 12345;
    R(label, raw_sock_accept(LISTENER, accept_flags[i], (int32_t)(uintptr_t)&out));
    if (out != 12345) printf("%s wrote an fd\n", label);
  }
  /* The connection refused flags did not take is still the first one. */
  if (accept_fd("accept", 0, &c) != 0) return;
  static const int ri_flags[] = {4, 8, 0x100, 0x8000, 0xffff};
  for (size_t i = 0; i < sizeof ri_flags / sizeof ri_flags[0]; i++) {
    snprintf(label, sizeof label, "recv ri_flags=0x%x", ri_flags[i]);
    recv_some(label, c, 64, ri_flags[i]);
  }
  static const int si_flags[] = {1, 0x8000, 0xffff};
  for (size_t i = 0; i < sizeof si_flags / sizeof si_flags[0]; i++) {
    __wasi_ciovec_t iov = {(const uint8_t *)"G1:si", 5};
    __wasi_size_t n = 0;
    snprintf(label, sizeof label, "send si_flags=0x%x", si_flags[i]);
    R(label, __wasi_sock_send(c, &iov, 1, si_flags[i], &n));
  }
  static const int how[] = {0, 4, 7, 0xff};
  for (size_t i = 0; i < sizeof how / sizeof how[0]; i++) {
    snprintf(label, sizeof label, "shutdown how=0x%x", how[i]);
    R(label, __wasi_sock_shutdown(c, how[i]));
  }
  /* Peeking leaves the bytes; the next receive gets them again, whole. */
  recv_some("recv peek", c, 64, __WASI_RIFLAGS_RECV_PEEK);
  recv_some("recv", c, 64, 0);
  send_str("send", c, "G1:still-open");
  R("close", __wasi_fd_close(c));
}

/* iovecs past the end of memory, huge, many, or overlapping. */
static void p_iovecs(void) {
  __wasi_fd_t c;
  if (accept_fd("accept", 0, &c) != 0) return;
  uint32_t end = (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
  static __wasi_iovec_t iov[4];
  static uint32_t n, ro;
  /* Past the end, straddling it, and 4 GiB long. */
  iov[0].buf = (uint8_t *)(uintptr_t)(end - 4); iov[0].buf_len = 8;
  R("recv straddling the end", raw_sock_recv(c, (int32_t)(uintptr_t)iov, 1, 0, (int32_t)(uintptr_t)&n, (int32_t)(uintptr_t)&ro));
  iov[0].buf = (uint8_t *)(uintptr_t)end; iov[0].buf_len = 1;
  R("recv past the end", raw_sock_recv(c, (int32_t)(uintptr_t)iov, 1, 0, (int32_t)(uintptr_t)&n, (int32_t)(uintptr_t)&ro));
  static uint8_t small[16];
  iov[0].buf = small; iov[0].buf_len = 0xffffffffu;
  R("recv 4 GiB iovec", raw_sock_recv(c, (int32_t)(uintptr_t)iov, 1, 0, (int32_t)(uintptr_t)&n, (int32_t)(uintptr_t)&ro));
  R("recv iovec array past the end", raw_sock_recv(c, (int32_t)(end - 4), 1, 0, (int32_t)(uintptr_t)&n, (int32_t)(uintptr_t)&ro));
  R("recv 2^28 iovecs", raw_sock_recv(c, (int32_t)(uintptr_t)iov, 1 << 28, 0, (int32_t)(uintptr_t)&n, (int32_t)(uintptr_t)&ro));
  R("recv results past the end", raw_sock_recv(c, (int32_t)(uintptr_t)iov, 0, 0, (int32_t)(end - 2), (int32_t)(uintptr_t)&ro));
  iov[0].buf = (uint8_t *)(uintptr_t)end; iov[0].buf_len = 1;
  R("send past the end", raw_sock_send(c, (int32_t)(uintptr_t)iov, 1, 0, (int32_t)(uintptr_t)&n));
  iov[0].buf = small; iov[0].buf_len = 0xffffffffu;
  R("send 4 GiB iovec", raw_sock_send(c, (int32_t)(uintptr_t)iov, 1, 0, (int32_t)(uintptr_t)&n));
  /* Zero iovecs: nothing moves. */
  n = 77;
  if (R("recv 0 iovecs", raw_sock_recv(c, (int32_t)(uintptr_t)iov, 0, 0, (int32_t)(uintptr_t)&n, (int32_t)(uintptr_t)&ro)) == 0) printf("recv 0 iovecs n=%u\n", n);
  /* Overlapping: two iovecs over the same 8 bytes; what lands there is the peer's. */
  static uint8_t buf[32];
  memset(buf, 0, sizeof buf);
  iov[0].buf = buf; iov[0].buf_len = 8;
  iov[1].buf = buf + 4; iov[1].buf_len = 8;
  /* The peer sent 13 bytes: the first 8 land at buf, the other 5 at buf+4 (over the first iovec's tail). */
  if (R("recv overlapping", raw_sock_recv(c, (int32_t)(uintptr_t)iov, 2, 0, (int32_t)(uintptr_t)&n, (int32_t)(uintptr_t)&ro)) == 0) {
    printf("recv overlapping n=%u\n", n);
    saw("recv overlapping", buf, 12);
  }
  /* Sending overlapping iovecs sends those bytes twice. */
  memcpy(buf, "G1:abcdef", 9);
  iov[0].buf = buf; iov[0].buf_len = 9;
  iov[1].buf = buf + 3; iov[1].buf_len = 6;
  if (R("send overlapping", raw_sock_send(c, (int32_t)(uintptr_t)iov, 2, 0, (int32_t)(uintptr_t)&n)) == 0) printf("send overlapping n=%u\n", n);
  R("close", __wasi_fd_close(c));
}

/* After shutdown, and after the peer is gone. */
static void p_shutdown(void) {
  __wasi_fd_t c;
  if (accept_fd("accept", 0, &c) != 0) return;
  recv_some("recv", c, 64, 0);
  R("shutdown WR", __wasi_sock_shutdown(c, __WASI_SDFLAGS_WR));
  __wasi_ciovec_t iov = {(const uint8_t *)"G1:late", 7};
  __wasi_size_t n = 0;
  R("send after WR", __wasi_sock_send(c, &iov, 1, 0, &n));
  R("fd_write after WR", __wasi_fd_write(c, &iov, 1, &n));
  R("shutdown WR again", __wasi_sock_shutdown(c, __WASI_SDFLAGS_WR));
  R("shutdown RD", __wasi_sock_shutdown(c, __WASI_SDFLAGS_RD));
  recv_some("recv after RD", c, 64, 0);
  R("shutdown RD|WR", __wasi_sock_shutdown(c, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR));
  R("close", __wasi_fd_close(c));
  /* The second client closes at once: its data, then the end. */
  __wasi_fd_t d;
  if (accept_fd("accept 2", 0, &d) != 0) return;
  recv_some("recv 2", d, 64, __WASI_RIFLAGS_RECV_WAITALL);
  recv_some("recv 2 at the end", d, 64, 0);
  R("close 2", __wasi_fd_close(d));
}

/* Renumbered and closed sockets: the number follows the socket, the old number is gone
 * (fd_renumber's target must be open, as in wasmtime: a file's fd serves). */
static void p_renumber(void) {
  __wasi_fd_t c, f, g;
  if (accept_fd("accept", 0, &c) != 0) return;
  if (open_file(&f)) return;
  R("renumber conn over a file", __wasi_fd_renumber(c, f));
  not_a_socket("old conn number", c);
  recv_some("recv on new number", f, 64, 0);
  send_str("send on new number", f, "G1:renumbered");
  /* A file renumbered over the connection closes the connection (the peer sees the end). */
  if (open_file(&g)) return;
  R("renumber file over conn", __wasi_fd_renumber(g, f));
  not_a_socket("file over conn", f);
  /* The listener renumbered onto a file's number: the file is closed, accept works there. */
  if (open_file(&g)) return;
  R("renumber listener over file", __wasi_fd_renumber(LISTENER, g));
  not_a_socket("old listener number", LISTENER);
  __wasi_fd_t d;
  if (R("accept on new number", __wasi_sock_accept(g, 0, &d)) == 0) {
    recv_some("recv 2", d, 64, 0);
    send_str("send 2", d, "G2:via-renumbered");
    R("close 2", __wasi_fd_close(d));
  }
  R("close listener", __wasi_fd_close(g));
  not_a_socket("closed listener", g);
}

/* poll_oneoff on sockets among files: readiness, nbytes, and hang-up. */
static void show_events(const char *label, const __wasi_event_t *ev, __wasi_size_t n) {
  for (__wasi_size_t i = 0; i < n; i++)
    printf("%s event ud=%llu type=%d error=%s nbytes>0=%d hangup=%d\n", label, (unsigned long long)ev[i].userdata, ev[i].type,
           ERRNO[ev[i].error], ev[i].fd_readwrite.nbytes > 0, (ev[i].fd_readwrite.flags & __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP) != 0);
}

static void p_poll(void) {
  __wasi_fd_t c, f;
  if (accept_fd("accept", 0, &c) != 0) return;
  if (open_file(&f)) return;
  __wasi_subscription_t s[5];
  __wasi_event_t ev[5];
  memset(s, 0, sizeof s);
  s[0].userdata = 1; s[0].u.tag = __WASI_EVENTTYPE_FD_READ; s[0].u.u.fd_read.file_descriptor = c;
  s[1].userdata = 2; s[1].u.tag = __WASI_EVENTTYPE_FD_WRITE; s[1].u.u.fd_write.file_descriptor = c;
  s[2].userdata = 3; s[2].u.tag = __WASI_EVENTTYPE_FD_READ; s[2].u.u.fd_read.file_descriptor = f;
  s[3].userdata = 4; s[3].u.tag = __WASI_EVENTTYPE_FD_READ; s[3].u.u.fd_read.file_descriptor = 9999;
  s[4].userdata = 5; s[4].u.tag = __WASI_EVENTTYPE_FD_READ; s[4].u.u.fd_read.file_descriptor = LISTENER;
  __wasi_size_t n = 0;
  /* Alone, the connection's FD_READ waits for the client's bytes. */
  if (R("poll read", __wasi_poll_oneoff(s, ev, 1, &n)) == 0) show_events("poll read", ev, n);
  /* Then all at once: no connection is pending, so the listener is the one not ready. */
  if (R("poll all", __wasi_poll_oneoff(s, ev, 5, &n)) == 0) show_events("poll all", ev, n);
  recv_some("recv", c, 64, 0);
  send_str("send", c, "G1:polled");
  /* The client closes on reading that: FD_READ then reports the hang-up, and recv the end. */
  if (R("poll hangup", __wasi_poll_oneoff(s, ev, 1, &n)) == 0) show_events("poll hangup", ev, n);
  recv_some("recv at the end", c, 64, 0);
  R("close", __wasi_fd_close(c));
}

struct probe { const char *name; void (*fn)(void); int clients; };
static const struct probe PROBES[] = {
  {"not_sockets", p_not_sockets, 1}, {"wrong_kind", p_wrong_kind, 1}, {"garbage_flags", p_garbage_flags, 1},
  {"iovecs", p_iovecs, 1}, {"shutdown", p_shutdown, 2}, {"renumber", p_renumber, 2}, {"poll", p_poll, 1},
};

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2) return 2;
  for (size_t i = 0; i < sizeof PROBES / sizeof PROBES[0]; i++) {
    if (strcmp(argv[1], "list") == 0) printf("%s %d\n", PROBES[i].name, PROBES[i].clients);
    else if (strcmp(argv[1], PROBES[i].name) == 0) {
      /* Preopened listeners start non-blocking; the probes wait in accept. */
      R("listener blocking", __wasi_fd_fdstat_set_flags(LISTENER, 0));
      PROBES[i].fn();
      puts("DONE");
      return 0;
    }
  }
  return strcmp(argv[1], "list") == 0 ? 0 : 2;
}
