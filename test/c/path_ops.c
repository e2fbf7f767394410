/* path_create_directory, path_filestat_get, path_filestat_set_times,
 * path_link, path_open, path_remove_directory, path_rename,
 * path_unlink_file. */
#include "check.h"

#define SEC 1000000000ull

static __wasi_filestat_t pstat(__wasi_fd_t dir, const char *p) {
  __wasi_filestat_t st;
  __wasi_errno_t e = __wasi_path_filestat_get(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, p, &st);
  CHECKF(e == 0, "path_filestat_get(%s) -> %s", p, errno_name(e));
  return st;
}

static int exists(__wasi_fd_t dir, const char *p) {
  __wasi_filestat_t st;
  __wasi_errno_t e = __wasi_path_filestat_get(dir, 0, p, &st);
  CHECKF(e == 0 || e == __WASI_ERRNO_NOENT, "path_filestat_get(%s) -> %s", p, errno_name(e));
  return e == 0;
}

static void expect_content(__wasi_fd_t dir, const char *p, const char *want) {
  char buf[128];
  OK(get_file(dir, p, buf, sizeof buf));
  CHECKF(strcmp(buf, want) == 0, "%s holds '%s', expected '%s'", p, buf, want);
}

int main(void) {
  __wasi_fd_t dir = sandbox_fd(), fd, fd2;
  __wasi_filestat_t st;

  /* ---- path_create_directory */
  OK(__wasi_path_create_directory(dir, "d1"));
  CHECK(pstat(dir, "d1").filetype == __WASI_FILETYPE_DIRECTORY);
  EXPECT(__wasi_path_create_directory(dir, "d1"), __WASI_ERRNO_EXIST);
  OK(__wasi_path_create_directory(dir, "d1/d2"));
  OK(__wasi_path_create_directory(dir, "d1/d2/d3/")); /* trailing slash allowed */
  CHECK(pstat(dir, "d1/d2/d3").filetype == __WASI_FILETYPE_DIRECTORY);
  EXPECT(__wasi_path_create_directory(dir, "nope/x"), __WASI_ERRNO_NOENT);
  put_file(dir, "file.txt", "content");
  EXPECT(__wasi_path_create_directory(dir, "file.txt"), __WASI_ERRNO_EXIST);
  EXPECT(__wasi_path_create_directory(dir, "file.txt/x"), __WASI_ERRNO_NOTDIR);
  EXPECT2(__wasi_path_create_directory(dir, ""), __WASI_ERRNO_NOENT, __WASI_ERRNO_INVAL);

  /* ---- path_filestat_get */
  st = pstat(dir, "file.txt");
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK(st.size == 7);
  CHECK(st.nlink == 1);
  st = pstat(dir, ".");
  CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY);
  st = pstat(dir, "d1/d2/../d2/./d3");
  CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY);
  EXPECT(__wasi_path_filestat_get(dir, 0, "missing", &st), __WASI_ERRNO_NOENT);
  EXPECT(__wasi_path_filestat_get(dir, 0, "file.txt/x", &st), __WASI_ERRNO_NOTDIR);
  EXPECT(__wasi_path_filestat_get(dir, 0, "file.txt/", &st), __WASI_ERRNO_NOTDIR);
  EXPECT2(__wasi_path_filestat_get(dir, 0, "", &st), __WASI_ERRNO_NOENT, __WASI_ERRNO_INVAL);
  EXPECT(__wasi_path_filestat_get(9999, 0, "file.txt", &st), __WASI_ERRNO_BADF);

  /* ---- path_filestat_set_times */
  const __wasi_timestamp_t A = 1400000000ull * SEC, M = 1300000000ull * SEC;
  OK(__wasi_path_filestat_set_times(dir, 0, "file.txt", A, M,
                                    __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  st = pstat(dir, "file.txt");
  CHECK(st.atim == A && st.mtim == M);
  OK(__wasi_path_filestat_set_times(dir, 0, "file.txt", 0, M + SEC, __WASI_FSTFLAGS_MTIM));
  st = pstat(dir, "file.txt");
  CHECK(st.atim == A && st.mtim == M + SEC);
  OK(__wasi_path_filestat_set_times(dir, 0, "file.txt", 0, 0, __WASI_FSTFLAGS_ATIM_NOW));
  st = pstat(dir, "file.txt");
  CHECK(st.atim > A + 100000000ull * SEC && st.mtim == M + SEC);
  OK(__wasi_path_filestat_set_times(dir, 0, "d1", A, M, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  CHECK(pstat(dir, "d1").mtim == M);
  EXPECT(__wasi_path_filestat_set_times(dir, 0, "file.txt", A, 0,
                                        __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
         __WASI_ERRNO_INVAL);
  EXPECT(__wasi_path_filestat_set_times(dir, 0, "missing", A, M, __WASI_FSTFLAGS_ATIM),
         __WASI_ERRNO_NOENT);

  /* ---- path_open */
  /* CREAT makes a new empty file */
  OK(open_file(dir, "new.txt", __WASI_OFLAGS_CREAT, 0, &fd));
  CHECK(pstat(dir, "new.txt").size == 0);
  OK(write_all(fd, "12345", 5));
  OK(__wasi_fd_close(fd));
  /* CREAT on an existing file keeps it */
  OK(open_file(dir, "new.txt", __WASI_OFLAGS_CREAT, 0, &fd));
  OK(__wasi_fd_close(fd));
  expect_content(dir, "new.txt", "12345");
  /* CREAT|EXCL on an existing file: EEXIST */
  EXPECT(open_file(dir, "new.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, &fd),
         __WASI_ERRNO_EXIST);
  EXPECT(open_file(dir, "d1", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, &fd),
         __WASI_ERRNO_EXIST);
  OK(open_file(dir, "excl.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, &fd));
  OK(__wasi_fd_close(fd));
  /* TRUNC empties it */
  OK(open_file(dir, "new.txt", __WASI_OFLAGS_TRUNC, 0, &fd));
  OK(__wasi_fd_filestat_get(fd, &st));
  CHECK(st.size == 0);
  OK(__wasi_fd_close(fd));
  CHECK(pstat(dir, "new.txt").size == 0);
  /* without CREAT a missing file is ENOENT, and nothing is created */
  EXPECT(open_file(dir, "missing.txt", 0, 0, &fd), __WASI_ERRNO_NOENT);
  CHECK(!exists(dir, "missing.txt"));
  EXPECT(open_file(dir, "nodir/x.txt", __WASI_OFLAGS_CREAT, 0, &fd), __WASI_ERRNO_NOENT);
  /* DIRECTORY on a file: ENOTDIR */
  EXPECT(__wasi_path_open(dir, 0, "file.txt", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR,
                          0, 0, &fd),
         __WASI_ERRNO_NOTDIR);
  /* a trailing slash on a file: ENOTDIR */
  EXPECT(open_file(dir, "file.txt/", 0, 0, &fd), __WASI_ERRNO_NOTDIR);
  /* a file as an intermediate component: ENOTDIR */
  EXPECT(open_file(dir, "file.txt/x", 0, 0, &fd), __WASI_ERRNO_NOTDIR);
  /* DIRECTORY on a directory works */
  OK(open_dir(dir, "d1", &fd));
  __wasi_fdstat_t fs;
  OK(__wasi_fd_fdstat_get(fd, &fs));
  CHECK(fs.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  /* paths are relative to the fd */
  OK(open_file(fd, "rel.txt", __WASI_OFLAGS_CREAT, 0, &fd2));
  OK(__wasi_fd_close(fd2));
  CHECK(exists(dir, "d1/rel.txt"));
  OK(__wasi_fd_close(fd));
  /* "." opens the directory itself */
  OK(open_dir(dir, ".", &fd));
  OK(__wasi_fd_close(fd));
  /* opening a directory for writing fails (EISDIR on Linux) */
  EXPECT2(__wasi_path_open(dir, 0, "d1", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd),
          __WASI_ERRNO_ISDIR, __WASI_ERRNO_NOTCAPABLE);
  EXPECT(open_file(dir, "d1", __WASI_OFLAGS_TRUNC, 0, &fd), __WASI_ERRNO_ISDIR);
  EXPECT2(open_file(dir, "", 0, 0, &fd), __WASI_ERRNO_NOENT, __WASI_ERRNO_INVAL);
  EXPECT(open_file(9999, "file.txt", 0, 0, &fd), __WASI_ERRNO_BADF);

  /* ---- path_link */
  OK(__wasi_path_link(dir, 0, "file.txt", dir, "d1/hard.txt"));
  __wasi_filestat_t a = pstat(dir, "file.txt"), b = pstat(dir, "d1/hard.txt");
  CHECK(a.ino == b.ino && a.dev == b.dev);
  CHECK(a.nlink == 2 && b.nlink == 2);
  expect_content(dir, "d1/hard.txt", "content");
  OK(open_file(dir, "d1/hard.txt", __WASI_OFLAGS_TRUNC, 0, &fd)); /* same data */
  OK(write_all(fd, "shared", 6));
  OK(__wasi_fd_close(fd));
  expect_content(dir, "file.txt", "shared");
  EXPECT(__wasi_path_link(dir, 0, "file.txt", dir, "new.txt"), __WASI_ERRNO_EXIST);
  EXPECT(__wasi_path_link(dir, 0, "missing", dir, "x"), __WASI_ERRNO_NOENT);
  EXPECT(__wasi_path_link(dir, 0, "file.txt", dir, "nodir/x"), __WASI_ERRNO_NOENT);
  EXPECT(__wasi_path_link(dir, 0, "d1", dir, "d1link"), __WASI_ERRNO_PERM); /* no dir hard links */
  /* the new path relative to another dir fd */
  OK(open_dir(dir, "d1/d2", &fd));
  OK(__wasi_path_link(dir, 0, "file.txt", fd, "hard2.txt"));
  CHECK(pstat(dir, "d1/d2/hard2.txt").ino == a.ino);
  CHECK(pstat(dir, "file.txt").nlink == 3);
  OK(__wasi_fd_close(fd));

  /* ---- path_unlink_file */
  OK(__wasi_path_unlink_file(dir, "d1/d2/hard2.txt"));
  CHECK(!exists(dir, "d1/d2/hard2.txt"));
  OK(__wasi_path_unlink_file(dir, "d1/hard.txt"));
  CHECK(pstat(dir, "file.txt").nlink == 1);
  expect_content(dir, "file.txt", "shared");
  EXPECT(__wasi_path_unlink_file(dir, "d1/hard.txt"), __WASI_ERRNO_NOENT);
  EXPECT(__wasi_path_unlink_file(dir, "d1"), __WASI_ERRNO_ISDIR);
  EXPECT(__wasi_path_unlink_file(dir, "file.txt/"), __WASI_ERRNO_NOTDIR);
  CHECK(exists(dir, "file.txt"));
  /* an open file can be unlinked; the fd keeps working */
  OK(open_file(dir, "excl.txt", 0, 0, &fd));
  OK(__wasi_path_unlink_file(dir, "excl.txt"));
  CHECK(!exists(dir, "excl.txt"));
  OK(write_all(fd, "still", 5));
  OK(__wasi_fd_close(fd));

  /* ---- path_remove_directory */
  EXPECT(__wasi_path_remove_directory(dir, "d1"), __WASI_ERRNO_NOTEMPTY);
  EXPECT(__wasi_path_remove_directory(dir, "file.txt"), __WASI_ERRNO_NOTDIR);
  EXPECT(__wasi_path_remove_directory(dir, "missing"), __WASI_ERRNO_NOENT);
  OK(__wasi_path_remove_directory(dir, "d1/d2/d3"));
  CHECK(!exists(dir, "d1/d2/d3"));
  OK(__wasi_path_remove_directory(dir, "d1/d2/"));
  CHECK(!exists(dir, "d1/d2"));
  CHECK(exists(dir, "d1"));

  /* ---- path_rename */
  put_file(dir, "r1.txt", "one");
  OK(__wasi_path_rename(dir, "r1.txt", dir, "r2.txt"));
  CHECK(!exists(dir, "r1.txt"));
  expect_content(dir, "r2.txt", "one");
  /* over an existing file: replaced */
  put_file(dir, "r3.txt", "three");
  OK(__wasi_path_rename(dir, "r2.txt", dir, "r3.txt"));
  expect_content(dir, "r3.txt", "one");
  CHECK(!exists(dir, "r2.txt"));
  /* into another directory, via another fd */
  OK(open_dir(dir, "d1", &fd));
  OK(__wasi_path_rename(dir, "r3.txt", fd, "moved.txt"));
  expect_content(dir, "d1/moved.txt", "one");
  OK(__wasi_path_rename(fd, "moved.txt", dir, "back.txt"));
  expect_content(dir, "back.txt", "one");
  OK(__wasi_fd_close(fd));
  /* directories */
  OK(__wasi_path_create_directory(dir, "e1"));
  put_file(dir, "e1/inner.txt", "inner");
  OK(__wasi_path_rename(dir, "e1", dir, "e2"));
  expect_content(dir, "e2/inner.txt", "inner");
  CHECK(!exists(dir, "e1"));
  OK(__wasi_path_create_directory(dir, "empty"));
  OK(__wasi_path_rename(dir, "e2", dir, "empty")); /* onto an empty dir: replaced */
  expect_content(dir, "empty/inner.txt", "inner");
  OK(__wasi_path_create_directory(dir, "e3"));
  EXPECT2(__wasi_path_rename(dir, "e3", dir, "empty"), __WASI_ERRNO_NOTEMPTY,
          __WASI_ERRNO_EXIST); /* Linux: ENOTEMPTY */
  EXPECT(__wasi_path_rename(dir, "back.txt", dir, "e3"), __WASI_ERRNO_ISDIR);
  EXPECT(__wasi_path_rename(dir, "e3", dir, "back.txt"), __WASI_ERRNO_NOTDIR);
  EXPECT(__wasi_path_rename(dir, "missing", dir, "x"), __WASI_ERRNO_NOENT);
  EXPECT(__wasi_path_rename(dir, "back.txt", dir, "nodir/x"), __WASI_ERRNO_NOENT);
  EXPECT(__wasi_path_rename(dir, "empty", dir, "empty/sub"), __WASI_ERRNO_INVAL); /* into itself */
  expect_content(dir, "back.txt", "one");
  /* rename to itself: no-op */
  OK(__wasi_path_rename(dir, "back.txt", dir, "back.txt"));
  expect_content(dir, "back.txt", "one");
  /* an open fd follows the renamed file */
  OK(open_file(dir, "back.txt", 0, 0, &fd));
  OK(__wasi_path_rename(dir, "back.txt", dir, "renamed.txt"));
  OK(__wasi_fd_filestat_get(fd, &st));
  CHECK(st.size == 3);
  OK(__wasi_fd_close(fd));
  /* a directory fd follows its renamed directory */
  OK(open_dir(dir, "e3", &fd));
  OK(__wasi_path_rename(dir, "e3", dir, "e4"));
  OK(open_file(fd, "via_fd.txt", __WASI_OFLAGS_CREAT, 0, &fd2));
  OK(__wasi_fd_close(fd2));
  CHECK(exists(dir, "e4/via_fd.txt"));
  OK(__wasi_fd_close(fd));
  DONE();
}
