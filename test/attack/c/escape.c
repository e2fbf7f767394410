/*
 * Sandbox escape probes (issue 6). `escape PROBE OUTABS` runs one probe;
 * `escape list` prints the probe names. The guest works from its base
 * directory: the preopen "/sandbox", or "sandbox" under a "/" preopen (OCI).
 *
 * Output: "L<line> e=<errno>" for every attempt (the same on every run: the
 * test compares runs with different outside contents — an answer that
 * depends on what is outside is a leak), and "SAW ..." lines for everything
 * a successful call showed (bytes read, names listed, sizes). Paths the
 * guest tries are never printed: what it prints is only what it learned.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define RIGHTS_ALL ((__wasi_rights_t)0x1FFFFFFFull)
/* Without the write rights: what a read-only or directory open asks for. */
#define RIGHTS_RO (RIGHTS_ALL & ~(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE))
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define NOFOLLOW 0

__attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("path_open")))
extern int32_t raw_path_open(int32_t, int32_t, int32_t, int32_t, int32_t, int64_t, int64_t, int32_t, int32_t);
__attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("path_filestat_get")))
extern int32_t raw_path_filestat_get(int32_t, int32_t, int32_t, int32_t, int32_t);
__attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("path_create_directory")))
extern int32_t raw_path_create_directory(int32_t, int32_t, int32_t);
__attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("path_unlink_file")))
extern int32_t raw_path_unlink_file(int32_t, int32_t, int32_t);
__attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("path_symlink")))
extern int32_t raw_path_symlink(int32_t, int32_t, int32_t, int32_t, int32_t);
__attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("path_rename")))
extern int32_t raw_path_rename(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);

static int base = -1;
static const char *OUTABS = "/nonexistent-outside";

static void rep(int line, int e) { printf("L%d e=%d\n", line, e); }
#define E(x) rep(__LINE__, (int)(x))

static void print_bytes(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n && i < 400; i++) {
    if (p[i] >= 32 && p[i] < 127 && p[i] != '\\') putchar(p[i]);
    else printf("\\x%02x", p[i]);
  }
  putchar('\n');
}

