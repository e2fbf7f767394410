/* Traps (unreachable) two calls deep, so the trap line can name the frames. */
__attribute__((noinline)) static void deep_inner(int x) {
  if (x > 0) __builtin_trap();
}
__attribute__((noinline)) void deep_outer(int x) { deep_inner(x); }
int main(int argc, char **argv) {
  (void)argv;
  deep_outer(argc);
  return 0;
}
