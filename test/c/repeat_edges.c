// Calls the recorder must not take for REPEATs of the last one although
// their arguments are the same (the fast comparison of src/record/same-call.ts
// has to see each difference), and some it may: replayed, every line printed
// here must come out the same, so a wrong REPEAT shows as a diverging replay
// or another output.
//   - write(1, buf, 2) from one buffer whose bytes change: the inputs differ;
//   - write(1, "=\n", 2) then write(2, "=\n", 2): only an argument differs;
//   - lseek(fd, 0, SEEK_CUR) after each write: the result differs;
//   - stat() of one path while the file grows: a path input, a filestat result;
//   - fd_seek storing through a pointer just past memory (EFAULT), then the
//     same after memory.grow (it succeeds); and EFAULT twice (a REPEAT);
//   - lseek(fd, 0, SEEK_SET) again and again: the same each time (REPEATs);
//   - fd_close(fd) twice: the same arguments, nothing stored, another errno.
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

int main(void) {
  char buf[2] = {'a', '\n'};
  for (int i = 0; i < 26; i++) {
    buf[0] = (char)('a' + i);
    if (write(1, buf, 2) != 2) return 1;
  }
  if (write(1, "=\n", 2) != 2 || write(2, "=\n", 2) != 2) return 6;
  int fd = open("/sandbox/edges.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  if (fd < 0) return 2;
  long long offsets = 0, sizes = 0;
  for (int i = 0; i < 20; i++) {
    if (write(fd, "0123456789", 10) != 10) return 3;
    offsets += lseek(fd, 0, SEEK_CUR);
    struct stat st;
    if (stat("/sandbox/edges.txt", &st) != 0) return 4;
    sizes += st.st_size;
  }
  printf("offsets %lld sizes %lld\n", offsets, sizes);

  uintptr_t end = __builtin_wasm_memory_size(0) * 65536;
  __wasi_filesize_t *past = (__wasi_filesize_t *)end;
  __wasi_errno_t e1 = __wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, past);
  __wasi_errno_t e2 = __wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, past);
  if (__builtin_wasm_memory_grow(0, 1) == (size_t)-1) return 5;
  __wasi_errno_t e3 = __wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, past);
  printf("past memory: %d %d, after grow: %d %llu\n", e1, e2, e3, (unsigned long long)*past);

  long long sets = 0;
  for (int i = 0; i < 50; i++) sets += lseek(fd, 0, SEEK_SET);
  printf("sets %lld\n", sets);
  __wasi_errno_t c1 = __wasi_fd_close(fd);
  __wasi_errno_t c2 = __wasi_fd_close(fd);
  printf("close: %d, again: %d\n", c1, c2);
  return 0;
}
