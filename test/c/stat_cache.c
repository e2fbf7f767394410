/*
 * fd_readdir's lstat of each entry answers the guest's next stat of that
 * entry (wasi/fs/stat-cache.ts). Here the guest lists a directory -- so
 * every entry's stat is kept -- then changes an entry itself, then stats it
 * by path: it must see the change. Each case compares the path stat with a
 * stat through an fd opened afterwards (fd_filestat_get, never cached) or
 * after a call that marks every kept stat stale (sched_yield).
 *
 * argv[1] == "control": the positive control. The host changes a file
 * behind WASI's back (the import test.outside_append, an embedder's own
 * import) between the listing and the stat; prints "control: stale" when a
 * stat returned the kept size (the cache was in use), else "control: fresh".
 */
#include "check.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <time.h>

__attribute__((import_module("test"), import_name("outside_append")))
void outside_append(void); /* appends 3 bytes to /sandbox/d/p with node:fs */

#define D "/sandbox/d"

/* Read the whole listing: the host lstat's every entry (d_ino) and keeps the stats. */
static void list(const char *dir) {
  DIR *d = opendir(dir);
  CHECKF(d != NULL, "opendir %s: %s", dir, strerror(errno));
  int n = 0;
  while (readdir(d) != NULL) n++;
  CHECK(closedir(d) == 0);
  CHECK(n >= 2);
}

static void put(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECKF(fd >= 0, "open %s: %s", path, strerror(errno));
  CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  CHECK(close(fd) == 0);
}

/* A stat that no cache answers: through an fd opened now. */
static void fresh(const char *path, struct stat *st) {
  int fd = open(path, O_RDONLY);
  CHECKF(fd >= 0, "open %s: %s", path, strerror(errno));
  CHECK(fstat(fd, st) == 0);
  CHECK(close(fd) == 0);
}

