/*
 * Issue 15's probes: from inside a Wasm container, try to reach what belongs
 * to the container runner or the kernel — procfs, sysfs, cgroupfs, device
 * nodes, the runner's Node and tswasi — by every path form: plain, through
 * "..", through symlinks the guest makes (absolute and relative), through
 * symlinks planted in a data volume, by hard link and by rename. Every
 * operation: open for reading (and read), open for writing, list, stat,
 * readlink. A success is a HIT; the test wants none.
 *
 *   runtime_probe probe [VOLUME_DIR]   all probes; "HIT ..." lines, then a count
 *   runtime_probe root                 the names in "/", sorted
 *   runtime_probe tty                  is stdout a terminal (a character device)?
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *TARGETS[] = {
  "/proc", "/proc/self", "/proc/self/mem", "/proc/self/environ", "/proc/self/maps", "/proc/self/mounts",
  "/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/3", "/proc/self/fd/3/etc", "/proc/self/root",
  "/proc/self/root/tswasi/node", "/proc/self/exe", "/proc/self/cwd", "/proc/1/root", "/proc/1/root/tswasi/pkg",
  "/proc/1/environ", "/proc/1/cmdline", "/proc/thread-self/environ", "/proc/sysrq-trigger", "/proc/kcore",
  "/sys", "/sys/fs/cgroup", "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/kernel/uevent_helper", "/sys/class/net",
  "/dev", "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/tty", "/dev/ptmx", "/dev/pts", "/dev/pts/0",
  "/dev/shm", "/dev/mqueue", "/dev/console",
  "/tswasi", "/tswasi/node", "/tswasi/pkg", "/tswasi/pkg/dist/oci/runner.js", "/tswasi/pkg/package.json",
  "/lib64/ld-linux-x86-64.so.2", "/lib/libc.so.6", "/rootfs", "/rootfs/probe.wasm",
};
#define NTARGETS (sizeof TARGETS / sizeof TARGETS[0])

static int attempts, hits, links;
static char LINKS[256] = "/probe-links";

static void hit(const char *op, const char *path, const char *detail) {
  hits++;
  printf("HIT %s %s%s%s\n", op, path, detail[0] ? " " : "", detail);
}

/* Every operation on one path. */
static void try_all(const char *path, int readlink_too) {
  char buf[256];
  attempts++;
  int fd = open(path, O_RDONLY);
  if (fd >= 0) {
    ssize_t n = read(fd, buf, sizeof buf - 1);
    snprintf(buf, sizeof buf, "(read %d)", (int)n);
    hit("open-read", path, buf);
    close(fd);
  }
  attempts++;
  fd = open(path, O_WRONLY);
  if (fd >= 0) { hit("open-write", path, ""); close(fd); }
  attempts++;
  DIR *d = opendir(path);
  if (d) {
    struct dirent *e = readdir(d);
    hit("list", path, e ? e->d_name : "(empty)");
    closedir(d);
  }
  attempts++;
  struct stat st;
  if (stat(path, &st) == 0) { snprintf(buf, sizeof buf, "(mode %o)", (unsigned)st.st_mode); hit("stat", path, buf); }
  if (readlink_too) {
    attempts++;
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    if (n >= 0) { buf[n] = 0; hit("readlink", path, buf); }
  }
}

static void probe(const char *volume) {
  char p[512], l[512];
  /* The guest's own links go where it can write: the volume, else "/". */
  if (volume) snprintf(LINKS, sizeof LINKS, "%s/probe-links", volume);
  mkdir(LINKS, 0755);
  for (size_t i = 0; i < NTARGETS; i++) {
    const char *t = TARGETS[i];
    try_all(t, 1);
    snprintf(p, sizeof p, "/etc/..%s", t); try_all(p, 1);
    snprintf(p, sizeof p, "/..%s", t); try_all(p, 1);
    snprintf(p, sizeof p, "/../../..%s", t); try_all(p, 1);
    snprintf(p, sizeof p, "../../..%s", t); try_all(p, 1);
    snprintf(p, sizeof p, "%s/..%s", LINKS, t); try_all(p, 1);
    /* Symlinks the guest makes: absolute and relative targets. */
    snprintf(l, sizeof l, "%s/abs%zu", LINKS, i);
    if (symlink(t, l) == 0) { links++; try_all(l, 0); }
    snprintf(l, sizeof l, "%s/rel%zu", LINKS, i);
    snprintf(p, sizeof p, "../../../../../..%s", t);
    if (symlink(p, l) == 0) { links++; try_all(l, 0); }
    /* A hard link to it, and moving it. */
    attempts++;
    snprintf(l, sizeof l, "%s/hard%zu", LINKS, i);
    if (link(t, l) == 0) hit("link", t, "");
    attempts++;
    snprintf(l, sizeof l, "%s/moved%zu", LINKS, i);
    if (rename(t, l) == 0) { hit("rename", t, ""); rename(l, t); }
  }
  /* Symlinks planted in a data volume by the host: each name is tried as is. */
  if (volume) {
    DIR *d = opendir(volume);
    struct dirent *e;
    while (d && (e = readdir(d))) {
      if (strncmp(e->d_name, "link-", 5) != 0) continue;
      snprintf(p, sizeof p, "%s/%s", volume, e->d_name);
      try_all(p, 0);
      snprintf(p, sizeof p, "%s/%s/self/environ", volume, e->d_name);
      try_all(p, 0);
    }
    if (d) closedir(d);
  }
  printf("runtime-probe: %d attempts, %d hits, %d symlinks made\n", attempts, hits, links);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void root_names(void) {
  char *names[256];
  int n = 0;
  DIR *d = opendir("/");
  struct dirent *e;
  while (d && (e = readdir(d)) && n < 256) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    names[n++] = strdup(e->d_name);
  }
  qsort(names, n, sizeof *names, cmp);
  for (int i = 0; i < n; i++) puts(names[i]);
}

int main(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "probe")) { probe(argc >= 3 ? argv[2] : NULL); return 0; }
  if (argc >= 2 && !strcmp(argv[1], "root")) { root_names(); return 0; }
  if (argc >= 2 && !strcmp(argv[1], "tty")) {
    __wasi_fdstat_t st;
    __wasi_fd_fdstat_get(1, &st);
    printf("stdout filetype %d (%s)\n", st.fs_filetype, st.fs_filetype == __WASI_FILETYPE_CHARACTER_DEVICE ? "terminal" : "not a terminal");
    return 0;
  }
  fprintf(stderr, "usage: runtime_probe probe [VOLUME] | root | tty\n");
  return 2;
}