static void show_fd(__wasi_fd_t fd) {
  uint8_t buf[4096];
  __wasi_iovec_t iov = {buf, sizeof buf};
  __wasi_size_t n = 0;
  __wasi_errno_t e = __wasi_fd_read(fd, &iov, 1, &n);
  printf("SAW read e=%d n=%u: ", e, (unsigned)n);
  print_bytes(buf, e ? 0 : n);
  __wasi_filestat_t st;
  if (__wasi_fd_filestat_get(fd, &st) == 0 && st.filetype != __WASI_FILETYPE_DIRECTORY)
    printf("SAW fstat type=%d size=%llu\n", st.filetype, (unsigned long long)st.size);
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list_fd(__wasi_fd_t fd) {
  static uint8_t buf[8192];
  char *names[256];
  int count = 0;
  __wasi_dircookie_t cookie = 0;
  for (int rounds = 0; rounds < 64 && count < 256; rounds++) {
    __wasi_size_t used = 0;
    __wasi_errno_t e = __wasi_fd_readdir(fd, buf, sizeof buf, cookie, &used);
    if (e) { printf("SAW readdir e=%d\n", e); break; }
    size_t off = 0;
    while (off + sizeof(__wasi_dirent_t) <= used && count < 256) {
      __wasi_dirent_t d;
      memcpy(&d, buf + off, sizeof d);
      off += sizeof d;
      size_t nl = d.d_namlen;
      if (off + nl > used) break;
      char *s = malloc(nl + 1);
      memcpy(s, buf + off, nl);
      s[nl] = 0;
      names[count++] = s;
      off += nl;
      cookie = d.d_next;
    }
    if (used < sizeof buf) break;
  }
  qsort(names, count, sizeof names[0], cmpstr);
  for (int i = 0; i < count; i++) {
    printf("SAW name ");
    print_bytes((uint8_t *)names[i], strlen(names[i]));
    free(names[i]);
  }
}

/* ------------------------------------------------------------ attempts */

static int a_read(int d, int lf, const char *p) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(d, lf, p, 0, RIGHTS_RO, RIGHTS_ALL, 0, &fd);
  if (e == 0) { show_fd(fd); __wasi_fd_close(fd); }
  return e;
}
static int a_stat(int d, int lf, const char *p) {
  __wasi_filestat_t st;
  __wasi_errno_t e = __wasi_path_filestat_get(d, lf, p, &st);
  if (e == 0 && st.filetype != __WASI_FILETYPE_DIRECTORY)
    printf("SAW stat type=%d size=%llu\n", st.filetype, (unsigned long long)st.size);
  else if (e == 0) printf("SAW stat dir\n");
  return e;
}
static int a_list(int d, const char *p) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(d, FOLLOW, p, __WASI_OFLAGS_DIRECTORY, RIGHTS_RO, RIGHTS_ALL, 0, &fd);
  if (e == 0) { list_fd(fd); __wasi_fd_close(fd); }
  return e;
}
static int a_readlink(int d, const char *p) {
  uint8_t buf[512];
  __wasi_size_t n = 0;
  __wasi_errno_t e = __wasi_path_readlink(d, p, buf, sizeof buf, &n);
  if (e == 0) printf("SAW readlink n=%u\n", (unsigned)n);
  return e;
}
static int a_times(int d, int lf, const char *p) {
  return __wasi_path_filestat_set_times(d, lf, p, 1234567890000000000ull, 1234567890000000000ull,
                                        __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM);
}
static int a_open_w(int d, int lf, const char *p, int oflags, int fdflags, __wasi_fd_t *fd) {
  return __wasi_path_open(d, lf, p, oflags, RIGHTS_ALL, RIGHTS_ALL, fdflags, fd);
}
static int a_write(__wasi_fd_t fd) {
  const char *s = "PWNED";
  __wasi_ciovec_t iov = {(const uint8_t *)s, 5};
  __wasi_size_t n;
  return __wasi_fd_write(fd, &iov, 1, &n);
}
static int a_trunc(int d, int lf, const char *p) {
  __wasi_fd_t fd;
  __wasi_errno_t e = a_open_w(d, lf, p, __WASI_OFLAGS_TRUNC, 0, &fd);
  if (e == 0) { E(a_write(fd)); __wasi_fd_close(fd); }
  return e;
}
static int a_setsize(int d, int lf, const char *p) {
  __wasi_fd_t fd;
  __wasi_errno_t e = a_open_w(d, lf, p, 0, 0, &fd);
  if (e == 0) {
    E(__wasi_fd_filestat_set_size(fd, 3));
    E(__wasi_fd_filestat_set_times(fd, 5, 5, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    E(__wasi_fd_allocate(fd, 0, 100000));
    E(__wasi_fd_pwrite(fd, &(__wasi_ciovec_t){(const uint8_t *)"X", 1}, 1, 0, &(__wasi_size_t){0}));
    __wasi_fd_close(fd);
  }
  return e;
}
static int a_append(int d, int lf, const char *p) {
  __wasi_fd_t fd;
  __wasi_errno_t e = a_open_w(d, lf, p, 0, __WASI_FDFLAGS_APPEND, &fd);
  if (e == 0) { E(a_write(fd)); __wasi_fd_close(fd); }
  return e;
}
static int a_create(int d, int lf, const char *p, int excl) {
  __wasi_fd_t fd;
  __wasi_errno_t e = a_open_w(d, lf, p, __WASI_OFLAGS_CREAT | (excl ? __WASI_OFLAGS_EXCL : 0), 0, &fd);
  if (e == 0) { E(a_write(fd)); __wasi_fd_close(fd); }
  return e;
}
static int a_mkdir(int d, const char *p) { return __wasi_path_create_directory(d, p); }
static int a_unlink(int d, const char *p) { return __wasi_path_unlink_file(d, p); }
static int a_rmdir(int d, const char *p) { return __wasi_path_remove_directory(d, p); }
static int a_rename(int d, const char *a, const char *b) { return __wasi_path_rename(d, a, d, b); }
static int a_link(int d, int lf, const char *a, const char *b) { return __wasi_path_link(d, lf, a, d, b); }
static int a_symlink(int d, const char *target, const char *p) { return __wasi_path_symlink(target, d, p); }
static int a_opendir(int d, const char *p) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(d, FOLLOW, p, __WASI_OFLAGS_DIRECTORY, RIGHTS_RO, RIGHTS_ALL, 0, &fd);
  if (e) { rep(__LINE__, e); return -1; }
  return fd;
}

/* Every kind of attempt on one path: lookups first, then changes. */
static void a_all(int d, const char *p) {
  E(a_read(d, FOLLOW, p));
  E(a_read(d, NOFOLLOW, p));
  E(a_stat(d, FOLLOW, p));
  E(a_stat(d, NOFOLLOW, p));
  E(a_list(d, p));
  E(a_readlink(d, p));
  E(a_times(d, FOLLOW, p));
  E(a_times(d, NOFOLLOW, p));
  E(a_setsize(d, FOLLOW, p));
  E(a_append(d, FOLLOW, p));
  E(a_trunc(d, FOLLOW, p));
  E(a_create(d, FOLLOW, p, 1));
  E(a_create(d, FOLLOW, p, 0));
  E(a_mkdir(d, p));
  E(a_unlink(d, p));
  E(a_rmdir(d, p));
  E(a_rename(d, p, "renamed_here"));
  E(a_link(d, FOLLOW, p, "linked_here"));
  E(a_link(d, NOFOLLOW, p, "linked_here2"));
  E(a_read(d, FOLLOW, "renamed_here"));
  E(a_read(d, FOLLOW, "linked_here"));
  E(a_read(d, FOLLOW, "linked_here2"));
  a_unlink(d, "renamed_here");
  a_unlink(d, "linked_here");
  a_unlink(d, "linked_here2");
  a_rmdir(d, "renamed_here");
}

static char *cat(const char *a, const char *b) {
  static char bufs[16][1024];
  static int i;
  char *r = bufs[i++ & 15];
  snprintf(r, 1024, "%s%s", a, b);
  return r;
}

/* --------------------------------------------------------------- probes */

static void p_dotdot_plain(void) {
  a_all(base, "../outside/secret-zq9.txt");
  a_all(base, "../outside/victim-zq9.txt");
  a_all(base, "../outside/dirzq9");
  E(a_list(base, ".."));
  E(a_list(base, "../outside"));
  E(a_stat(base, FOLLOW, ".."));
}
static void p_dotdot_nested(void) {
  a_all(base, "a/../../outside/secret-zq9.txt");
  a_all(base, "a/b/c/../../../../outside/victim-zq9.txt");
  a_all(base, "./../outside/secret-zq9.txt");
  a_all(base, "a/./../.././outside/dirzq9/innerzq9.txt");
  E(a_list(base, "a/b/../../.."));
}
static void p_dotdot_deep(void) {
  a_all(base, "../../../../../../../../../../etc/passwd");
  a_all(base, "a/b/../../../../../../../../../../../etc/passwd");
  E(a_list(base, "../.."));
  E(a_list(base, "../../../../../../../../.."));
}
static void p_dotdot_subfd(void) {
  int d = a_opendir(base, "a/b");
  if (d < 0) return;
  a_all(d, "../../../outside/secret-zq9.txt");
  a_all(d, "../../../outside/victim-zq9.txt");
  E(a_list(d, ".."));
  E(a_list(d, "../../.."));
  E(a_read(d, FOLLOW, "../../inside.txt"));
  __wasi_fd_close(d);
}
static void p_abs_paths(void) {
  a_all(base, "/etc/passwd");
  a_all(base, "//etc/passwd");
  a_all(base, cat(OUTABS, "/secret-zq9.txt"));
  a_all(base, cat(OUTABS, "/victim-zq9.txt"));
  E(a_list(base, "/"));
  E(a_list(base, OUTABS));
  E(a_list(base, "/sandbox/.."));
  E(a_stat(base, FOLLOW, "/tmp"));
  E(a_read(base, FOLLOW, "/proc/self/environ"));
  E(a_read(base, FOLLOW, "/sandbox/../outside/secret-zq9.txt"));
}
static void p_abs_changes(void) {
  E(a_create(base, FOLLOW, cat(OUTABS, "/newzq9"), 1));
  E(a_mkdir(base, cat(OUTABS, "/newdirzq9")));
  E(a_unlink(base, cat(OUTABS, "/victim-zq9.txt")));
  E(a_rmdir(base, cat(OUTABS, "/dirzq9")));
  E(a_times(base, FOLLOW, cat(OUTABS, "/victim-zq9.txt")));
  E(a_trunc(base, FOLLOW, cat(OUTABS, "/victim-zq9.txt")));
  E(a_rename(base, "inside.txt", cat(OUTABS, "/movedzq9")));
  E(a_symlink(base, "inside.txt", cat(OUTABS, "/lnkzq9")));
  E(a_link(base, 0, "inside.txt", cat(OUTABS, "/hlzq9")));
  E(a_create(base, FOLLOW, "/tmp/attackzq9", 0));
}
static void p_hl_abs_file(void) {
  a_all(base, "abs_file");
  a_all(base, "abs_victim");
  a_all(base, "abs_file/");
}
static void p_hl_abs_dir(void) {
  a_all(base, "abs_dir/secret-zq9.txt");
  a_all(base, "abs_dir/victim-zq9.txt");
  a_all(base, "abs_dir/dirzq9");
  E(a_list(base, "abs_dir"));
  E(a_list(base, "abs_dir/"));
  E(a_list(base, "abs_dir/."));
  E(a_list(base, "abs_dir/dirzq9"));
}
static void p_hl_rel_file(void) {
  a_all(base, "rel_file");
  a_all(base, "rel_victim");
  a_all(base, "rel_file/");
}
static void p_hl_rel_dir(void) {
  a_all(base, "rel_dir/secret-zq9.txt");
  a_all(base, "rel_dir/victim-zq9.txt");
  a_all(base, "rel_dir/dirzq9/innerzq9.txt");
  E(a_list(base, "rel_dir"));
  E(a_list(base, "rel_dir/dirzq9"));
}
static void p_hl_mid(void) {
  a_all(base, "a/b/mid/secret-zq9.txt");
  a_all(base, "a/b/mid/dirzq9/innerzq9.txt");
  a_all(base, "a/abs_mid/innerzq9.txt");
  E(a_list(base, "a/b/mid"));
  E(a_list(base, "a/b/mid/dirzq9"));
  E(a_list(base, "a/abs_mid"));
  int d = a_opendir(base, "a/b");
  if (d >= 0) { a_all(d, "mid/victim-zq9.txt"); __wasi_fd_close(d); }
}
static void p_hl_chain(void) {
  a_all(base, "chain1/secret-zq9.txt");
  a_all(base, "chain1/victim-zq9.txt");
  E(a_list(base, "chain1"));
  a_all(base, "chainin1/secret-zq9.txt");
  a_all(base, "chainin1/dirzq9");
  E(a_list(base, "chainin1"));
}
static void p_hl_loops(void) {
  a_all(base, "loop1");
  a_all(base, "self");
  a_all(base, "loop1/x");
  a_all(base, "self/x/y");
  E(a_list(base, "loop2/"));
  E(a_create(base, FOLLOW, "loop1/new", 0));
}
static void p_hl_long_chain(void) {
  a_all(base, "deep0/secret-zq9.txt");  /* 39 links inside, then ../outside */
  a_all(base, "over0/secret-zq9.txt");  /* 45 links */
  E(a_list(base, "deep0"));
  a_all(base, "longlink/secret-zq9.txt"); /* "../" x 1000 + "outside" */
  E(a_list(base, "longlink"));
}
static void p_hl_up(void) {
  a_all(base, "up/outside/secret-zq9.txt");
  E(a_list(base, "up"));
  E(a_list(base, "up/outside"));
  a_all(base, "sub/up2/outside/secret-zq9.txt");
  E(a_list(base, "sub/up2"));
  a_all(base, "sub/upin/up/outside/victim-zq9.txt");
  a_all(base, "dotdotdir/outside/secret-zq9.txt");
  E(a_list(base, "dotdotdir"));
  a_all(base, "midup/secret-zq9.txt");
  E(a_list(base, "midup"));
}
static void p_hl_etc(void) {
  a_all(base, "abs_etc/passwd");
  a_all(base, "abs_passwd");
  E(a_list(base, "abs_root"));
  E(a_list(base, "abs_etc"));
  a_all(base, "abs_root/etc/passwd");
  a_all(base, "abs_root/proc/self/cwd/../outside/secret-zq9.txt");
}
static void p_hl_dangling(void) {
  E(a_create(base, FOLLOW, "dangling_out", 0));
  E(a_create(base, FOLLOW, "dangling_out", 1));
  E(a_create(base, FOLLOW, "abs_dangling", 0));
  E(a_trunc(base, FOLLOW, "dangling_out"));
  E(a_mkdir(base, "dangling_out/"));
  E(a_create(base, FOLLOW, "dangling_out/", 0));
  E(a_symlink(base, "x", "dangling_out"));
  E(a_times(base, FOLLOW, "dangling_out"));
}
static void p_hl_create_through(void) {
  E(a_create(base, FOLLOW, "rel_dir/newzq9.txt", 1));
  E(a_mkdir(base, "rel_dir/newdirzq9"));
  E(a_create(base, FOLLOW, "abs_dir/newzq9.txt", 1));
  E(a_mkdir(base, "abs_dir/newdirzq9"));
  E(a_symlink(base, "x", "rel_dir/lnkzq9"));
  E(a_symlink(base, "x", "abs_dir/lnkzq9"));
  E(a_create(base, FOLLOW, "a/b/mid/newzq9.txt", 0));
  E(a_mkdir(base, "chain1/newdirzq9"));
  E(a_create(base, NOFOLLOW, "up/outside/newzq9.txt", 0));
}
static void p_hl_unlink_through(void) {
  E(a_unlink(base, "rel_dir/victim-zq9.txt"));
  E(a_rmdir(base, "rel_dir/dirzq9"));
  E(a_unlink(base, "abs_dir/victim-zq9.txt"));
  E(a_unlink(base, "a/b/mid/victim-zq9.txt"));
  E(a_rmdir(base, "chain1/dirzq9"));
  E(a_unlink(base, "rel_dir/dirzq9/innerzq9.txt"));
  E(a_unlink(base, "up/outside/victim-zq9.txt"));
  E(a_unlink(base, "rel_victim/"));
  E(a_rmdir(base, "rel_dir/"));
}
static void p_hl_times_through(void) {
  const char *ps[] = {"rel_victim", "abs_victim", "rel_dir/victim-zq9.txt", "rel_dir", "abs_dir", "chain1",
                      "rel_dir/dirzq9", "up/outside", "rel_dir/", "a/b/mid/."};
  for (unsigned i = 0; i < sizeof ps / sizeof ps[0]; i++) {
    E(a_times(base, FOLLOW, ps[i]));
    E(a_times(base, NOFOLLOW, ps[i]));
  }
  /* NOW flags */
  E(__wasi_path_filestat_set_times(base, FOLLOW, "rel_victim", 0, 0, __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW));
  E(__wasi_path_filestat_set_times(base, FOLLOW, "rel_dir", 0, 0, __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW));
}
static void p_hl_trunc_through(void) {
  E(a_trunc(base, FOLLOW, "rel_victim"));
  E(a_setsize(base, FOLLOW, "abs_victim"));
  E(a_append(base, FOLLOW, "rel_dir/victim-zq9.txt"));
  E(a_setsize(base, FOLLOW, "chain1/victim-zq9.txt"));
  E(a_trunc(base, NOFOLLOW, "a/b/mid/victim-zq9.txt"));
  E(a_setsize(base, NOFOLLOW, "rel_victim"));
}
static void p_hl_rename_out(void) {
  E(a_rename(base, "inside.txt", "rel_dir/stolen.txt"));
  E(a_rename(base, "a", "rel_dir/a"));
  E(a_rename(base, "inside.txt", "abs_dir/x"));
  E(a_rename(base, "inside.txt", "../outside/x"));
  E(a_rename(base, "sub", "a/b/mid/sub"));
  E(a_rename(base, "inside.txt", "rel_dir/victim-zq9.txt"));
  E(a_rename(base, "a", "rel_dir/dirzq9"));
  /* Renaming onto a symlink replaces the link, never its target. */
  E(a_rename(base, "inside.txt", "rel_victim"));
  E(a_read(base, NOFOLLOW, "rel_victim"));
  E(a_rename(base, "rel_victim", "inside.txt"));
}
static void p_hl_rename_in(void) {
  E(a_rename(base, "rel_dir/victim-zq9.txt", "stolen"));
  E(a_rename(base, "../outside/victim-zq9.txt", "stolen2"));
  E(a_rename(base, "abs_dir/dirzq9", "stolendir"));
  E(a_rename(base, "a/b/mid/secret-zq9.txt", "s3"));
  E(a_rename(base, "chain1/dirzq9", "s4"));
  E(a_rename(base, "up/outside", "s5"));
  E(a_read(base, FOLLOW, "stolen"));
  E(a_read(base, FOLLOW, "stolen2"));
  E(a_list(base, "stolendir"));
  E(a_read(base, FOLLOW, "s3"));
  /* Moving the link itself is legal and changes nothing. */
  E(a_rename(base, "rel_dir", "moved_link"));
  a_all(base, "moved_link/secret-zq9.txt");
  E(a_rename(base, "moved_link", "a/b/c/moved"));
  a_all(base, "a/b/c/moved/secret-zq9.txt");
}
static void p_hl_link(void) {
  E(a_link(base, NOFOLLOW, "rel_victim", "hl1"));
  E(a_read(base, FOLLOW, "hl1"));
  E(a_link(base, FOLLOW, "rel_victim", "hl2"));
  E(a_read(base, FOLLOW, "hl2"));
  E(a_link(base, FOLLOW, "abs_file", "hl2b"));
  E(a_read(base, FOLLOW, "hl2b"));
  E(a_link(base, 0, "rel_dir/secret-zq9.txt", "hl3"));
  E(a_read(base, FOLLOW, "hl3"));
  E(a_link(base, 0, "../outside/secret-zq9.txt", "hl4"));
  E(a_read(base, FOLLOW, "hl4"));
  E(a_link(base, 0, "abs_dir/secret-zq9.txt", "hl5"));
  E(a_read(base, FOLLOW, "hl5"));
  E(a_link(base, 0, "inside.txt", "rel_dir/hloutzq9"));
  E(a_link(base, 0, "inside.txt", "../outside/hloutzq9"));
  E(a_link(base, 0, "inside.txt", "abs_dir/hloutzq9"));
  E(a_link(base, 0, "a", "rel_dir/dirlinkzq9"));
  E(a_link(base, FOLLOW, "rel_dir", "hldir"));
  E(a_list(base, "hldir"));
  E(a_link(base, 0, "up/outside/victim-zq9.txt", "hl6"));
  E(a_read(base, FOLLOW, "hl6"));
}
static void p_gs_abs(void) {
  E(a_symlink(base, "/etc/passwd", "g_abs"));
  E(a_symlink(base, cat(OUTABS, "/secret-zq9.txt"), "g_abs2"));
  E(a_symlink(base, OUTABS, "g_absdir"));
  E(a_symlink(base, "/", "g_root"));
  a_all(base, "g_abs");
  a_all(base, "g_abs2");
  a_all(base, "g_absdir/secret-zq9.txt");
  E(a_list(base, "g_absdir"));
  E(a_list(base, "g_root"));
}
static void p_gs_rel(void) {
  E(a_symlink(base, "../outside/secret-zq9.txt", "g_rel"));
  E(a_symlink(base, "../outside", "g_reldir"));
  E(a_symlink(base, "../outside/victim-zq9.txt", "g_relv"));
  a_all(base, "g_rel");
  a_all(base, "g_relv");
  a_all(base, "g_reldir/victim-zq9.txt");
  a_all(base, "g_reldir/dirzq9");
  E(a_list(base, "g_reldir"));
  E(a_create(base, FOLLOW, "g_reldir/newzq9", 0));
  E(a_mkdir(base, "g_reldir/ndzq9"));
}
static void p_gs_mid(void) {
  E(a_mkdir(base, "gm"));
  E(a_mkdir(base, "gm/x"));
  E(a_symlink(base, "../../../outside", "gm/x/l"));
  a_all(base, "gm/x/l/secret-zq9.txt");
  E(a_list(base, "gm/x/l/dirzq9"));
  int d = a_opendir(base, "gm/x");
  if (d >= 0) {
    E(a_symlink(d, "../../..", "up3"));
    a_all(d, "up3/outside/secret-zq9.txt");
    E(a_list(d, "up3"));
    E(a_symlink(d, "..", "up1"));
    a_all(d, "up1/../../outside/victim-zq9.txt");
    __wasi_fd_close(d);
  }
  a_all(base, "gm/x/up3/outside/secret-zq9.txt");
}
static void p_gs_chain(void) {
  char a[32], b[32];
  for (int i = 0; i < 45; i++) {
    snprintf(a, sizeof a, "gc%d", i);
    snprintf(b, sizeof b, "gc%d", i + 1);
    E(a_symlink(base, i == 44 ? "../outside" : b, a));
  }
  a_all(base, "gc0/secret-zq9.txt");   /* 45 links: LOOP */
  a_all(base, "gc10/secret-zq9.txt");  /* 35 links, then ../outside */
  a_all(base, "gc43/victim-zq9.txt");
  E(a_list(base, "gc30"));
}
static void p_gs_loop(void) {
  E(a_symlink(base, "gl2", "gl1"));
  E(a_symlink(base, "gl1", "gl2"));
  E(a_symlink(base, "gself", "gself"));
  E(a_symlink(base, "gself2/x", "gself2"));
  E(a_symlink(base, "./gdotloop/.", "gdotloop"));
  a_all(base, "gl1");
  a_all(base, "gself");
  a_all(base, "gself2");
  a_all(base, "gdotloop/x");
  E(a_list(base, "gl2/"));
  E(a_mkdir(base, "gl1/x"));
}
static void p_gs_dotdot(void) {
  E(a_symlink(base, "..", "gup"));
  E(a_symlink(base, "../..", "gup2"));
  E(a_symlink(base, "a/../..", "gup3"));
  E(a_symlink(base, ".", "gdot"));
  E(a_symlink(base, "a/b/../../../outside", "gmidup"));
  a_all(base, "gup/outside/secret-zq9.txt");
  E(a_list(base, "gup"));
  E(a_list(base, "gup2"));
  a_all(base, "gup3/outside/victim-zq9.txt");
  a_all(base, "gdot/gdot/gdot/../outside/secret-zq9.txt");
  a_all(base, "gmidup/secret-zq9.txt");
  E(a_list(base, "gmidup"));
}
static void p_gs_ops_through(void) {
  E(a_symlink(base, "../outside/victim-zq9.txt", "gv"));
  E(a_times(base, FOLLOW, "gv"));
  E(a_trunc(base, FOLLOW, "gv"));
  E(a_setsize(base, FOLLOW, "gv"));
  E(a_append(base, FOLLOW, "gv"));
  E(a_symlink(base, "../outside/newzq9", "gnew"));
  E(a_create(base, FOLLOW, "gnew", 0));
  E(a_create(base, FOLLOW, "gnew", 1));
  E(a_symlink(base, "../outside/dirzq9", "gd"));
  E(a_mkdir(base, "gd/x"));
  E(a_rmdir(base, "gd/"));
  E(a_unlink(base, "gd/innerzq9.txt"));
  E(a_unlink(base, "gv"));  /* removes the link only */
  E(a_read(base, NOFOLLOW, "gv"));
}
static void p_gs_swap_held(void) {
  /* The guest swaps a directory it holds for a link to outside. */
  E(a_mkdir(base, "sw"));
  E(a_create(base, FOLLOW, "sw/f", 1));
  int d = a_opendir(base, "sw");
  E(a_rename(base, "sw", "sw_old"));
  E(a_symlink(base, "../outside", "sw"));
  a_all(base, "sw/secret-zq9.txt");
  if (d >= 0) {
    E(a_read(d, FOLLOW, "f"));
    a_all(d, "../outside/secret-zq9.txt");
    a_all(d, "../sw/secret-zq9.txt");
    E(a_list(d, ".."));
    __wasi_fd_close(d);
  }
  /* a held fd of a directory moved deeper */
  int c = a_opendir(base, "a/b/c");
  E(a_rename(base, "a", "sub/a2"));
  if (c >= 0) {
    a_all(c, "../../../../outside/secret-zq9.txt");
    E(a_list(c, "../.."));
    __wasi_fd_close(c);
  }
}
static void p_nul(void) {
  static const char paths[][48] = {
      "inside.txt\0../../outside/secret-zq9.txt", "\0", "../outside\0", "rel_dir\0/secret-zq9.txt",
      "a\0/../../outside", "inside.txt\0", "\0../outside/secret-zq9.txt"};
  static const int lens[] = {40, 1, 11, 23, 16, 11, 26};
  uint32_t fd = 0;
  for (int i = 0; i < 7; i++) {
    E(raw_path_open(base, 1, (int32_t)(intptr_t)paths[i], lens[i], 0, RIGHTS_ALL, RIGHTS_ALL, 0, (int32_t)(intptr_t)&fd));
    E(raw_path_open(base, 1, (int32_t)(intptr_t)paths[i], lens[i], __WASI_OFLAGS_CREAT, RIGHTS_ALL, RIGHTS_ALL, 0, (int32_t)(intptr_t)&fd));
    __wasi_filestat_t st;
    E(raw_path_filestat_get(base, 1, (int32_t)(intptr_t)paths[i], lens[i], (int32_t)(intptr_t)&st));
    E(raw_path_create_directory(base, (int32_t)(intptr_t)paths[i], lens[i]));
    E(raw_path_unlink_file(base, (int32_t)(intptr_t)paths[i], lens[i]));
    E(raw_path_symlink((int32_t)(intptr_t)paths[i], lens[i], base, (int32_t)(intptr_t)"nul_link", 8));
    E(raw_path_rename(base, (int32_t)(intptr_t)"inside.txt", 10, base, (int32_t)(intptr_t)paths[i], lens[i]));
  }
  a_all(base, "nul_link");
  /* invalid UTF-8, overlong dots, lookalikes */
  a_all(base, "\xc0\xae\xc0\xae/outside/secret-zq9.txt");
  a_all(base, "..\\outside\\secret-zq9.txt");
  a_all(base, ".../outside");
  a_all(base, "%2e%2e/outside/secret-zq9.txt");
  a_all(base, "\xff\xfe/../../outside");
  /* pointers and lengths past the end of memory */
  E(raw_path_open(base, 1, 0x7ffffff0, 64, 0, RIGHTS_ALL, RIGHTS_ALL, 0, (int32_t)(intptr_t)&fd));
  E(raw_path_open(base, 1, (int32_t)(intptr_t)paths[0], -1, 0, RIGHTS_ALL, RIGHTS_ALL, 0, (int32_t)(intptr_t)&fd));
  E(raw_path_open(base, 1, (int32_t)(intptr_t)paths[0], 0, 0, RIGHTS_ALL, RIGHTS_ALL, 0, (int32_t)(intptr_t)&fd));
  E(raw_path_open(base, 1, (int32_t)(intptr_t)"inside.txt", 10, 0, RIGHTS_ALL, RIGHTS_ALL, 0, -4));
}
static char *repeat(const char *unit, size_t total, const char *tail) {
  size_t ul = strlen(unit), tl = strlen(tail);
  char *s = malloc(total + tl + 1);
  size_t n = 0;
  while (n + ul <= total) { memcpy(s + n, unit, ul); n += ul; }
  memcpy(s + n, tail, tl + 1);
  return s;
}
static void p_long(void) {
  const size_t K64 = 65536;
  char *ps[] = {
      repeat("a/", K64, ""), repeat("../", K64, "outside/secret-zq9.txt"), repeat("x", K64, ""),
      repeat("./", K64, "../outside/secret-zq9.txt"), repeat("a/..", K64, "/../outside/secret-zq9.txt"),
      repeat("rel_dir/", K64, "secret-zq9.txt"), repeat("/", K64, "etc/passwd"),
      repeat("up/", K64, "outside/victim-zq9.txt"), repeat("sub/upin/", K64, "../outside"),
      repeat("a/b/c/../../", K64, "../outside/secret-zq9.txt"),
  };
  for (unsigned i = 0; i < sizeof ps / sizeof ps[0]; i++) {
    E(a_read(base, FOLLOW, ps[i]));
    E(a_stat(base, FOLLOW, ps[i]));
    E(a_list(base, ps[i]));
    E(a_create(base, FOLLOW, ps[i], 0));
    E(a_mkdir(base, ps[i]));
    E(a_unlink(base, ps[i]));
    E(a_times(base, FOLLOW, ps[i]));
    E(a_symlink(base, ps[i], "longsym"));
    E(a_read(base, FOLLOW, "longsym"));
    E(a_list(base, "longsym"));
    a_unlink(base, "longsym");
  }
}
static void p_renumber(void) {
  int b = a_opendir(base, "a/b");
  if (b < 0) return;
  int keep = a_opendir(base, ".");
  E(__wasi_fd_renumber(b, base)); /* a subdirectory takes the preopen's number */
  __wasi_prestat_t ps;
  E(__wasi_fd_prestat_get(base, &ps));
  a_all(base, "../../../outside/secret-zq9.txt");
  E(a_list(base, ".."));
  E(a_list(base, "../../.."));
  if (keep >= 0) {
    __wasi_fd_t f;
    E(__wasi_path_open(keep, 0, "inside.txt", 0, RIGHTS_ALL, RIGHTS_ALL, 0, &f));
    E(__wasi_fd_renumber(f, base)); /* a file takes it */
    a_all(base, "../outside/secret-zq9.txt");
    E(a_list(base, "."));
    E(__wasi_fd_renumber(keep, 1000));  /* onto an unopened number */
    E(__wasi_fd_renumber(keep, 0xffffffffu));
    E(__wasi_fd_renumber(0xffffffffu, keep));
    E(__wasi_fd_renumber(keep, keep));
    a_all(keep, "../outside/secret-zq9.txt");
    E(__wasi_fd_renumber(keep, 0)); /* onto stdin */
    a_all(0, "../outside/secret-zq9.txt");
    E(a_read(0, 0, "inside.txt"));
  }
}
static void p_closed_fds(void) {
  int s = a_opendir(base, "sub");
  E(__wasi_fd_close(base));
  E(__wasi_fd_close(base));
  a_all(base, "inside.txt");
  a_all(base, "../outside/secret-zq9.txt");
  if (s >= 0) {
    int again = a_opendir(s, "."); /* likely reuses the preopen's number */
    a_all(again, "../outside/secret-zq9.txt");
    a_all(base, "../outside/secret-zq9.txt");
    E(__wasi_fd_close(s));
    a_all(s, "../outside/secret-zq9.txt");
  }
  int bad[] = {-1, 0x7fffffff, (int)0x80000000, 1, 2, 64, 1023};
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    E(a_read(bad[i], FOLLOW, "../outside/secret-zq9.txt"));
    E(a_list(bad[i], ".."));
  }
}
static void p_reused_fds(void) {
  __wasi_fd_t f;
  E(__wasi_path_open(base, 0, "inside.txt", 0, RIGHTS_ALL, RIGHTS_ALL, 0, &f));
  E(__wasi_fd_close(f));
  int d = a_opendir(base, "a");
  a_all(f, "../../outside/secret-zq9.txt");
  a_all(d, "../outside/secret-zq9.txt");
  /* a file fd used as a directory, a directory fd used as a file */
  __wasi_fd_t g;
  E(__wasi_path_open(base, 0, "inside.txt", 0, RIGHTS_ALL, RIGHTS_ALL, 0, &g));
  a_all(g, "../outside/secret-zq9.txt");
  a_all(g, "x");
  uint8_t buf[64];
  __wasi_size_t n;
  E(__wasi_fd_readdir(g, buf, sizeof buf, 0, &n));
  __wasi_iovec_t iov = {buf, sizeof buf};
  E(__wasi_fd_read(base, &iov, 1, &n));
  E(__wasi_fd_seek(base, 0, 0, &(__wasi_filesize_t){0}));
  for (int i = 0; i < 3; i++) a_all(i, "../outside/secret-zq9.txt");
}
static void p_link_dir(void) {
  E(a_link(base, 0, "a", "rel_dir/linkedzq9"));
  E(a_link(base, 0, "rel_dir", "x_rel"));
  E(a_list(base, "x_rel"));
  E(a_link(base, FOLLOW, "rel_dir", "x_rel2"));
  E(a_list(base, "x_rel2"));
  E(a_link(base, FOLLOW, "abs_dir", "x_abs"));
  E(a_list(base, "x_abs"));
  E(a_link(base, FOLLOW, "up", "x_up"));
  E(a_list(base, "x_up"));
  a_all(base, "x_up/outside/secret-zq9.txt");
}
static void p_trailing(void) {
  const char *ps[] = {"rel_dir/", "abs_dir/", "rel_file/", "rel_dir/.", "rel_dir/./", "up/", "chain1/",
                      "rel_dir//", "rel_dir/dirzq9/", "up/.", "up/./outside/", "a/b/mid/"};
  for (unsigned i = 0; i < sizeof ps / sizeof ps[0]; i++) a_all(base, ps[i]);
  E(a_rename(base, "rel_dir/", "tr_x"));
  E(a_create(base, FOLLOW, "dangling_out/", 0));
  E(a_mkdir(base, "dangling_out/"));
}
static void p_readdir_cookies(void) {
  /* odd cookies and buffer sizes on the preopen and a held subdirectory */
  uint8_t buf[300];
  __wasi_size_t n = 0;
  const uint64_t cookies[] = {0, 1, 2, 3, 100, 0xffffffffull, 0x7fffffffffffffffull, 0xffffffffffffffffull};
  const uint32_t sizes[] = {0, 1, 23, 24, 25, 300};
  for (unsigned i = 0; i < 8; i++)
    for (unsigned j = 0; j < 6; j++) {
      __wasi_errno_t e = __wasi_fd_readdir(base, buf, sizes[j], cookies[i], &n);
      printf("L%d e=%d\n", __LINE__, e);
      if (!e) {
        /* inode numbers are the host's business: mask them */
        uint32_t m = n < sizes[j] ? n : sizes[j];
        for (uint32_t off = 0; off < m; ) {
          for (uint32_t k = off + 8; k < off + 16 && k < m; k++) buf[k] = 0;
          uint32_t nl = 0;
          if (off + 20 <= m) memcpy(&nl, buf + off + 16, 4); else break;
          off += 24 + nl;
        }
        printf("SAW bytes ");
        print_bytes(buf, m);
      }
    }
  int d = a_opendir(base, "a/b");
  if (d >= 0) {
    E(a_rename(base, "a", "sub/moved_a"));
    E(a_rmdir(base, "sub/moved_a/b/c"));
    list_fd(d);
    __wasi_fd_close(d);
  }
}
static void p_controls(void) {
  /* Positive controls: legitimate inside access must work. */
  E(a_read(base, FOLLOW, "inside.txt"));
  E(a_read(base, FOLLOW, "inlink"));
  E(a_read(base, FOLLOW, "sub/upin/inside.txt"));
  E(a_list(base, "a"));
  E(a_symlink(base, "a/file.txt", "gin"));
  E(a_read(base, FOLLOW, "gin"));
  E(a_symlink(base, "../a/file.txt", "sub/gin2"));
  E(a_read(base, FOLLOW, "sub/gin2"));
  E(a_read(base, FOLLOW, "a/b/../file.txt"));
  E(a_create(base, FOLLOW, "ctl_new.txt", 1));
  E(a_read(base, FOLLOW, "ctl_new.txt"));
  E(a_rename(base, "ctl_new.txt", "sub/ctl_moved.txt"));
  E(a_link(base, 0, "sub/ctl_moved.txt", "ctl_hard.txt"));
  E(a_read(base, FOLLOW, "ctl_hard.txt"));
  printf("CONTROLS DONE\n");
}
static void p_weird_fd_paths(void) {
  /* the preopen's own name, "." and the empty path */
  a_all(base, "sandbox/../../outside/secret-zq9.txt");
  E(a_read(base, FOLLOW, ""));
  E(a_list(base, "."));
  E(a_list(base, "./"));
  E(a_stat(base, FOLLOW, "."));
  E(a_times(base, FOLLOW, "."));
  E(a_rmdir(base, "."));
  E(a_rmdir(base, ".."));
  E(a_unlink(base, ".."));
  E(a_rename(base, ".", "x"));
  E(a_rename(base, "..", "x"));
  E(a_rename(base, "a", ".."));
  E(a_symlink(base, "x", ".."));
  E(a_mkdir(base, ".."));
  E(a_link(base, 0, "..", "x"));
  E(a_link(base, 0, "inside.txt", ".."));
}

