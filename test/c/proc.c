/* proc_exit, proc_raise, sched_yield. argv[1] selects the case:
 *   exit42   print "before", proc_exit(42), print "after" (never)
 *   exit0    proc_exit(0) after "ok"
 *   ret7     main returns 7
 *   raise    proc_raise fails (ENOSYS/NOTSUP-ish) but the program goes on
 *   yield    sched_yield succeeds */
#include "check.h"

/* proc_raise is gone from current wasi-libc headers; import it directly. */
__wasi_errno_t raw_proc_raise(uint8_t sig)
    __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("proc_raise")));

int main(int argc, char **argv) {
  CHECK(argc == 2);
  const char *mode = argv[1];
  if (strcmp(mode, "exit42") == 0) {
    printf("before\n");
    fflush(stdout);
    __wasi_proc_exit(42);
    printf("after\n");
    return 3;
  }
  if (strcmp(mode, "exit0") == 0) {
    printf("ok\n");
    fflush(stdout);
    __wasi_proc_exit(0);
    printf("after\n");
    return 3;
  }
  if (strcmp(mode, "exit255") == 0) {
    __wasi_proc_exit(255);
  }
  if (strcmp(mode, "ret7") == 0) {
    printf("returning\n");
    return 7;
  }
  if (strcmp(mode, "raise") == 0) {
    __wasi_errno_t e = raw_proc_raise(15 /* SIGNAL_TERM */);
    CHECKF(e != 0, "proc_raise(TERM) -> %s", errno_name(e));
    e = raw_proc_raise(10 /* SIGNAL_USR1 */);
    CHECKF(e != 0, "proc_raise(USR1) -> %s", errno_name(e));
    DONE();
  }
  if (strcmp(mode, "yield") == 0) {
    for (int i = 0; i < 100; i++) OK(__wasi_sched_yield());
    DONE();
  }
  CHECKF(0, "unknown mode %s", mode);
  return 1;
}
