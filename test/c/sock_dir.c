/*
 * A listener and a preopened directory in one guest:
 *
 *   sock_dir DIR
 *
 * reads DIR/in.txt with fopen (wasi-libc finds DIR among the preopens,
 * past the listener at fd 3), accepts one connection, sends the file's
 * contents, then writes what the client sends (to EOF) to DIR/out.txt.
 * Prints "ok".
 */
#include "net.h"

int main(int argc, char **argv) {
  NEED(argc == 2);
  net_init(1);
  char path[512], buf[4096];
  snprintf(path, sizeof path, "%s/in.txt", argv[1]);
  FILE *f = fopen(path, "r");
  if (!f) DIE("fopen(%s)", path);
  size_t n = fread(buf, 1, sizeof buf, f);
  NEED(!ferror(f) && fclose(f) == 0);

  int c = accept_flags(FIRST_LISTEN_FD, 0);
  NEED(c >= 0);
  send_all(c, buf, n);
  NEED(shutdown(c, SHUT_WR) == 0);
  size_t got = recv_to_eof(c, buf, sizeof buf);
  NEED(close(c) == 0);

  snprintf(path, sizeof path, "%s/out.txt", argv[1]);
  f = fopen(path, "w");
  if (!f) DIE("fopen(%s, w)", path);
  NEED(fwrite(buf, 1, got, f) == got && fclose(f) == 0);
  SAY("ok\n");
  return 0;
}
