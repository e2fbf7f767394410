/* random_get: 0 bytes, 1 byte, 1 MiB; not all zero, well spread. */
#include "check.h"

#define MIB (1024 * 1024)

int main(void) {
  static uint8_t big[MIB + 16];
  uint8_t one[4] = {0xAB, 0xAB, 0xAB, 0xAB};
  OK(__wasi_random_get(one, 0));
  CHECK(one[0] == 0xAB);
  /* one byte: only that byte may change; try until it differs from 0xAB */
  int changed = 0;
  for (int i = 0; i < 64 && !changed; i++) {
    OK(__wasi_random_get(one, 1));
    CHECK(one[1] == 0xAB && one[2] == 0xAB);
    changed = one[0] != 0xAB;
  }
  CHECK(changed);

  memset(big, 0, sizeof big);
  memset(big + MIB, 0x5A, 16);
  OK(__wasi_random_get(big, MIB));
  for (int i = 0; i < 16; i++) CHECK(big[MIB + i] == 0x5A); /* no overrun */
  static uint32_t hist[256];
  for (size_t i = 0; i < MIB; i++) hist[big[i]]++;
  /* each value expected 4096 times, sd ~64 */
  for (int v = 0; v < 256; v++)
    CHECKF(hist[v] > 3000 && hist[v] < 5200, "value %d seen %u times", v, (unsigned)hist[v]);
  /* the tail of the buffer was filled too */
  int nonzero = 0;
  for (size_t i = MIB - 64; i < MIB; i++) nonzero += big[i] != 0;
  CHECK(nonzero > 32);

  /* two calls differ */
  uint8_t a[32], b[32];
  OK(__wasi_random_get(a, sizeof a));
  OK(__wasi_random_get(b, sizeof b));
  CHECK(memcmp(a, b, sizeof a) != 0);
  /* odd sizes and unaligned buffers */
  OK(__wasi_random_get(big + 3, 65537));
  DONE();
}
