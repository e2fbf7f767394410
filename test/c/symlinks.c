/* path_symlink, path_readlink, and how the other path calls treat symlinks
 * that stay inside the sandbox. */
#include "check.h"

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static __wasi_filestat_t lst(__wasi_fd_t dir, const char *p, int follow) {
  __wasi_filestat_t st;
  __wasi_errno_t e = __wasi_path_filestat_get(dir, follow ? FOLLOW : 0, p, &st);
  CHECKF(e == 0, "path_filestat_get(%s, follow=%d) -> %s", p, follow, errno_name(e));
  return st;
}

static void expect_link(__wasi_fd_t dir, const char *p, const char *target) {
  char buf[256];
  __wasi_size_t n = 0;
  memset(buf, 0, sizeof buf);
  OK(__wasi_path_readlink(dir, p, (uint8_t *)buf, sizeof buf, &n));
  CHECKF(n == strlen(target) && memcmp(buf, target, n) == 0, "readlink(%s) = '%.*s'", p, (int)n,
         buf);
}

static void expect_content(__wasi_fd_t dir, const char *p, const char *want) {
  char buf[128];
  __wasi_errno_t e = get_file(dir, p, buf, sizeof buf);
  CHECKF(e == 0, "reading %s -> %s", p, errno_name(e));
  CHECKF(strcmp(buf, want) == 0, "%s holds '%s', expected '%s'", p, buf, want);
}

