// Walk a directory tree: walk [DIR]. Shows fd_readdir, path_filestat_get and
// how opendir/readdir become WASI calls.
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void walk(const char *dir, int depth) {
  DIR *d = opendir(dir);
  if (!d) { perror(dir); return; }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(path, &st) != 0) { perror(path); continue; }
    if (S_ISDIR(st.st_mode)) {
      printf("%*s%s/\n", depth * 2, "", e->d_name);
      walk(path, depth + 1);
    } else {
      printf("%*s%s (%lld bytes)\n", depth * 2, "", e->d_name, (long long)st.st_size);
    }
  }
  closedir(d);
}

int main(int argc, char **argv) {
  const char *root = argc > 1 ? argv[1] : ".";
  printf("%s/\n", root);
  walk(root, 1);
  return 0;
}
