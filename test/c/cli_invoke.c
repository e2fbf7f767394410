/* Exports a function for `tswasi run --invoke add A B`. */
__attribute__((export_name("add"))) int add(int a, int b) { return a + b; }
__attribute__((export_name("fail_exit"))) void fail_exit(void) { __builtin_trap(); }
int main(void) { return 0; }
