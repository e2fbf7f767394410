/*
 * A small guest for the OCI tests: each subcommand exercises one thing
 * podman passes through to a Wasm container.
 *   args | env NAME | exit N | cat FILE | write FILE TEXT | ls DIR | spin | sleep | ticker | hello
 *   tty [read]: whether stdin, stdout and stderr are terminals (then a line read from stdin), exit 3
 *   report CODE NAME...: argv, then NAME=value of each variable named, then exit CODE
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : "hello";
  if (!strcmp(cmd, "args")) {
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    return 0;
  }
  if (!strcmp(cmd, "env") && argc > 2) {
    const char *v = getenv(argv[2]);
    printf("%s=%s\n", argv[2], v ? v : "(unset)");
    return 0;
  }
  if (!strcmp(cmd, "exit") && argc > 2) return atoi(argv[2]);
  if (!strcmp(cmd, "tty")) {
    char line[128] = "";
    printf("isatty: %d %d %d\n", isatty(0), isatty(1), isatty(2));
    fflush(stdout);
    if (argc > 2 && !strcmp(argv[2], "read") && fgets(line, sizeof line, stdin)) printf("read: %s", line);
    return 3;
  }
  if (!strcmp(cmd, "report") && argc > 2) {
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    for (int i = 3; i < argc; i++) {
      const char *v = getenv(argv[i]);
      printf("%s=%s\n", argv[i], v ? v : "(unset)");
    }
    return atoi(argv[2]);
  }
  if (!strcmp(cmd, "cat") && argc > 2) {
    FILE *f = fopen(argv[2], "r");
    if (!f) { perror(argv[2]); return 2; }
    char b[256];
    size_t n;
    while ((n = fread(b, 1, sizeof b, f)) > 0) fwrite(b, 1, n, stdout);
    fclose(f);
    return 0;
  }
  if (!strcmp(cmd, "write") && argc > 3) {
    FILE *f = fopen(argv[2], "w");
    if (!f) { perror(argv[2]); return 2; }
    fputs(argv[3], f);
    if (fclose(f)) { perror("close"); return 3; }
    return 0;
  }
  if (!strcmp(cmd, "ls") && argc > 2) {
    DIR *d = opendir(argv[2]);
    if (!d) { perror(argv[2]); return 2; }
    struct dirent *e;
    while ((e = readdir(d))) if (e->d_name[0] != '.') printf("%s\n", e->d_name);
    closedir(d);
    return 0;
  }
  if (!strcmp(cmd, "spin")) {
    printf("spinning\n");
    fflush(stdout);
    volatile unsigned long x = 0;
    for (;;) x++;
  }
  if (!strcmp(cmd, "sleep")) {
    sleep(3600); /* idle, silent: for many containers at once */
    return 0;
  }
  if (!strcmp(cmd, "ticker")) {
    for (int i = 0;; i++) {
      printf("tick %d\n", i);
      fflush(stdout);
      sleep(1);
    }
  }
  printf("hello world from the webassembly module !!!!\n");
  return 0;
}
