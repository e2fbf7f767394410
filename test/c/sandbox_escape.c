/* Symlinks planted by the HOST inside the sandbox that point outside it.
 * Nothing may be read, listed, stat-ed or changed through them. The node
 * test checks afterwards that the sibling 'outside' dir is untouched.
 *
 * Planted (see sandbox.test.mjs):
 *   abs_etc -> /etc               abs_passwd -> /etc/passwd
 *   abs_out -> <absolute path of outside>
 *   rel_out -> ../outside         sub/rel_out2 -> ../../outside
 *   rel_secret -> ../outside/secret.txt
 *   rel_victim -> ../outside/victim.txt
 *   chain1 -> chain2 -> sub/chain3 -> ../rel_out
 *   a/esc -> ../../outside        loop1 <-> loop2, self -> self
 * outside/: secret.txt, victim.txt, dir/inner.txt */
#include "sandbox.h"

/* Every operation through a directory link L that leads outside. */
static void dir_link_escapes(__wasi_fd_t dir, const char *L) {
  __wasi_filestat_t st;
  /* the link itself is inside and visible */
  OK(__wasi_path_filestat_get(dir, 0, L, &st));
  CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  /* read / list / stat through it */
  EXPECT_ESCAPE(try_read(dir, FOLLOW, join(L, "secret.txt")));
  EXPECT_ESCAPE(try_read(dir, 0, join(L, "secret.txt")));
  EXPECT_ESCAPE(try_read(dir, 0, join(L, "dir/inner.txt")));
  EXPECT_ESCAPE(try_opendir(dir, L));
  EXPECT_ESCAPE(try_opendir(dir, join(L, "dir")));
  EXPECT_ESCAPE(try_stat(dir, FOLLOW, L));
  EXPECT_ESCAPE(try_stat(dir, 0, join(L, "secret.txt")));
  EXPECT_ESCAPE(try_stat(dir, 0, join(L, "missing")));
  /* change through it */
  EXPECT_FAIL(__wasi_path_create_directory(dir, join(L, "newdir")));
  EXPECT_FAIL(__wasi_path_remove_directory(dir, join(L, "dir")));
  EXPECT_FAIL(__wasi_path_unlink_file(dir, join(L, "victim.txt")));
  EXPECT_FAIL(__wasi_path_unlink_file(dir, join(L, "dir/inner.txt")));
  EXPECT_FAIL(__wasi_path_rename(dir, join(L, "victim.txt"), dir, "data/stolen.txt"));
  EXPECT_FAIL(__wasi_path_rename(dir, "data/file.txt", dir, join(L, "planted.txt")));
  EXPECT_FAIL(__wasi_path_rename(dir, "data/file.txt", dir, join(L, "victim.txt")));
  EXPECT_FAIL(__wasi_path_link(dir, 0, join(L, "secret.txt"), dir, "data/hard.txt"));
  EXPECT_FAIL(__wasi_path_link(dir, 0, "data/file.txt", dir, join(L, "hard.txt")));
  EXPECT_FAIL(__wasi_path_symlink("x", dir, join(L, "newlink")));
  EXPECT_FAIL(try_times(dir, join(L, "victim.txt")));
  EXPECT_FAIL(try_times(dir, L)); /* the outside dir itself */
  EXPECT_FAIL(try_create(dir, join(L, "victim.txt"), __WASI_OFLAGS_TRUNC));
  EXPECT_FAIL(try_create(dir, join(L, "new.txt"), __WASI_OFLAGS_CREAT));
  EXPECT_FAIL(try_create(dir, join(L, "new2.txt"), __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL));
  char buf[64];
  __wasi_size_t n;
  EXPECT_FAIL(__wasi_path_readlink(dir, join(L, "secret.txt"), (uint8_t *)buf, sizeof buf, &n));
  /* nothing was moved in */
  EXPECT(try_stat(dir, 0, "data/stolen.txt"), __WASI_ERRNO_NOENT);
  EXPECT(try_stat(dir, 0, "data/hard.txt"), __WASI_ERRNO_NOENT);
  OK(__wasi_path_filestat_get(dir, 0, "data/file.txt", &st));
}

