/* args_get, args_sizes_get, environ_get, environ_sizes_get.
 * The test runs this with argv = [args_env, "a", "b c", "ünï", ""] and
 * env = { K: "V", EMPTY: "", EQ: "x=y" } (and nothing else). */
#include "check.h"

static const char *want_args[] = {"args_env", "a", "b c", "\xc3\xbcn\xc3\xaf", ""};
static const char *want_env[] = {"K=V", "EMPTY=", "EQ=x=y"};
#define NARGS (sizeof want_args / sizeof *want_args)
#define NENV (sizeof want_env / sizeof *want_env)

static void check_block(uint8_t **ptrs, uint8_t *buf, __wasi_size_t count,
                        __wasi_size_t bufsize) {
  /* Each pointer points into buf, NUL-terminated, packed back to back. */
  uint8_t *p = buf;
  for (__wasi_size_t i = 0; i < count; i++) {
    CHECKF(ptrs[i] == p, "entry %u at offset %ld, expected %ld", (unsigned)i,
           (long)(ptrs[i] - buf), (long)(p - buf));
    size_t n = strlen((char *)p);
    p += n + 1;
    CHECK(p <= buf + bufsize);
  }
  CHECKF(p == buf + bufsize, "strings use %ld bytes, sizes_get said %u",
         (long)(p - buf), (unsigned)bufsize);
}

int main(int argc, char **argv) {
  /* args */
  __wasi_size_t argc_w = 0, argv_size = 0;
  OK(__wasi_args_sizes_get(&argc_w, &argv_size));
  CHECKF(argc_w == NARGS, "argc %u", (unsigned)argc_w);
  size_t want_size = 0;
  for (size_t i = 0; i < NARGS; i++) want_size += strlen(want_args[i]) + 1;
  CHECKF(argv_size == want_size, "argv_buf_size %u, want %u", (unsigned)argv_size,
         (unsigned)want_size);
  uint8_t **av = calloc(argc_w + 1, sizeof *av);
  /* Surround the buffer with canaries to catch overruns. */
  uint8_t *abuf = malloc(argv_size + 16);
  memset(abuf, 0xAA, argv_size + 16);
  av[argc_w] = (uint8_t *)0x12345;
  OK(__wasi_args_get(av, abuf));
  CHECK(av[argc_w] == (uint8_t *)0x12345);
  for (size_t i = 0; i < 16; i++) CHECK(abuf[argv_size + i] == 0xAA);
  check_block(av, abuf, argc_w, argv_size);
  for (size_t i = 0; i < NARGS; i++)
    CHECKF(strcmp((char *)av[i], want_args[i]) == 0, "arg %zu is '%s'", i, (char *)av[i]);

  /* libc's view agrees */
  CHECK(argc == (int)NARGS);
  for (int i = 0; i < argc; i++) CHECK(strcmp(argv[i], want_args[i]) == 0);

  /* environ */
  __wasi_size_t envc = 0, env_size = 0;
  OK(__wasi_environ_sizes_get(&envc, &env_size));
  CHECKF(envc == NENV, "environ count %u", (unsigned)envc);
  want_size = 0;
  for (size_t i = 0; i < NENV; i++) want_size += strlen(want_env[i]) + 1;
  CHECKF(env_size == want_size, "environ_buf_size %u, want %u", (unsigned)env_size,
         (unsigned)want_size);
  uint8_t **ev = calloc(envc + 1, sizeof *ev);
  uint8_t *ebuf = malloc(env_size + 16);
  memset(ebuf, 0xAA, env_size + 16);
  OK(__wasi_environ_get(ev, ebuf));
  for (size_t i = 0; i < 16; i++) CHECK(ebuf[env_size + i] == 0xAA);
  check_block(ev, ebuf, envc, env_size);
  for (size_t w = 0; w < NENV; w++) {
    int seen = 0;
    for (size_t i = 0; i < envc; i++)
      if (strcmp((char *)ev[i], want_env[w]) == 0) seen++;
    CHECKF(seen == 1, "'%s' seen %d times", want_env[w], seen);
  }
  CHECK(getenv("K") && strcmp(getenv("K"), "V") == 0);
  CHECK(getenv("EQ") && strcmp(getenv("EQ"), "x=y") == 0);
  CHECK(getenv("EMPTY") && strcmp(getenv("EMPTY"), "") == 0);
  CHECK(getenv("NOPE") == NULL);
  DONE();
}
