// walk: build a deep tree (585 directories, 5,000 files: the top directory,
// 8 + 64 + 512 below it, 8 or 9 small files in each of those), then walk it
// P times (default 4) the way nftw/du do: readdir every directory, lstat
// every entry by its full path, recurse into subdirectories. Checks the counts
// and byte total of every pass and prints one summary line, identical on
// every correct host. Exercises fd_readdir (listing, cookies, d_ino/d_type),
// path_filestat_get through multi-component paths (path resolution and the
// sandbox), path_open/fd_close of directories.
// argv[1] = directory (default /sandbox), argv[2] = passes.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FANOUT 8
#define DEPTH 3
#define FILES 5000

static long dirs_made, files_made;
static long long bytes_made;
static long nonroot_dirs; // directories below the top one, for the file spread

static int die(const char *what, const char *path) {
    fprintf(stderr, "%s %s: %s\n", what, path, strerror(errno));
    exit(1);
}

// Directory i (0-based among the non-top ones) gets FILES / n files, plus one
// for the first FILES % n of them, so the total is exactly FILES.
static void fill(const char *dir, long i) {
    long per = FILES / nonroot_dirs, extra = FILES % nonroot_dirs;
    long k = per + (i < extra ? 1 : 0);
    char path[512];
    for (long f = 0; f < k; f++) {
        snprintf(path, sizeof path, "%s/file%ld.dat", dir, f);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) die("open", path);
        size_t len = (size_t)(1 + (i * 7 + f * 13) % 64); // deterministic sizes 1..64
        char buf[64];
        memset(buf, 'a' + (int)(f % 26), len);
        if (write(fd, buf, len) != (ssize_t)len) die("write", path);
        if (close(fd) != 0) die("close", path);
        files_made++;
        bytes_made += (long long)len;
    }
}

static void build(const char *dir, int depth) {
    if (mkdir(dir, 0755) != 0) die("mkdir", dir);
    dirs_made++;
    if (depth > 0) fill(dir, dirs_made - 2);
    if (depth == DEPTH) return;
    char sub[512];
    for (int j = 0; j < FANOUT; j++) {
        snprintf(sub, sizeof sub, "%s/d%d", dir, j);
        build(sub, depth + 1);
    }
}

static long dirs_seen, files_seen;
static long long bytes_seen;

static void walk(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) die("opendir", dir);
    dirs_seen++;
    struct dirent *e;
    char path[512];
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0) die("lstat", path);
        // d_ino 0 means "unknown" (node:wasi reports that); any other value must be the entry's.
        if (e->d_ino != 0 && st.st_ino != e->d_ino) { fprintf(stderr, "%s: d_ino %llu, st_ino %llu\n", path, (unsigned long long)e->d_ino, (unsigned long long)st.st_ino); exit(1); }
        if (S_ISDIR(st.st_mode)) {
            if (e->d_type != DT_DIR) { fprintf(stderr, "%s: d_type %d for a directory\n", path, e->d_type); exit(1); }
            walk(path);
        } else if (S_ISREG(st.st_mode)) {
            if (e->d_type != DT_REG) { fprintf(stderr, "%s: d_type %d for a file\n", path, e->d_type); exit(1); }
            files_seen++;
            bytes_seen += (long long)st.st_size;
        } else {
            fprintf(stderr, "%s: unexpected mode %o\n", path, (unsigned)st.st_mode);
            exit(1);
        }
        errno = 0;
    }
    if (errno != 0) die("readdir", dir);
    closedir(d);
}

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "/sandbox";
    long passes = argc > 2 ? atol(argv[2]) : 4;
    char top[512];
    snprintf(top, sizeof top, "%s/tree", base);
    long n = 1;
    for (int i = 0; i < DEPTH; i++) n *= FANOUT, nonroot_dirs += n;
    build(top, 0);
    if (files_made != FILES) { fprintf(stderr, "built %ld files, wanted %d\n", files_made, FILES); return 1; }
    for (long p = 0; p < passes; p++) {
        dirs_seen = files_seen = 0;
        bytes_seen = 0;
        walk(top);
        if (dirs_seen != dirs_made || files_seen != files_made || bytes_seen != bytes_made) {
            fprintf(stderr, "pass %ld: saw %ld dirs, %ld files, %lld bytes; made %ld, %ld, %lld\n",
                    p, dirs_seen, files_seen, bytes_seen, dirs_made, files_made, bytes_made);
            return 1;
        }
    }
    printf("walk: %ld passes over %ld directories, %ld files, %lld bytes\n", passes, dirs_made, files_made, bytes_made);
    return 0;
}
