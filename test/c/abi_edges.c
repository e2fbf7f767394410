/* ABI edge cases: pointers outside linear memory give EFAULT (wasmtime)
 * and never crash the host; paths with an embedded NUL or invalid UTF-8
 * are refused (wasmtime: EINVAL / EILSEQ) and never truncated. */
#include "sandbox.h"

#define IMPORT(name) __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__(name)))
/* (fd_write tests use stderr: a host may write the data before it finds
 * the bad result pointer.)
 * Raw imports: pointers as plain integers so we can pass any address. */
int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t nwritten) IMPORT("fd_write");
int32_t raw_fd_read(int32_t fd, int32_t iovs, int32_t n, int32_t nread) IMPORT("fd_read");
int32_t raw_random_get(int32_t buf, int32_t len) IMPORT("random_get");
int32_t raw_clock_time_get(int32_t id, int64_t precision, int32_t out) IMPORT("clock_time_get");
int32_t raw_args_sizes_get(int32_t argc, int32_t size) IMPORT("args_sizes_get");
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags,
                      int64_t rights, int64_t inheriting, int32_t fdflags, int32_t out) IMPORT("path_open");
int32_t raw_path_filestat_get(int32_t fd, int32_t flags, int32_t path, int32_t path_len,
                              int32_t out) IMPORT("path_filestat_get");
int32_t raw_path_create_directory(int32_t fd, int32_t path, int32_t path_len)
    IMPORT("path_create_directory");

#define FAULT __WASI_ERRNO_FAULT

int main(void) {
  __wasi_fd_t dir = sandbox_fd();
  int32_t end = (int32_t)(__builtin_wasm_memory_size(0) * 65536u); /* first byte past memory */
  static __wasi_ciovec_t iov;
  static __wasi_size_t n;
  static __wasi_fd_t fd;
  static __wasi_filestat_t st;

  /* ---- out-of-bounds pointers */
  iov.buf = (const uint8_t *)(uintptr_t)(end - 4);
  iov.buf_len = 100; /* runs past the end */
  EXPECT(raw_fd_write(2, (int32_t)(uintptr_t)&iov, 1, (int32_t)(uintptr_t)&n), FAULT);
  EXPECT(raw_fd_write(2, end - 4, 1, (int32_t)(uintptr_t)&n), FAULT); /* the iovec array itself */
  iov.buf = (const uint8_t *)"x";
  iov.buf_len = 1;
  EXPECT(raw_fd_write(2, (int32_t)(uintptr_t)&iov, 1, end), FAULT); /* the result pointer */
  EXPECT(raw_fd_write(2, (int32_t)(uintptr_t)&iov, 0x7FFFFFFF, (int32_t)(uintptr_t)&n), FAULT);
  EXPECT(raw_random_get(end - 10, 11), FAULT);
  EXPECT(raw_random_get(-1, 16), FAULT); /* 0xFFFFFFFF */
  EXPECT(raw_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, end - 4), FAULT);
  EXPECT(raw_args_sizes_get(end, (int32_t)(uintptr_t)&n), FAULT);
  EXPECT(raw_path_open(dir, 0, end - 2, 10, 0, __WASI_RIGHTS_FD_READ, 0, 0, (int32_t)(uintptr_t)&fd),
         FAULT);
  EXPECT(raw_path_filestat_get(dir, 0, (int32_t)(uintptr_t)"data/file.txt", 13, end), FAULT);
  /* the guest still works after all that */
  OK(get_file(dir, "data/file.txt", (char *)&st, sizeof st));

  /* ---- an embedded NUL is not a terminator */
  static const char nul_path[] = "data/file.txt\0/../../../outside/secret.txt";
  __wasi_errno_t e = raw_path_open(dir, FOLLOW, (int32_t)(uintptr_t)nul_path, sizeof nul_path - 1, 0,
                                   __WASI_RIGHTS_FD_READ, 0, 0, (int32_t)(uintptr_t)&fd);
  CHECKF(e != 0, "path with NUL opened fd %u", (unsigned)fd);
  e = raw_path_filestat_get(dir, 0, (int32_t)(uintptr_t)nul_path, 14, (int32_t)(uintptr_t)&st);
  CHECKF(e != 0, "a path ending in NUL was accepted");
  e = raw_path_create_directory(dir, (int32_t)(uintptr_t)"newdir\0x", 8);
  CHECKF(e != 0, "mkdir with NUL succeeded");
  EXPECT(__wasi_path_filestat_get(dir, 0, "newdir", &st), __WASI_ERRNO_NOENT);
  /* the length is respected: a prefix of a longer string */
  OK(raw_path_filestat_get(dir, 0, (int32_t)(uintptr_t)"data/file.txtGARBAGE", 13,
                           (int32_t)(uintptr_t)&st));
  CHECK(st.size == 6);

  /* ---- invalid UTF-8 */
  e = raw_path_create_directory(dir, (int32_t)(uintptr_t)"bad\xff\xfe", 5);
  CHECKF(e == __WASI_ERRNO_ILSEQ || e == __WASI_ERRNO_INVAL, "mkdir with invalid UTF-8 -> %s (%u)",
         errno_name(e), (unsigned)e);
  DONE();
}
