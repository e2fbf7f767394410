/* `..`, absolute paths and guest-made symlinks must not leave the sandbox.
 * The host plants data/file.txt ("inside"), data/sub/, and the sibling dir
 * outside/ (secret.txt, victim.txt, dir/inner.txt). */
#include "sandbox.h"

/* A symlink the guest made pointing outside (creating it may be refused;
 * if it exists it must not be followed out). */
static void guest_link(__wasi_fd_t dir, const char *target, const char *name,
                       const char *below) {
  __wasi_errno_t e = __wasi_path_symlink(target, dir, name);
  if (e != 0) {
    CHECKF(e == __WASI_ERRNO_NOTCAPABLE || e == __WASI_ERRNO_PERM,
           "path_symlink(%s) refused with %s", target, errno_name(e));
    return;
  }
  __wasi_filestat_t st;
  OK(__wasi_path_filestat_get(dir, 0, name, &st));
  CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  char buf[256];
  __wasi_size_t n;
  OK(__wasi_path_readlink(dir, name, (uint8_t *)buf, sizeof buf, &n));
  CHECK(n == strlen(target) && memcmp(buf, target, n) == 0);
  EXPECT_ESCAPE(try_stat(dir, FOLLOW, name));
  if (below) {
    EXPECT_ESCAPE(try_read(dir, FOLLOW, join(name, below)));
    EXPECT_ESCAPE(try_opendir(dir, name));
    EXPECT_FAIL(__wasi_path_create_directory(dir, join(name, "x")));
    EXPECT_FAIL(try_create(dir, join(name, "new.txt"), __WASI_OFLAGS_CREAT));
    EXPECT_FAIL(__wasi_path_unlink_file(dir, join(name, "victim.txt")));
  } else {
    EXPECT_ESCAPE(try_read(dir, FOLLOW, name));
    EXPECT_FAIL(try_create(dir, name, __WASI_OFLAGS_TRUNC));
    EXPECT_FAIL(try_times(dir, name));
  }
  OK(__wasi_path_unlink_file(dir, name));
}

