// startup: the smallest meaningful WASI program. Measures module
// instantiation + _start + one fd_write through stdio + proc_exit.
#include <stdio.h>

int main(void) {
    printf("hello from tswasi bench\n");
    return 0;
}
