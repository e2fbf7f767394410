/**
 * stdin typed while the guest runs: the page writes into a SharedArrayBuffer
 * and the worker's StdioSource blocks on it with Atomics.wait (WASI reads are
 * synchronous). Needs cross-origin isolation (`tswasi view` serves the page
 * so); as plain files the page gives the guest its stdin box up front instead.
 *
 * Layout: Int32 [0] end of the bytes written, [1] end of input, [2] read
 * offset; bytes from 16. One chunk at a time: the page writes only when the
 * worker has read everything ([0] back to 0).
 */
const HEADER = 16;
export const STDIN_CAPACITY = 64 * 1024;

export function createStdinBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER + STDIN_CAPACITY);
}

/** The page's side: queue text, hand it over when the worker has room. */
export class StdinWriter {
  private readonly ctl: Int32Array;
  private readonly data: Uint8Array;
  private pending: Uint8Array[] = [];
  private eof = false;

  constructor(sab: SharedArrayBuffer) {
    this.ctl = new Int32Array(sab, 0, 4);
    this.data = new Uint8Array(sab, HEADER);
  }

  write(bytes: Uint8Array): void {
    if (bytes.length > 0) this.pending.push(bytes);
    this.pump();
  }

  end(): void {
    this.eof = true;
    this.pump();
  }

  /** Hand over the next chunk if the worker has read the last one; call again when it asks. */
  pump(): void {
    if (Atomics.load(this.ctl, 0) !== 0) return;
    const next = this.pending.shift();
    if (next) {
      const n = Math.min(next.length, STDIN_CAPACITY);
      this.data.set(next.subarray(0, n));
      if (n < next.length) this.pending.unshift(next.subarray(n));
      Atomics.store(this.ctl, 2, 0);
      Atomics.store(this.ctl, 0, n);
      Atomics.notify(this.ctl, 0);
    } else if (this.eof) {
      Atomics.store(this.ctl, 1, 1);
      Atomics.notify(this.ctl, 0);
    }
  }

  get waiting(): boolean {
    return this.pending.length > 0;
  }
}

/** The worker's side: a StdioSource that blocks until the page writes or ends input. */
export function stdinSource(sab: SharedArrayBuffer, waitingForInput: () => void): { read(buf: Uint8Array, off: number, len: number): number } {
  const ctl = new Int32Array(sab, 0, 4);
  const data = new Uint8Array(sab, HEADER);
  return {
    read(buf, off, len) {
      if (Atomics.load(ctl, 0) === 0 && Atomics.load(ctl, 1) === 0) {
        waitingForInput();
        while (Atomics.load(ctl, 0) === 0 && Atomics.load(ctl, 1) === 0) Atomics.wait(ctl, 0, 0, 1000);
      }
      const end = Atomics.load(ctl, 0);
      if (end === 0) return 0; // end of input
      const at = Atomics.load(ctl, 2);
      const n = Math.min(len, end - at);
      buf.set(data.subarray(at, at + n), off);
      if (at + n >= end) {
        Atomics.store(ctl, 2, 0);
        Atomics.store(ctl, 0, 0);
      } else {
        Atomics.store(ctl, 2, at + n);
      }
      return n;
    },
  };
}
