/* Used by wasi-harness.test.mjs: must fail its first check. */
#include "check.h"

int main(void) {
  OK(__wasi_fd_close(12345));
  DONE();
}
