// many-files: create N (default 20,000) small files in a fresh
// subdirectory, stat each one, list the directory with readdir, then
// delete every file and the directory. Exercises path_open, fd_write,
// fd_close, path_filestat_get, fd_readdir, path_unlink_file and
// path_remove_directory -- i.e. path resolution + fd-table churn.
// argv[1] = directory (default /sandbox), argv[2] = N.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "/sandbox";
    long n = argc > 2 ? atol(argv[2]) : 20000;
    char dir[512], path[600];
    static const char content[] = "tswasi many-files payload\n";
    const size_t clen = sizeof content - 1;

    snprintf(dir, sizeof dir, "%s/many", base);
    if (mkdir(dir, 0755) != 0) { fprintf(stderr, "mkdir %s: %s\n", dir, strerror(errno)); return 1; }

    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/f%06ld.txt", dir, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) { fprintf(stderr, "open %s: %s\n", path, strerror(errno)); return 1; }
        if (write(fd, content, clen) != (ssize_t)clen) { fprintf(stderr, "write %s: %s\n", path, strerror(errno)); return 1; }
        if (close(fd) != 0) { fprintf(stderr, "close %s: %s\n", path, strerror(errno)); return 1; }
    }

    for (long i = 0; i < n; i++) {
        struct stat st;
        snprintf(path, sizeof path, "%s/f%06ld.txt", dir, i);
        if (stat(path, &st) != 0) { fprintf(stderr, "stat %s: %s\n", path, strerror(errno)); return 1; }
        if (st.st_size != (off_t)clen || !S_ISREG(st.st_mode)) {
            fprintf(stderr, "stat %s: size %lld mode %o\n", path, (long long)st.st_size, (unsigned)st.st_mode);
            return 1;
        }
    }

    DIR *d = opendir(dir);
    if (!d) { fprintf(stderr, "opendir %s: %s\n", dir, strerror(errno)); return 1; }
    long seen = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == 'f') seen++;
    }
    if (errno != 0) { fprintf(stderr, "readdir: %s\n", strerror(errno)); return 1; }
    closedir(d);
    if (seen != n) { fprintf(stderr, "readdir saw %ld entries, expected %ld\n", seen, n); return 1; }

    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/f%06ld.txt", dir, i);
        if (unlink(path) != 0) { fprintf(stderr, "unlink %s: %s\n", path, strerror(errno)); return 1; }
    }
    if (rmdir(dir) != 0) { fprintf(stderr, "rmdir %s: %s\n", dir, strerror(errno)); return 1; }
    return 0;
}