int main(void) {
  __wasi_fd_t dir = sandbox_fd(), fd;
  __wasi_filestat_t st;
  char buf[64];
  __wasi_size_t n;

  /* ---- `..` */
  EXPECT_ESCAPE(try_opendir(dir, ".."));
  EXPECT_ESCAPE(try_stat(dir, 0, ".."));
  EXPECT_ESCAPE(try_stat(dir, 0, "../outside"));
  EXPECT_ESCAPE(try_read(dir, 0, "../outside/secret.txt"));
  EXPECT_ESCAPE(try_read(dir, 0, "data/../../outside/secret.txt"));
  EXPECT_ESCAPE(try_read(dir, 0, "data/sub/../../../outside/secret.txt"));
  EXPECT_ESCAPE(try_stat(dir, 0, "./.."));
  EXPECT_ESCAPE(try_stat(dir, 0, "data/../.."));
  EXPECT_ESCAPE(try_stat(dir, 0, "../sandbox/data/file.txt")); /* out and back in */
  EXPECT_FAIL(__wasi_path_create_directory(dir, "../newdir"));
  EXPECT_FAIL(__wasi_path_create_directory(dir, "../outside/newdir"));
  EXPECT_FAIL(__wasi_path_remove_directory(dir, "../outside/dir"));
  EXPECT_FAIL(__wasi_path_unlink_file(dir, "../outside/victim.txt"));
  EXPECT_FAIL(__wasi_path_rename(dir, "data/file.txt", dir, "../stolen.txt"));
  EXPECT_FAIL(__wasi_path_rename(dir, "../outside/victim.txt", dir, "data/v.txt"));
  EXPECT_FAIL(__wasi_path_link(dir, 0, "data/file.txt", dir, "../outside/hl.txt"));
  EXPECT_FAIL(__wasi_path_link(dir, 0, "../outside/secret.txt", dir, "data/hl.txt"));
  EXPECT_FAIL(__wasi_path_symlink("x", dir, "../outside/lnk"));
  EXPECT_FAIL(try_times(dir, "../outside/victim.txt"));
  EXPECT_FAIL(try_times(dir, ".."));
  EXPECT_FAIL(try_create(dir, "../outside/victim.txt", __WASI_OFLAGS_TRUNC));
  EXPECT_FAIL(try_create(dir, "../outside/new.txt", __WASI_OFLAGS_CREAT));
  EXPECT_FAIL(__wasi_path_readlink(dir, "../outside/x", (uint8_t *)buf, sizeof buf, &n));
  /* `..` that stays inside is fine */
  OK(__wasi_path_filestat_get(dir, 0, "data/..", &st));
  CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY);
  OK(get_file(dir, "data/sub/../file.txt", buf, sizeof buf));
  CHECK(strcmp(buf, "inside") == 0);
  OK(get_file(dir, "data/sub/../../data/./file.txt", buf, sizeof buf));
  CHECK(strcmp(buf, "inside") == 0);
  /* from a subdirectory fd, `..` is outside *that* fd's sandbox */
  OK(open_dir(dir, "data", &fd));
  EXPECT_ESCAPE(try_read(fd, 0, "../data/file.txt"));
  EXPECT_ESCAPE(try_stat(fd, 0, ".."));
  OK(get_file(fd, "sub/../file.txt", buf, sizeof buf));
  CHECK(strcmp(buf, "inside") == 0);
  OK(__wasi_fd_close(fd));

  /* ---- absolute paths */
  EXPECT_ESCAPE(try_read(dir, 0, "/etc/passwd"));
  EXPECT_ESCAPE(try_stat(dir, 0, "/etc"));
  EXPECT_ESCAPE(try_stat(dir, 0, "/"));
  EXPECT_ESCAPE(try_opendir(dir, "/"));
  EXPECT_ESCAPE(try_read(dir, 0, "/sandbox/data/file.txt"));
  EXPECT_FAIL(__wasi_path_create_directory(dir, "/tmp/tswasi_escape_dir"));
  EXPECT_FAIL(try_create(dir, "/tmp/tswasi_escape_file", __WASI_OFLAGS_CREAT));
  EXPECT_FAIL(__wasi_path_symlink("x", dir, "/tmp/tswasi_escape_link"));
  /* libc maps "/sandbox/..." onto the preopen; a path that climbs out of it fails */
  CHECK(fopen("/etc/passwd", "r") == NULL);
  CHECK(fopen("/sandbox/../etc/passwd", "r") == NULL);
  CHECK(fopen("/sandbox/../outside/secret.txt", "r") == NULL);
  FILE *f = fopen("/sandbox/data/file.txt", "r");
  CHECK(f != NULL);
  fclose(f);

  /* ---- symlinks the guest makes */
  guest_link(dir, "/etc/passwd", "g_abs_file", NULL);
  guest_link(dir, "/etc", "g_abs_dir", "passwd");
  guest_link(dir, "/", "g_root", "etc/passwd");
  guest_link(dir, "../outside", "g_rel_dir", "secret.txt");
  guest_link(dir, "../outside/secret.txt", "g_rel_file", NULL);
  guest_link(dir, "../outside/victim.txt", "g_rel_victim", NULL);
  guest_link(dir, "data/../../outside", "g_dotdot", "secret.txt");
  guest_link(dir, "../../../../../../../../outside", "g_many", "secret.txt");
  /* deeper in the tree: ../../ from data/sub is the sandbox root's parent */
  {
    __wasi_errno_t e = __wasi_path_symlink("../../../outside", dir, "data/sub/g_deep");
    if (e == 0) {
      EXPECT_ESCAPE(try_read(dir, FOLLOW, "data/sub/g_deep/secret.txt"));
      EXPECT_ESCAPE(try_opendir(dir, "data/sub/g_deep"));
    } else {
      CHECK(e == __WASI_ERRNO_NOTCAPABLE || e == __WASI_ERRNO_PERM);
    }
  }
  /* a chain the guest builds: inside -> inside -> outside */
  if (__wasi_path_symlink("../outside", dir, "g_c3") == 0) {
    OK(__wasi_path_symlink("g_c3", dir, "g_c2"));
    OK(__wasi_path_symlink("g_c2", dir, "g_c1"));
    EXPECT_ESCAPE(try_read(dir, FOLLOW, "g_c1/secret.txt"));
    EXPECT_ESCAPE(try_opendir(dir, "g_c1"));
    EXPECT_FAIL(try_times(dir, "g_c1"));
  }
  /* an intermediate component: a/link/b */
  OK(__wasi_path_create_directory(dir, "ga"));
  if (__wasi_path_symlink("../../outside", dir, "ga/link") == 0) {
    EXPECT_ESCAPE(try_read(dir, 0, "ga/link/secret.txt"));
    EXPECT_ESCAPE(try_stat(dir, 0, "ga/link/dir/inner.txt"));
    EXPECT_FAIL(__wasi_path_create_directory(dir, "ga/link/new"));
    EXPECT_FAIL(__wasi_path_unlink_file(dir, "ga/link/victim.txt"));
    EXPECT_FAIL(__wasi_path_remove_directory(dir, "ga/link/dir"));
  }
  DONE();
}
