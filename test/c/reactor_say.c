/* A reactor (no _start): the embedder calls say() after initialize(). */
#include <unistd.h>

__attribute__((export_name("say"))) int say(int n) {
  int written = 0;
  for (int i = 0; i < n; i++) written += (int)write(1, "hi\n", 3);
  return written;
}
