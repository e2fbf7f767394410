// file-io: write a file of MIB MiB (default 256) in 64 KiB chunks, read it
// back in 64 KiB chunks, verify, then delete it. Exercises path_open,
// fd_write/fd_read with large buffers (memory copy cost), fd_close and
// path_unlink_file. argv[1] = directory (default /sandbox), argv[2] = MiB.
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

static unsigned char buf[CHUNK];

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/sandbox";
    long mib = argc > 2 ? atol(argv[2]) : 256;
    long chunks = mib * (1024 * 1024 / CHUNK);
    char path[512];
    snprintf(path, sizeof path, "%s/file-io.bin", dir);

    for (int i = 0; i < CHUNK; i++) buf[i] = (unsigned char)(i * 31 + 7);

    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { fprintf(stderr, "open(w) %s: %s\n", path, strerror(errno)); return 1; }
    for (long c = 0; c < chunks; c++) {
        // stamp the chunk index into the first/last bytes so the read-back
        // check catches misordered or short I/O
        buf[0] = (unsigned char)c;
        buf[CHUNK - 1] = (unsigned char)(c >> 8);
        size_t off = 0;
        while (off < CHUNK) {
            ssize_t w = write(fd, buf + off, CHUNK - off);
            if (w <= 0) { fprintf(stderr, "write: %s\n", strerror(errno)); return 1; }
            off += (size_t)w;
        }
    }
    if (close(fd) != 0) { fprintf(stderr, "close(w): %s\n", strerror(errno)); return 1; }

    fd = open(path, O_RDONLY);
    if (fd < 0) { fprintf(stderr, "open(r) %s: %s\n", path, strerror(errno)); return 1; }
    long total = 0;
    for (long c = 0;; c++) {
        size_t off = 0;
        while (off < CHUNK) {
            ssize_t r = read(fd, buf + off, CHUNK - off);
            if (r < 0) { fprintf(stderr, "read: %s\n", strerror(errno)); return 1; }
            if (r == 0) break;
            off += (size_t)r;
        }
        if (off == 0) break;
        if (off != CHUNK || buf[0] != (unsigned char)c ||
            buf[CHUNK - 1] != (unsigned char)(c >> 8) || buf[1] != (unsigned char)(1 * 31 + 7)) {
            fprintf(stderr, "file-io: verification failed at chunk %ld (got %zu bytes)\n", c, off);
            return 1;
        }
        total += (long)off;
    }
    if (close(fd) != 0) { fprintf(stderr, "close(r): %s\n", strerror(errno)); return 1; }
    if (total != chunks * CHUNK) {
        fprintf(stderr, "file-io: read %ld bytes, expected %ld\n", total, chunks * CHUNK);
        return 1;
    }
    if (unlink(path) != 0) { fprintf(stderr, "unlink: %s\n", strerror(errno)); return 1; }
    return 0;
}
