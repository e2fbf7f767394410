// 10000 x write(1, "x\n", 2), then 10 x write(1, "y\n", 2): recorded, the
// repeated writes are REPEAT records of at most 4096 calls each (the
// recorder's longest run, docs/record-replay.md); replayed, the same.
#include <unistd.h>

int main(void) {
  for (int i = 0; i < 10000; i++) {
    if (write(1, "x\n", 2) != 2) return 1;
  }
  for (int i = 0; i < 10; i++) {
    if (write(1, "y\n", 2) != 2) return 1;
  }
  return 0;
}