/* ---------------------------------------------------------------- race */

static uint64_t now_ms(void) {
  __wasi_timestamp_t t = 0;
  __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
  return t / 1000000ull;
}

/* Loop through "swap" while the host swaps it for links to outside. */
static void p_race(int ms) {
  uint64_t end = now_ms() + (uint64_t)ms;
  unsigned long iters = 0, ok_inside = 0, odd = 0, refused = 0;
  char name[64];
  while (now_ms() < end) {
    iters++;
    __wasi_fd_t fd;
    uint8_t buf[256];
    __wasi_size_t n;
    const char *reads[] = {"swap/data", "swap/secret-zq9.txt", "swap/dirzq9/innerzq9.txt", "swap/sub/data2"};
    for (int i = 0; i < 4; i++) {
      __wasi_errno_t e = __wasi_path_open(base, FOLLOW, reads[i], 0, RIGHTS_RO, RIGHTS_ALL, 0, &fd);
      if (e) { refused++; continue; }
      __wasi_iovec_t iov = {buf, sizeof buf};
      n = 0;
      __wasi_fd_read(fd, &iov, 1, &n);
      __wasi_fd_close(fd);
      if ((n == 11 && memcmp(buf, "inside data", 11) == 0) || (n == 12 && memcmp(buf, "inside data2", 12) == 0)) ok_inside++;
      else { odd++; printf("SAW read n=%u: ", (unsigned)n); print_bytes(buf, n); }
    }
    __wasi_filestat_t st;
    if (__wasi_path_filestat_get(base, FOLLOW, "swap/secret-zq9.txt", &st) == 0) { odd++; printf("SAW stat size=%llu\n", (unsigned long long)st.size); }
    if (__wasi_path_filestat_get(base, FOLLOW, "swap/data", &st) == 0 && st.size != 11) { odd++; printf("SAW stat size=%llu\n", (unsigned long long)st.size); }
    snprintf(name, sizeof name, "swap/new%lu", iters % 8);
    if (__wasi_path_open(base, FOLLOW, name, __WASI_OFLAGS_CREAT, RIGHTS_ALL, RIGHTS_ALL, 0, &fd) == 0) {
      __wasi_ciovec_t c = {(const uint8_t *)"G", 1};
      __wasi_fd_write(fd, &c, 1, &n);
      __wasi_fd_close(fd);
    }
    snprintf(name, sizeof name, "swap/newdir%lu", iters % 4);
    __wasi_path_create_directory(base, name);
    __wasi_path_remove_directory(base, name);
    __wasi_path_unlink_file(base, "swap/victim-zq9.txt");
    __wasi_path_remove_directory(base, "swap/dirzq9");
    a_times(base, FOLLOW, "swap/victim-zq9.txt");
    a_times(base, FOLLOW, "swap/sub");
    __wasi_path_filestat_set_times(base, NOFOLLOW, "swap/data", 0, 0, __WASI_FSTFLAGS_MTIM_NOW);
    if (__wasi_path_open(base, FOLLOW, "swap/victim-zq9.txt", __WASI_OFLAGS_TRUNC, RIGHTS_ALL, RIGHTS_ALL, 0, &fd) == 0) __wasi_fd_close(fd);
    __wasi_path_rename(base, "swap/victim-zq9.txt", base, "stolen");
    __wasi_path_link(base, FOLLOW, "swap/secret-zq9.txt", base, "hstolen");
    if (__wasi_path_open(base, FOLLOW, "stolen", 0, RIGHTS_RO, RIGHTS_ALL, 0, &fd) == 0) { odd++; printf("SAW stolen\n"); __wasi_fd_close(fd); }
    if (__wasi_path_open(base, FOLLOW, "hstolen", 0, RIGHTS_RO, RIGHTS_ALL, 0, &fd) == 0) { odd++; printf("SAW hstolen\n"); __wasi_fd_close(fd); }
    if (iters % 16 == 0) {
      __wasi_fd_t d;
      if (__wasi_path_open(base, FOLLOW, "swap", __WASI_OFLAGS_DIRECTORY, RIGHTS_RO, RIGHTS_ALL, 0, &d) == 0) {
        /* list it; names other than ours are leaks */
        static uint8_t lb[4096];
        __wasi_size_t used = 0;
        if (__wasi_fd_readdir(d, lb, sizeof lb, 0, &used) == 0) {
          size_t off = 0;
          while (off + sizeof(__wasi_dirent_t) <= used) {
            __wasi_dirent_t de;
            memcpy(&de, lb + off, sizeof de);
            off += sizeof de;
            if (off + de.d_namlen > used) break;
            const char *nm = (const char *)lb + off;
            int ours = (de.d_namlen == 1 && nm[0] == '.') || (de.d_namlen == 2 && memcmp(nm, "..", 2) == 0) ||
                       (de.d_namlen == 4 && memcmp(nm, "data", 4) == 0) || (de.d_namlen == 3 && memcmp(nm, "sub", 3) == 0) ||
                       (de.d_namlen >= 3 && memcmp(nm, "new", 3) == 0) ||
                       (de.d_namlen == 7 && memcmp(nm, ".subdir", 7) == 0);
            if (!ours) { odd++; printf("SAW name "); print_bytes((const uint8_t *)nm, de.d_namlen); }
            off += de.d_namlen;
          }
        }
        /* and try to climb out of the held directory */
        if (__wasi_path_open(d, FOLLOW, "../outside/secret-zq9.txt", 0, RIGHTS_RO, RIGHTS_ALL, 0, &fd) == 0) { odd++; show_fd(fd); __wasi_fd_close(fd); }
        __wasi_fd_close(d);
      }
    }
  }
  printf("race iterations %lu inside-reads %lu refused %lu odd %lu\n", iters, ok_inside, refused, odd);
}

