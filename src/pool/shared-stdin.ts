/**
 * stdin for a guest in a worker, fed from a stream on the caller's thread:
 * a ring buffer in a SharedArrayBuffer. The guest's fd_read blocks with
 * Atomics.wait until bytes or end of input arrive — no polling; the feeder
 * waits for space with Atomics.waitAsync, so the caller's thread never blocks.
 */
import type { StdioSource } from '../../wasi/index.js';

const CAPACITY = 64 * 1024;
/** header: [0] bytes available, [1] read index, [2] write index, [3] 1 = end of input */
const AVAIL = 0;
const READ = 1;
const WRITE = 2;
const EOF = 3;

export function createSharedStdin(): SharedArrayBuffer {
  return new SharedArrayBuffer(16 + CAPACITY);
}

/** The worker's side: a blocking source for the WASI stdin. */
export class SharedStdinReader implements StdioSource {
  private readonly header: Int32Array;
  private readonly data: Uint8Array;

  constructor(sab: SharedArrayBuffer) {
    this.header = new Int32Array(sab, 0, 4);
    this.data = new Uint8Array(sab, 16, CAPACITY);
  }

  read(buf: Uint8Array, off: number, len: number): number {
    const h = this.header;
    while (Atomics.load(h, AVAIL) === 0) {
      if (Atomics.load(h, EOF) === 1) return 0;
      Atomics.wait(h, AVAIL, 0);
    }
    const n = Math.min(len, Atomics.load(h, AVAIL));
    let r = h[READ]!;
    for (let i = 0; i < n; i++) {
      buf[off + i] = this.data[r]!;
      r = r + 1 === CAPACITY ? 0 : r + 1;
    }
    h[READ] = r;
    Atomics.sub(h, AVAIL, n);
    Atomics.notify(h, AVAIL);
    return n;
  }
}

/** The caller's side: copy a stream (or any async iterable of bytes) into the ring. */
export async function feedSharedStdin(sab: SharedArrayBuffer, input: AsyncIterable<Uint8Array | string>): Promise<void> {
  const h = new Int32Array(sab, 0, 4);
  const data = new Uint8Array(sab, 16, CAPACITY);
  try {
    for await (const piece of input) {
      const chunk = typeof piece === 'string' ? new TextEncoder().encode(piece) : piece;
      let at = 0;
      while (at < chunk.length) {
        const avail = Atomics.load(h, AVAIL);
        if (avail === CAPACITY) {
          await Atomics.waitAsync(h, AVAIL, CAPACITY).value;
          continue;
        }
        const n = Math.min(CAPACITY - avail, chunk.length - at);
        let w = h[WRITE]!;
        for (let i = 0; i < n; i++) {
          data[w] = chunk[at + i]!;
          w = w + 1 === CAPACITY ? 0 : w + 1;
        }
        h[WRITE] = w;
        at += n;
        Atomics.add(h, AVAIL, n);
        Atomics.notify(h, AVAIL);
      }
    }
  } finally {
    Atomics.store(h, EOF, 1);
    Atomics.notify(h, AVAIL);
  }
}
