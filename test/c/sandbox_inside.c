/* Symlinks that stay inside the sandbox are followed and work, whether
 * the host planted them or the guest made them.
 * Planted (see sandbox.test.mjs):
 *   data/file.txt ("inside"), data/sub/
 *   in_file -> data/file.txt     in_dir -> data      in_dir_slash -> data/
 *   data/sub/up -> ../file.txt   data/sub/top -> ../../data
 *   a/link -> ../data            chain_in1 -> chain_in2 -> in_dir */
#include "sandbox.h"

static void expect_content(__wasi_fd_t dir, const char *p, const char *want) {
  char buf[128];
  __wasi_errno_t e = get_file(dir, p, buf, sizeof buf);
  CHECKF(e == 0, "reading %s -> %s", p, errno_name(e));
  CHECKF(strcmp(buf, want) == 0, "%s holds '%s', expected '%s'", p, buf, want);
}

static int listed(__wasi_fd_t dir, const char *p, const char *name) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, FOLLOW, p, __WASI_OFLAGS_DIRECTORY,
                                      __WASI_RIGHTS_FD_READDIR, 0, 0, &fd);
  CHECKF(e == 0, "opendir %s -> %s", p, errno_name(e));
  static uint8_t buf[8192];
  __wasi_size_t used;
  OK(__wasi_fd_readdir(fd, buf, sizeof buf, 0, &used));
  OK(__wasi_fd_close(fd));
  size_t off = 0;
  while (off + sizeof(__wasi_dirent_t) <= used) {
    __wasi_dirent_t d;
    memcpy(&d, buf + off, sizeof d);
    if (d.d_namlen == strlen(name) && memcmp(buf + off + sizeof d, name, d.d_namlen) == 0)
      return 1;
    off += sizeof d + d.d_namlen;
  }
  return 0;
}

int main(void) {
  __wasi_fd_t dir = sandbox_fd(), fd;
  __wasi_filestat_t st;

  /* host-planted */
  expect_content(dir, "in_file", "inside");
  expect_content(dir, "in_dir/file.txt", "inside");
  expect_content(dir, "in_dir_slash/file.txt", "inside");
  expect_content(dir, "data/sub/up", "inside");
  expect_content(dir, "data/sub/top/file.txt", "inside");
  expect_content(dir, "a/link/file.txt", "inside");
  expect_content(dir, "chain_in1/file.txt", "inside");
  expect_content(dir, "a/link/sub/top/sub/up", "inside");
  OK(__wasi_path_filestat_get(dir, FOLLOW, "in_file", &st));
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 6);
  OK(__wasi_path_filestat_get(dir, FOLLOW, "in_dir", &st));
  CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY);
  OK(__wasi_path_filestat_get(dir, 0, "a/link", &st));
  CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  CHECK(listed(dir, "in_dir", "file.txt"));
  CHECK(listed(dir, "a/link", "sub"));
  CHECK(listed(dir, "data/sub/top", "file.txt"));

  /* changes through inside links land inside */
  OK(__wasi_path_create_directory(dir, "a/link/newdir"));
  OK(__wasi_path_filestat_get(dir, 0, "data/newdir", &st));
  CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY);
  put_file(dir, "a/link/new.txt", "new");
  expect_content(dir, "data/new.txt", "new");
  OK(__wasi_path_rename(dir, "a/link/new.txt", dir, "in_dir/new2.txt"));
  expect_content(dir, "data/new2.txt", "new");
  OK(__wasi_path_link(dir, 0, "in_dir/new2.txt", dir, "data/sub/top/hl.txt"));
  expect_content(dir, "data/hl.txt", "new");
  OK(__wasi_path_unlink_file(dir, "a/link/new2.txt"));
  OK(__wasi_path_unlink_file(dir, "in_dir/hl.txt"));
  EXPECT(__wasi_path_filestat_get(dir, 0, "data/new2.txt", &st), __WASI_ERRNO_NOENT);
  OK(__wasi_path_remove_directory(dir, "in_dir/newdir"));
  OK(__wasi_path_filestat_set_times(dir, FOLLOW, "in_file", 2000000000ull * 1000000000ull,
                                    2000000000ull * 1000000000ull,
                                    __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  OK(__wasi_path_filestat_get(dir, 0, "data/file.txt", &st));
  CHECK(st.mtim == 2000000000ull * 1000000000ull);
  /* a directory fd opened through a link works relative to the target */
  OK(__wasi_path_open(dir, FOLLOW, "a/link", __WASI_OFLAGS_DIRECTORY,
                      __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR, RIGHTS_FILE_RW, 0, &fd));
  expect_content(fd, "file.txt", "inside");
  expect_content(fd, "sub/up", "inside");
  OK(__wasi_fd_close(fd));

  /* guest-made inside links, including ones that use `..` */
  OK(__wasi_path_symlink("../file.txt", dir, "data/sub/g_up"));
  expect_content(dir, "data/sub/g_up", "inside");
  OK(__wasi_path_symlink("sub/../file.txt", dir, "data/g_dotdot"));
  expect_content(dir, "data/g_dotdot", "inside");
  OK(__wasi_path_symlink("data/file.txt", dir, "g3"));
  OK(__wasi_path_symlink("g3", dir, "g2"));
  OK(__wasi_path_symlink("g2", dir, "g1"));
  expect_content(dir, "g1", "inside");
  OK(__wasi_path_symlink("../../a/link", dir, "data/sub/g_back"));
  expect_content(dir, "data/sub/g_back/file.txt", "inside");
  OK(__wasi_path_symlink(".", dir, "data/g_self_dir"));
  expect_content(dir, "data/g_self_dir/g_self_dir/file.txt", "inside");
  /* from a subdir fd, a link whose target stays below that fd works */
  OK(open_dir(dir, "data", &fd));
  expect_content(fd, "sub/g_up", "inside");
  OK(__wasi_fd_close(fd));
  DONE();
}