int main(void) {
  __wasi_fd_t dir = sandbox_fd(), fd;
  __wasi_filestat_t st;
  char buf[64];
  __wasi_size_t n;

  const char *dir_links[] = {"abs_out", "rel_out", "sub/rel_out2", "chain1", "a/esc"};
  for (size_t i = 0; i < sizeof dir_links / sizeof *dir_links; i++)
    dir_link_escapes(dir, dir_links[i]);

  /* /etc: read-only probes only (never try to change the host's /etc) */
  EXPECT_ESCAPE(try_read(dir, FOLLOW, "abs_etc/passwd"));
  EXPECT_ESCAPE(try_read(dir, FOLLOW, "abs_etc/hostname"));
  EXPECT_ESCAPE(try_opendir(dir, "abs_etc"));
  EXPECT_ESCAPE(try_stat(dir, FOLLOW, "abs_etc"));
  EXPECT_ESCAPE(try_stat(dir, 0, "abs_etc/passwd"));
  EXPECT_ESCAPE(try_read(dir, FOLLOW, "abs_passwd"));
  EXPECT_ESCAPE(try_stat(dir, FOLLOW, "abs_passwd"));

  /* links to single files outside */
  EXPECT_ESCAPE(try_read(dir, FOLLOW, "rel_secret"));
  EXPECT_ESCAPE(try_stat(dir, FOLLOW, "rel_secret"));
  EXPECT(try_read(dir, 0, "rel_secret"), __WASI_ERRNO_LOOP); /* not followed: O_NOFOLLOW */
  EXPECT_FAIL(try_create(dir, "rel_victim", __WASI_OFLAGS_TRUNC));
  EXPECT_FAIL(try_create(dir, "rel_victim", __WASI_OFLAGS_CREAT));
  EXPECT_FAIL(try_times(dir, "rel_victim"));
  EXPECT_FAIL(__wasi_path_link(dir, FOLLOW, "rel_victim", dir, "data/hard2.txt"));
  EXPECT(try_stat(dir, 0, "data/hard2.txt"), __WASI_ERRNO_NOENT);
  /* opening it for writing without follow does not write through it */
  {
    __wasi_errno_t e = __wasi_path_open(dir, 0, "rel_victim", __WASI_OFLAGS_TRUNC,
                                        __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
    CHECKF(e != 0, "path_open(rel_victim, TRUNC, nofollow) succeeded");
  }
  /* readlink shows the text, which is harmless */
  OK(__wasi_path_readlink(dir, "rel_secret", (uint8_t *)buf, sizeof buf, &n));
  CHECK(n == strlen("../outside/secret.txt") && memcmp(buf, "../outside/secret.txt", n) == 0);

  /* loops planted by the host */
  EXPECT(try_read(dir, FOLLOW, "loop1"), __WASI_ERRNO_LOOP);
  EXPECT(try_read(dir, FOLLOW, "self"), __WASI_ERRNO_LOOP);
  EXPECT(try_stat(dir, FOLLOW, "loop2"), __WASI_ERRNO_LOOP);
  EXPECT(try_stat(dir, 0, "self/x"), __WASI_ERRNO_LOOP);
  EXPECT(__wasi_path_create_directory(dir, "loop1/x"), __WASI_ERRNO_LOOP);

  /* a file fd obtained inside cannot be used to reach outside either */
  OK(open_dir(dir, "sub", &fd));
  EXPECT_ESCAPE(try_read(fd, FOLLOW, "../rel_secret"));
  EXPECT_ESCAPE(try_read(fd, FOLLOW, "rel_out2/secret.txt"));
  EXPECT_ESCAPE(try_read(fd, FOLLOW, "../../outside/secret.txt"));
  EXPECT_ESCAPE(try_stat(fd, FOLLOW, ".."));
  EXPECT_ESCAPE(try_opendir(fd, "chain3"));
  OK(__wasi_fd_close(fd));

  /* removing an escaping link removes only the link */
  OK(__wasi_path_unlink_file(dir, "rel_secret"));
  EXPECT(__wasi_path_filestat_get(dir, 0, "rel_secret", &st), __WASI_ERRNO_NOENT);
  OK(__wasi_path_unlink_file(dir, "abs_out"));
  OK(__wasi_path_unlink_file(dir, "sub/rel_out2"));
  DONE();
}