/* ---------------------------------------------------------------- main */

struct probe { const char *name; void (*fn)(void); };
static const struct probe probes[] = {
    {"dotdot_plain", p_dotdot_plain}, {"dotdot_nested", p_dotdot_nested}, {"dotdot_deep", p_dotdot_deep},
    {"dotdot_subfd", p_dotdot_subfd}, {"abs_paths", p_abs_paths}, {"abs_changes", p_abs_changes},
    {"hl_abs_file", p_hl_abs_file}, {"hl_abs_dir", p_hl_abs_dir}, {"hl_rel_file", p_hl_rel_file},
    {"hl_rel_dir", p_hl_rel_dir}, {"hl_mid", p_hl_mid}, {"hl_chain", p_hl_chain}, {"hl_loops", p_hl_loops},
    {"hl_long_chain", p_hl_long_chain}, {"hl_up", p_hl_up}, {"hl_etc", p_hl_etc}, {"hl_dangling", p_hl_dangling},
    {"hl_create_through", p_hl_create_through}, {"hl_unlink_through", p_hl_unlink_through},
    {"hl_times_through", p_hl_times_through}, {"hl_trunc_through", p_hl_trunc_through},
    {"hl_rename_out", p_hl_rename_out}, {"hl_rename_in", p_hl_rename_in}, {"hl_link", p_hl_link},
    {"gs_abs", p_gs_abs}, {"gs_rel", p_gs_rel}, {"gs_mid", p_gs_mid}, {"gs_chain", p_gs_chain},
    {"gs_loop", p_gs_loop}, {"gs_dotdot", p_gs_dotdot}, {"gs_ops_through", p_gs_ops_through},
    {"gs_swap_held", p_gs_swap_held}, {"nul_paths", p_nul}, {"long_paths", p_long}, {"renumber_preopen", p_renumber},
    {"closed_fds", p_closed_fds}, {"reused_fds", p_reused_fds}, {"link_dir", p_link_dir},
    {"trailing_slash", p_trailing}, {"readdir_cookies", p_readdir_cookies}, {"controls", p_controls},
    {"weird_fd_paths", p_weird_fd_paths},
};
#define NPROBES (sizeof probes / sizeof probes[0])

