/* fd_readdir: entries, types, and cookies. Reading with a small buffer and
 * resuming from the last complete entry's d_next sees every name exactly
 * once; cookies are stable (re-reading from one gives the same entries). */
#include "check.h"
#include <dirent.h>

#define NFILES 40
#define MAXN 128

static char names[MAXN][128];
static __wasi_filetype_t types[MAXN];
static __wasi_dircookie_t nexts[MAXN];
static __wasi_inode_t inos[MAXN];
static int count;

static const char *longname =
    "a_rather_long_file_name_that_does_not_fit_in_a_small_buffer_.txt";

/* Read the whole directory with a buffer of `bufsize` bytes into names[]. */
static void read_all(__wasi_fd_t fd, size_t bufsize, __wasi_dircookie_t start) {
  uint8_t *buf = malloc(bufsize);
  __wasi_dircookie_t cookie = start;
  count = 0;
  for (int rounds = 0;; rounds++) {
    CHECK(rounds < 10000);
    __wasi_size_t used = 0;
    OK(__wasi_fd_readdir(fd, buf, bufsize, cookie, &used));
    CHECKF(used <= bufsize, "bufused %u > %zu", (unsigned)used, bufsize);
    size_t off = 0;
    int complete = 0;
    while (off + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t d;
      memcpy(&d, buf + off, sizeof d);
      if (off + sizeof d + d.d_namlen > used) break; /* truncated name */
      CHECK(d.d_namlen > 0 && d.d_namlen < 128);
      CHECK(count < MAXN);
      memcpy(names[count], buf + off + sizeof d, d.d_namlen);
      names[count][d.d_namlen] = 0;
      types[count] = d.d_type;
      nexts[count] = d.d_next;
      inos[count] = d.d_ino;
      count++;
      complete++;
      cookie = d.d_next;
      off += sizeof d + d.d_namlen;
    }
    if (used < bufsize) break; /* end of directory */
    CHECKF(complete > 0, "buffer of %zu bytes holds no complete entry", bufsize);
  }
  free(buf);
}

static int find(const char *name) {
  int at = -1, seen = 0;
  for (int i = 0; i < count; i++)
    if (strcmp(names[i], name) == 0) {
      at = i;
      seen++;
    }
  CHECKF(seen <= 1, "'%s' listed %d times", name, seen);
  return at;
}

/* Every expected name exactly once, nothing else but "." and "..". */
static void check_listing(int nfiles) {
  char nm[32];
  for (int i = 0; i < nfiles; i++) {
    snprintf(nm, sizeof nm, "f%02d", i);
    int at = find(nm);
    CHECKF(at >= 0, "'%s' missing (%d entries)", nm, count);
    CHECK(types[at] == __WASI_FILETYPE_REGULAR_FILE);
  }
  int at = find(longname);
  CHECK(at >= 0 && types[at] == __WASI_FILETYPE_REGULAR_FILE);
  at = find("subdir");
  CHECK(at >= 0 && types[at] == __WASI_FILETYPE_DIRECTORY);
  at = find("link");
  CHECK(at >= 0 && types[at] == __WASI_FILETYPE_SYMBOLIC_LINK);
  int dot = find("."), dotdot = find("..");
  /* wasmtime lists "." and ".."; whoever lists one must list both */
  CHECKF((dot >= 0) == (dotdot >= 0), "'.' %d, '..' %d", dot, dotdot);
  if (dot >= 0) CHECK(types[dot] == __WASI_FILETYPE_DIRECTORY && types[dotdot] == __WASI_FILETYPE_DIRECTORY);
  int want = nfiles + 3 + (dot >= 0 ? 2 : 0);
  CHECKF(count == want, "%d entries, expected %d", count, want);
}