int main(void) {
  __wasi_fd_t dir = sandbox_fd(), fd;
  __wasi_filestat_t st;
  OK(__wasi_path_create_directory(dir, "d"));
  put_file(dir, "d/target.txt", "target");

  /* ---- path_symlink + path_readlink */
  OK(__wasi_path_symlink("d/target.txt", dir, "ln"));
  expect_link(dir, "ln", "d/target.txt");
  OK(__wasi_path_symlink("target.txt", dir, "d/ln2")); /* relative to the link's dir */
  expect_link(dir, "d/ln2", "target.txt");
  OK(__wasi_path_symlink("../d/target.txt", dir, "d/ln3")); /* '..' that stays inside */
  expect_link(dir, "d/ln3", "../d/target.txt");
  OK(__wasi_path_symlink("d", dir, "dl")); /* to a directory */
  OK(__wasi_path_symlink("nowhere", dir, "dangling"));
  EXPECT(__wasi_path_symlink("x", dir, "ln"), __WASI_ERRNO_EXIST);
  EXPECT(__wasi_path_symlink("x", dir, "d"), __WASI_ERRNO_EXIST);
  EXPECT(__wasi_path_symlink("x", dir, "nodir/l"), __WASI_ERRNO_NOENT);
  /* readlink into a small buffer truncates, like readlink(2) */
  {
    char small[4];
    __wasi_size_t n = 0;
    OK(__wasi_path_readlink(dir, "ln", (uint8_t *)small, sizeof small, &n));
    CHECKF(n == 4 && memcmp(small, "d/ta", 4) == 0, "n=%u", (unsigned)n);
  }
  /* readlink of a non-link: EINVAL; of nothing: ENOENT */
  {
    char buf[64];
    __wasi_size_t n;
    EXPECT(__wasi_path_readlink(dir, "d/target.txt", (uint8_t *)buf, sizeof buf, &n),
           __WASI_ERRNO_INVAL);
    EXPECT(__wasi_path_readlink(dir, "d", (uint8_t *)buf, sizeof buf, &n), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_path_readlink(dir, "missing", (uint8_t *)buf, sizeof buf, &n),
           __WASI_ERRNO_NOENT);
    /* a link in an intermediate component is followed */
    OK(__wasi_path_readlink(dir, "dl/ln2", (uint8_t *)buf, sizeof buf, &n));
    CHECK(n == 10 && memcmp(buf, "target.txt", 10) == 0);
  }

  /* ---- path_filestat_get with and without SYMLINK_FOLLOW */
  st = lst(dir, "ln", 0);
  CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  CHECK(st.size == strlen("d/target.txt"));
  st = lst(dir, "ln", 1);
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 6);
  CHECK(lst(dir, "d/ln2", 1).ino == lst(dir, "d/target.txt", 0).ino);
  CHECK(lst(dir, "d/ln3", 1).ino == lst(dir, "d/target.txt", 0).ino);
  CHECK(lst(dir, "dl", 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  CHECK(lst(dir, "dl", 1).filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK(lst(dir, "dangling", 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  EXPECT(__wasi_path_filestat_get(dir, FOLLOW, "dangling", &st), __WASI_ERRNO_NOENT);
  /* intermediate components are always followed */
  CHECK(lst(dir, "dl/target.txt", 0).filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK(lst(dir, "dl/ln2", 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  /* a trailing slash follows the link (it must be a directory) */
  CHECK(lst(dir, "dl/", 0).filetype == __WASI_FILETYPE_DIRECTORY);

  /* ---- path_open and symlinks */
  expect_content(dir, "ln", "target");
  expect_content(dir, "d/ln2", "target");
  expect_content(dir, "d/ln3", "target");
  expect_content(dir, "dl/target.txt", "target");
  /* without SYMLINK_FOLLOW, opening a symlink is ELOOP (O_NOFOLLOW) */
  EXPECT(__wasi_path_open(dir, 0, "ln", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd), __WASI_ERRNO_LOOP);
  EXPECT2(__wasi_path_open(dir, 0, "dl", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0, 0, &fd),
          __WASI_ERRNO_LOOP, __WASI_ERRNO_NOTDIR);
  OK(__wasi_path_open(dir, FOLLOW, "dl", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR |
                      __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_FILESTAT_GET, RIGHTS_FILE_RW, 0, &fd));
  CHECK(lst(fd, "target.txt", 0).filetype == __WASI_FILETYPE_REGULAR_FILE);
  OK(__wasi_fd_close(fd));
  /* CREAT through a dangling link (followed) creates the target */
  OK(__wasi_path_open(dir, FOLLOW, "dangling", __WASI_OFLAGS_CREAT,
                      __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_READ, 0, 0, &fd));
  OK(write_all(fd, "made", 4));
  OK(__wasi_fd_close(fd));
  expect_content(dir, "nowhere", "made");
  /* CREAT|EXCL on an existing link fails even if dangling */
  OK(__wasi_path_symlink("nowhere2", dir, "dangling2"));
  EXPECT(__wasi_path_open(dir, FOLLOW, "dangling2", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
                          __WASI_RIGHTS_FD_WRITE, 0, 0, &fd),
         __WASI_ERRNO_EXIST);
  CHECK(lst(dir, "dangling2", 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  /* writing through a link changes the target */
  OK(__wasi_path_open(dir, FOLLOW, "ln", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
  OK(write_all(fd, "TARGET", 6));
  OK(__wasi_fd_close(fd));
  expect_content(dir, "d/target.txt", "TARGET");
  CHECK(lst(dir, "ln", 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);

  /* ---- loops */
  OK(__wasi_path_symlink("loop2", dir, "loop1"));
  OK(__wasi_path_symlink("loop1", dir, "loop2"));
  OK(__wasi_path_symlink("self", dir, "self"));
  EXPECT(__wasi_path_open(dir, FOLLOW, "loop1", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd),
         __WASI_ERRNO_LOOP);
  EXPECT(__wasi_path_open(dir, FOLLOW, "self", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd),
         __WASI_ERRNO_LOOP);
  EXPECT(__wasi_path_filestat_get(dir, FOLLOW, "loop1", &st), __WASI_ERRNO_LOOP);
  EXPECT(__wasi_path_filestat_get(dir, 0, "loop1/x", &st), __WASI_ERRNO_LOOP);
  EXPECT(__wasi_path_create_directory(dir, "self/x"), __WASI_ERRNO_LOOP);
  CHECK(lst(dir, "loop1", 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);

  /* ---- other calls on links */
  /* set_times with FOLLOW changes the target, without it the link (or fails) */
  const __wasi_timestamp_t M = 1234567890ull * 1000000000ull;
  OK(__wasi_path_filestat_set_times(dir, FOLLOW, "ln", M, M,
                                    __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  CHECK(lst(dir, "d/target.txt", 0).mtim == M);
  CHECK(lst(dir, "ln", 0).mtim != M);
  /* unlink removes the link, not the target */
  OK(__wasi_path_unlink_file(dir, "d/ln2"));
  EXPECT(__wasi_path_filestat_get(dir, 0, "d/ln2", &st), __WASI_ERRNO_NOENT);
  expect_content(dir, "d/target.txt", "TARGET");
  /* unlink works on a symlink to a directory and on a dangling one */
  OK(__wasi_path_symlink("d", dir, "dl2"));
  OK(__wasi_path_unlink_file(dir, "dl2"));
  OK(__wasi_path_unlink_file(dir, "dangling2"));
  /* rmdir on a symlink to a directory: ENOTDIR */
  EXPECT(__wasi_path_remove_directory(dir, "dl"), __WASI_ERRNO_NOTDIR);
  CHECK(lst(dir, "d", 0).filetype == __WASI_FILETYPE_DIRECTORY);
  /* rename moves the link itself */
  OK(__wasi_path_rename(dir, "ln", dir, "d/moved_ln"));
  expect_link(dir, "d/moved_ln", "d/target.txt"); /* now dangling: relative to d/ */
  EXPECT(__wasi_path_filestat_get(dir, FOLLOW, "d/moved_ln", &st), __WASI_ERRNO_NOENT);
  /* path_link without FOLLOW links the symlink itself */
  OK(__wasi_path_link(dir, 0, "d/ln3", dir, "hl"));
  CHECK(lst(dir, "hl", 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  /* memfs cannot hard-link a symlink: the mem backend makes an equal symlink (README, memfs). */
  if (!getenv("TSWASI_TEST_BACKEND") || strcmp(getenv("TSWASI_TEST_BACKEND"), "mem") != 0)
    CHECK(lst(dir, "hl", 0).ino == lst(dir, "d/ln3", 0).ino);
  /* mkdir through a symlinked directory */
  OK(__wasi_path_create_directory(dir, "dl/newdir"));
  CHECK(lst(dir, "d/newdir", 0).filetype == __WASI_FILETYPE_DIRECTORY);
  /* creating a dir or symlink where a symlink is: EEXIST */
  EXPECT(__wasi_path_create_directory(dir, "dl"), __WASI_ERRNO_EXIST);
  /* libc agrees */
  char buf[64];
  ssize_t n = readlink("/sandbox/d/ln3", buf, sizeof buf);
  CHECK(n == 15 && memcmp(buf, "../d/target.txt", 15) == 0);
  DONE();
}