static int find_base(void) {
  int root = -1;
  for (int fd = 3; fd < 64; fd++) {
    __wasi_prestat_t ps;
    if (__wasi_fd_prestat_get(fd, &ps) != 0) continue;
    char name[256] = {0};
    size_t len = ps.u.dir.pr_name_len < 255 ? ps.u.dir.pr_name_len : 255;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len) != 0) continue;
    if (strcmp(name, "/sandbox") == 0) return fd;
    if (strcmp(name, "/") == 0) root = fd;
  }
  if (root < 0) return -1;
  __wasi_fd_t fd;
  if (__wasi_path_open(root, FOLLOW, "sandbox", __WASI_OFLAGS_DIRECTORY, RIGHTS_RO, RIGHTS_ALL, 0, &fd) != 0) return -1;
  return fd;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "list") == 0) {
    for (unsigned i = 0; i < NPROBES; i++) printf("%s\n", probes[i].name);
    return 0;
  }
  if (argc < 2) { fprintf(stderr, "usage: escape PROBE [OUTABS]\n"); return 2; }
  if (argc >= 3) OUTABS = argv[2];
  base = find_base();
  if (base < 0) { printf("no base directory\n"); return 3; }
  if (strcmp(argv[1], "race") == 0) { p_race(argc >= 4 ? atoi(argv[3]) : 3000); printf("DONE\n"); return 0; }
  for (unsigned i = 0; i < NPROBES; i++) {
    if (strcmp(argv[1], probes[i].name) == 0) {
      probes[i].fn();
      printf("DONE\n");
      return 0;
    }
  }
  fprintf(stderr, "unknown probe\n");
  return 2;
}