int main(void) {
  __wasi_fd_t root = sandbox_fd(), d, fd;
  OK(__wasi_path_create_directory(root, "d"));
  char nm[32];
  for (int i = 0; i < NFILES; i++) {
    snprintf(nm, sizeof nm, "d/f%02d", i);
    put_file(root, nm, "x");
  }
  char lp[128];
  snprintf(lp, sizeof lp, "d/%s", longname);
  put_file(root, lp, "long");
  OK(__wasi_path_create_directory(root, "d/subdir"));
  OK(__wasi_path_symlink("f00", root, "d/link"));

  OK(open_dir(root, "d", &d));

  /* one big buffer */
  read_all(d, 16384, 0);
  check_listing(NFILES);
  /* d_ino matches the inode path_filestat_get reports */
  int at = find("f07");
  __wasi_filestat_t st;
  OK(__wasi_path_filestat_get(d, 0, "f07", &st));
  CHECKF(inos[at] == st.ino, "d_ino %llu, stat ino %llu", (unsigned long long)inos[at],
         (unsigned long long)st.ino);

  /* remember the order and cookies */
  static char order[MAXN][128];
  static __wasi_dircookie_t cookies[MAXN];
  int n0 = count;
  for (int i = 0; i < count; i++) {
    strcpy(order[i], names[i]);
    cookies[i] = nexts[i];
  }

  /* small buffers of several sizes, resuming from cookies */
  const size_t sizes[] = {sizeof(__wasi_dirent_t) + 65, 100, 128, 200, 333, 1000};
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
    read_all(d, sizes[s], 0);
    check_listing(NFILES);
    CHECK(count == n0);
    for (int i = 0; i < count; i++) {
      CHECKF(strcmp(order[i], names[i]) == 0, "bufsize %zu: entry %d is %s, was %s", sizes[s], i,
             names[i], order[i]);
      CHECK(cookies[i] == nexts[i]);
    }
  }

  /* resuming from any cookie gives the rest, in the same order */
  for (int k = 0; k < n0; k += 7) {
    read_all(d, 256, cookies[k]);
    CHECKF(count == n0 - k - 1, "from cookie of entry %d: %d entries, expected %d", k, count,
           n0 - k - 1);
    for (int i = 0; i < count; i++) CHECK(strcmp(names[i], order[k + 1 + i]) == 0);
  }
  /* the last cookie: nothing more */
  {
    uint8_t buf[256];
    __wasi_size_t used = 99;
    OK(__wasi_fd_readdir(d, buf, sizeof buf, cookies[n0 - 1], &used));
    CHECKF(used == 0, "after the last entry: %u bytes", (unsigned)used);
  }

  /* a buffer smaller than one dirent header: filled completely */
  {
    uint8_t buf[10];
    __wasi_size_t used = 0;
    OK(__wasi_fd_readdir(d, buf, sizeof buf, 0, &used));
    CHECKF(used == sizeof buf, "bufused %u", (unsigned)used);
  }

  /* a new file shows up (once) on the next full listing */
  put_file(root, "d/zz_new", "n");
  read_all(d, 100, 0);
  at = find("zz_new");
  CHECK(at >= 0 && types[at] == __WASI_FILETYPE_REGULAR_FILE);
  CHECK(count == n0 + 1);
  for (int i = 0; i < n0; i++) CHECKF(find(order[i]) >= 0, "%s missing", order[i]);
  OK(__wasi_path_unlink_file(root, "d/zz_new"));

  /* libc's readdir agrees */
  DIR *dp = opendir("/sandbox/d");
  CHECK(dp != NULL);
  int libc_count = 0;
  struct dirent *de;
  while ((de = readdir(dp)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
    libc_count++;
  }
  closedir(dp);
  CHECKF(libc_count == NFILES + 3, "libc readdir saw %d", libc_count);

  /* an empty directory: nothing but maybe "." and ".." */
  __wasi_fd_t e;
  OK(open_dir(root, "d/subdir", &e));
  read_all(e, 512, 0);
  CHECK(count == 0 || count == 2);
  OK(__wasi_fd_close(e));

  /* fd_readdir on a file: ENOTDIR, EBADF or ENOTCAPABLE (no FD_READDIR right) */
  OK(open_file(root, "d/f01", 0, 0, &fd));
  {
    uint8_t buf[64];
    __wasi_size_t used;
    __wasi_errno_t err = __wasi_fd_readdir(fd, buf, sizeof buf, 0, &used);
    CHECKF(err == __WASI_ERRNO_NOTDIR || err == __WASI_ERRNO_BADF ||
               err == __WASI_ERRNO_NOTCAPABLE,
           "fd_readdir on a file -> %s", errno_name(err));
    EXPECT(__wasi_fd_readdir(9999, buf, sizeof buf, 0, &used), __WASI_ERRNO_BADF);
  }
  OK(__wasi_fd_close(fd));

  /* the preopen itself can be listed */
  read_all(root, 4096, 0);
  at = find("d");
  CHECK(at >= 0 && types[at] == __WASI_FILETYPE_DIRECTORY);
  OK(__wasi_fd_close(d));
  DONE();
}