static int same_time(struct timespec a, struct timespec b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* The path stat `got` of `what` must equal `want` in every field a change moves. */
static void same(const char *what, const struct stat *got, const struct stat *want) {
  CHECKF(got->st_ino == want->st_ino, "%s: ino %llu, want %llu", what, (unsigned long long)got->st_ino, (unsigned long long)want->st_ino);
  CHECKF(got->st_mode == want->st_mode, "%s: mode %o, want %o", what, (unsigned)got->st_mode, (unsigned)want->st_mode);
  CHECKF(got->st_size == want->st_size, "%s: size %lld, want %lld", what, (long long)got->st_size, (long long)want->st_size);
  CHECKF(got->st_nlink == want->st_nlink, "%s: nlink %llu, want %llu", what, (unsigned long long)got->st_nlink, (unsigned long long)want->st_nlink);
  CHECKF(same_time(got->st_atim, want->st_atim), "%s: atime %lld.%09ld, want %lld.%09ld", what,
         (long long)got->st_atim.tv_sec, got->st_atim.tv_nsec, (long long)want->st_atim.tv_sec, want->st_atim.tv_nsec);
  CHECKF(same_time(got->st_mtim, want->st_mtim), "%s: mtime %lld.%09ld, want %lld.%09ld", what,
         (long long)got->st_mtim.tv_sec, got->st_mtim.tv_nsec, (long long)want->st_mtim.tv_sec, want->st_mtim.tv_nsec);
  CHECKF(same_time(got->st_ctim, want->st_ctim), "%s: ctime %lld.%09ld, want %lld.%09ld", what,
         (long long)got->st_ctim.tv_sec, got->st_ctim.tv_nsec, (long long)want->st_ctim.tv_sec, want->st_ctim.tv_nsec);
}

/* lstat `path` (perhaps from the cache) and compare with a fresh stat through an fd. */
static void check_fresh(const char *path) {
  struct stat got, want;
  CHECKF(lstat(path, &got) == 0, "lstat %s: %s", path, strerror(errno));
  fresh(path, &want);
  same(path, &got, &want);
}

static void control(void) {
  for (int i = 0; i < 50; i++) {
    put(D "/p", "1");
    list(D);
    outside_append();
    struct stat st;
    CHECK(lstat(D "/p", &st) == 0);
    if (st.st_size == 1) {
      printf("control: stale\n");
      return;
    }
    CHECK(st.st_size == 4);
  }
  printf("control: fresh\n");
}

int main(int argc, char **argv) {
  CHECK(mkdir(D, 0755) == 0);
  if (argc > 1 && strcmp(argv[1], "control") == 0) {
    control();
    DONE();
  }
  put(D "/a", "1");
  put(D "/b", "bb");
  put(D "/e", "eeeeeee");
  put(D "/f", "f");
  put(D "/h", "h");
  put(D "/r", "r");
  CHECK(mkdir(D "/sub", 0755) == 0);
  put(D "/sub/x", "x");
  CHECK(symlink("a", D "/l") == 0);
  struct stat st;

  /* fd_write through an fd opened before the listing. */
  int fd = open(D "/a", O_RDWR);
  CHECK(fd >= 0);
  list(D);
  CHECK(write(fd, "2345", 4) == 4);
  CHECK(lstat(D "/a", &st) == 0);
  CHECKF(st.st_size == 4, "after fd_write: size %lld", (long long)st.st_size);
  check_fresh(D "/a");

  /* fd_pwrite past the end. */
  list(D);
  CHECK(pwrite(fd, "xyz", 3, 10) == 3);
  CHECK(lstat(D "/a", &st) == 0);
  CHECKF(st.st_size == 13, "after fd_pwrite: size %lld", (long long)st.st_size);

  /* fd_filestat_set_size. */
  list(D);
  CHECK(ftruncate(fd, 3) == 0);
  CHECK(lstat(D "/a", &st) == 0);
  CHECKF(st.st_size == 3, "after ftruncate: size %lld", (long long)st.st_size);

  /* fd_allocate. */
  list(D);
  CHECK(posix_fallocate(fd, 0, 100) == 0);
  CHECK(lstat(D "/a", &st) == 0);
  CHECKF(st.st_size == 100, "after posix_fallocate: size %lld", (long long)st.st_size);
  CHECK(close(fd) == 0);

  /* path_open with O_TRUNC. */
  list(D);
  fd = open(D "/a", O_WRONLY | O_TRUNC);
  CHECK(fd >= 0);
  CHECK(close(fd) == 0);
  CHECK(lstat(D "/a", &st) == 0);
  CHECKF(st.st_size == 0, "after O_TRUNC: size %lld", (long long)st.st_size);

  /* path_rename over another entry. */
  list(D);
  CHECK(rename(D "/e", D "/b") == 0);
  CHECK(lstat(D "/b", &st) == 0);
  CHECKF(st.st_size == 7, "after rename: size %lld", (long long)st.st_size);
  errno = 0;
  CHECKF(lstat(D "/e", &st) != 0 && errno == ENOENT, "renamed-away entry still there (errno %d)", errno);
  check_fresh(D "/b");

  /* path_unlink_file, then path_create_directory at the same name. */
  list(D);
  CHECK(unlink(D "/f") == 0);
  CHECK(mkdir(D "/f", 0755) == 0);
  CHECK(lstat(D "/f", &st) == 0);
  CHECKF(S_ISDIR(st.st_mode), "after unlink + mkdir: mode %o", (unsigned)st.st_mode);
  check_fresh(D "/f");

  /* path_filestat_set_times. */
  list(D);
  struct timespec times[2] = {{1000, 5}, {2000, 7}};
  CHECK(utimensat(AT_FDCWD, D "/h", times, 0) == 0);
  CHECK(lstat(D "/h", &st) == 0);
  CHECKF(st.st_mtim.tv_sec == 2000 && st.st_mtim.tv_nsec == 7, "after utimensat: mtime %lld.%09ld",
         (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  check_fresh(D "/h");

  /* fd_read sets the atime (unless the mount says noatime): an old atime makes relatime update it. */
  struct timespec old_atime[2] = {{1, 0}, {3000, 0}};
  CHECKF(utimensat(AT_FDCWD, D "/r", old_atime, 0) == 0, "utimensat: %s", strerror(errno));
  list(D);
  fd = open(D "/r", O_RDONLY);
  char c;
  CHECK(read(fd, &c, 1) == 1);
  CHECK(close(fd) == 0);
  check_fresh(D "/r");

  /* A listing of a directory sets its atime: its stat kept from its parent's listing is stale. */
  CHECK(utimensat(AT_FDCWD, D "/sub", old_atime, 0) == 0);
  list(D);
  list(D "/sub");
  check_fresh(D "/sub");

  /* Following a symlink reads it, which sets the link's atime. */
  CHECK(utimensat(AT_FDCWD, D "/l", old_atime, AT_SYMLINK_NOFOLLOW) == 0);
  list(D);
  CHECK(stat(D "/l", &st) == 0); /* follows: readlink */
  struct stat got, want;
  CHECK(lstat(D "/l", &got) == 0);
  sched_yield(); /* any call off the read-only list makes kept stats stale: the next lstat is fresh */
  CHECK(lstat(D "/l", &want) == 0);
  same(D "/l", &got, &want);

  DONE();
}
