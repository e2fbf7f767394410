/*
 * A CGI-style guest for examples/http-service.mjs: the request body arrives
 * on stdin, the method, path and headers in the environment (REQUEST_METHOD,
 * PATH_INFO, QUERY_STRING, HTTP_*), and stdout is the response body.
 * Rebuild: clang --target=wasm32-wasi -O2 -s examples/cgi.c -o examples/cgi.wasm
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  const char *method = getenv("REQUEST_METHOD");
  const char *path = getenv("PATH_INFO");
  const char *agent = getenv("HTTP_USER_AGENT");
  static char body[65536]; /* static: the wasm stack is only 64 KiB */
  size_t n = 0;
  ssize_t r;
  while (n < sizeof body && (r = read(0, body + n, sizeof body - n)) > 0) n += (size_t)r;
  size_t words = 0;
  for (size_t i = 0; i < n; i++)
    if (!isspace((unsigned char)body[i]) && (i == 0 || isspace((unsigned char)body[i - 1]))) words++;
  printf("%s %s from %s: %zu bytes, %zu words\n", method ? method : "?", path ? path : "/", agent ? agent : "?", n, words);
  return 0;
}
