/**
 * Guest output that another thread can always get out: a ring buffer in a
 * SharedArrayBuffer. The guest's thread appends what fd_write gives it; the
 * thread that is not running the guest (the caller's) drains it — on a short
 * timer while output arrives, when the ring fills, and at the end of the run
 * whatever ended it (exit, trap, timeout, termination, a signal). A guest that
 * prints a line and then computes for minutes without another WASI call still
 * has its line out within milliseconds, and nothing it wrote is lost when its
 * thread is terminated.
 *
 * Two kinds of destination:
 * - a host fd (the CLI's stdout to a pipe or file): both threads may write the
 *   gathered bytes to it, one at a time under a lock, so the guest's thread
 *   can empty the ring itself before it writes to stderr (order is kept) or
 *   when the ring is full (no waiting for the other thread);
 * - a consumer on the caller's thread (the pool's captured or streamed
 *   output): only that thread takes bytes out; a guest that fills the ring
 *   waits for it.
 *
 * Positions are byte counters that wrap at 2^32; the capacity is a power of two.
 */

/** Header words (Int32). */
const HEAD = 0; // bytes ever appended (the guest's thread writes it)
const TAIL = 1; // bytes ever taken out (whoever holds the lock writes it)
const LOCK = 2; // who is taking bytes out: FREE, WRITER or READER
const SIGNAL = 3; // bumped by the writer to wake the reader (data arrived, or the ring is full)
const HEADER_BYTES = 16;

const FREE = 0;
const WRITER = 1;
const READER = 2;

const DEFAULT_RING_BYTES = 64 * 1024;

/** A ring's shared memory: pass it to the guest's thread in the task. */
export function createOutputRing(capacity = DEFAULT_RING_BYTES): SharedArrayBuffer {
  if (capacity <= 0 || (capacity & (capacity - 1)) !== 0) throw new RangeError('ring capacity must be a power of two');
  return new SharedArrayBuffer(HEADER_BYTES + capacity);
}

/**
 * Make a ring whose writer has finished (not one whose thread was
 * terminated: it might still write) ready for another run.
 */
export function resetOutputRing(sab: SharedArrayBuffer): void {
  new Int32Array(sab, 0, HEADER_BYTES / 4).fill(0);
}

/** Bytes of a ring's data area. */
export function outputRingCapacity(sab: SharedArrayBuffer): number {
  return sab.byteLength - HEADER_BYTES;
}

/** Writes bytes somewhere and returns how many were written (a host fd's write(2) loop). */
export type WriteFn = (buf: Uint8Array, off: number, len: number) => number;

class Ring {
  readonly hdr: Int32Array;
  readonly data: Uint8Array;
  readonly mask: number;

  constructor(sab: SharedArrayBuffer) {
    this.hdr = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.data = new Uint8Array(sab, HEADER_BYTES);
    this.mask = this.data.length - 1;
  }

  pending(): number {
    return (Atomics.load(this.hdr, HEAD) - Atomics.load(this.hdr, TAIL)) >>> 0;
  }

  /**
   * Take everything pending out, in at most two pieces (the ring wraps). The
   * tail moves after each piece, so a thread terminated half-way never makes
   * the other deliver a piece twice. The caller holds the lock.
   */
  takeAll(out: (buf: Uint8Array, off: number, len: number) => void): void {
    const h = this.hdr;
    let tail = Atomics.load(h, TAIL);
    let n = (Atomics.load(h, HEAD) - tail) >>> 0;
    while (n > 0) {
      const at = tail & this.mask;
      const piece = Math.min(n, this.data.length - at);
      out(this.data, at, piece);
      tail = (tail + piece) | 0;
      n -= piece;
      Atomics.store(h, TAIL, tail);
    }
    Atomics.notify(h, TAIL); // a writer waiting for room
  }

  /** Take the lock for `who`; false if `wait` ms passed first. */
  lock(who: number, waitMs: number): boolean {
    const h = this.hdr;
    const deadline = waitMs === Infinity ? Infinity : Date.now() + waitMs;
    for (;;) {
      const holder = Atomics.compareExchange(h, LOCK, FREE, who);
      if (holder === FREE) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(h, LOCK, holder, Math.min(left, 50));
    }
  }

  unlock(): void {
    Atomics.store(this.hdr, LOCK, FREE);
    Atomics.notify(this.hdr, LOCK);
  }
}

/**
 * The guest's side. Used as the stdout coalescer of a host fd (`writeTo` set)
 * or as a StdioSink whose bytes the caller's thread consumes (`writeTo` null).
 */
export interface SharedOutputWriterOptions {
  /**
   * Default true: wake the reader when the ring turns non-empty, so bytes
   * reach it within its gather time. false: only when the ring is full — for
   * a reader that keeps the bytes until the run ends (the pool's captured
   * output): waking another thread costs the guest's thread ~0.1 ms, more
   * than a small guest's whole run.
   */
  wakeOnData?: boolean;
}

export class SharedOutputWriter {
  private readonly ring: Ring;
  private readonly wakeOnData: boolean;

  constructor(sab: SharedArrayBuffer, private readonly writeTo: WriteFn | null, options: SharedOutputWriterOptions = {}) {
    this.ring = new Ring(sab);
    this.wakeOnData = options.wakeOnData ?? true;
  }

  /** Whether a write of `len` bytes should be gathered rather than written at once. */
  fits(len: number): boolean {
    return len <= this.ring.data.length;
  }

  append(data: Uint8Array, off: number, len: number): void {
    const ring = this.ring;
    const h = ring.hdr;
    const cap = ring.data.length;
    while (len > 0) {
      const piece = Math.min(len, cap);
      let head = h[HEAD]!;
      let used = (head - Atomics.load(h, TAIL)) >>> 0;
      if (used + piece > cap) {
        this.makeRoom(piece);
        head = h[HEAD]!;
        used = (head - Atomics.load(h, TAIL)) >>> 0;
      }
      const at = head & ring.mask;
      const first = Math.min(piece, cap - at);
      ring.data.set(data.subarray(off, off + first), at);
      if (first < piece) ring.data.set(data.subarray(off + first, off + piece), 0);
      Atomics.store(h, HEAD, (head + piece) | 0);
      // Wake the reader only when the ring turns non-empty: at most once per drain.
      if (used === 0 && this.wakeOnData) this.wake();
      off += piece;
      len -= piece;
    }
  }

  /** StdioSink: a chunk the guest wrote. */
  write(chunk: Uint8Array): void {
    this.append(chunk, 0, chunk.length);
  }

  /** StdioSink: bytes straight from guest memory (the ring is the copy). */
  writeFrom(buf: Uint8Array, off: number, len: number): void {
    this.append(buf, off, len);
  }

  /**
   * Get the gathered bytes out now (before another call shows anything to the
   * world). With a host fd this thread writes them; with a consumer on the
   * other thread, order against other sinks does not matter and this is a no-op.
   */
  flush(): void {
    if (this.writeTo === null || this.ring.pending() === 0) return;
    const ring = this.ring;
    ring.lock(WRITER, Infinity);
    try {
      ring.takeAll(this.writeTo);
    } finally {
      ring.unlock();
    }
  }

  private makeRoom(len: number): void {
    if (this.writeTo !== null) {
      this.flush();
      return;
    }
    const h = this.ring.hdr;
    const cap = this.ring.data.length;
    for (;;) {
      const tail = Atomics.load(h, TAIL);
      if (((h[HEAD]! - tail) >>> 0) + len <= cap) return;
      this.wake();
      Atomics.wait(h, TAIL, tail, 20);
    }
  }

  private wake(): void {
    Atomics.add(this.ring.hdr, SIGNAL, 1);
    Atomics.notify(this.ring.hdr, SIGNAL);
  }
}

export interface SharedOutputReaderOptions {
  /**
   * How long the reader lets output gather after it starts arriving before
   * taking it out (default 4 ms). The writer's bytes are delivered within
   * about this long even while its thread computes without another WASI call.
   * 0: take them out as soon as the writer wakes this reader (a writer with
   * `wakeOnData: false` does so only when its ring is full).
   */
  gatherMs?: number;
}

/**
 * The caller's side: delivers the guest's bytes on this thread. For a host
 * fd, `deliver` writes them (and so does the guest's thread, under the same
 * lock); otherwise it gets a copy it may keep.
 */
export class SharedOutputReader {
  private readonly ring: Ring;
  private readonly gatherMs: number;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `deliver` gets a view of the ring, valid only during the call: copy what you keep. */
  constructor(sab: SharedArrayBuffer, private readonly deliver: (buf: Uint8Array, off: number, len: number) => void, options: SharedOutputReaderOptions = {}) {
    this.ring = new Ring(sab);
    this.gatherMs = options.gatherMs ?? 4;
    void this.loop();
  }

  /**
   * Deliver what is pending now, synchronously. If the guest's thread is
   * writing the bytes out itself, wait up to `waitMs` for it, then give up —
   * or, with `takeOver` (its thread was terminated and may have died holding
   * the lock), take the lock from it.
   */
  drain(waitMs = Infinity, takeOver = false): void {
    const ring = this.ring;
    if (ring.pending() === 0) return;
    if (!ring.lock(READER, waitMs)) {
      if (!takeOver) return;
      Atomics.store(ring.hdr, LOCK, READER);
    }
    try {
      ring.takeAll(this.deliver);
    } finally {
      ring.unlock();
    }
  }

  /**
   * The run is over: deliver the rest and stop watching. `writerGone`: the
   * guest's thread was terminated rather than finished.
   */
  close(writerGone = false): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    Atomics.notify(this.ring.hdr, SIGNAL); // end the pending waitAsync
    this.drain(writerGone ? 200 : Infinity, writerGone);
  }

  private async loop(): Promise<void> {
    const h = this.ring.hdr;
    while (!this.stopped) {
      const seq = Atomics.load(h, SIGNAL);
      if (this.ring.pending() === 0) {
        // A pending waitAsync does not keep the process alive.
        const w = Atomics.waitAsync(h, SIGNAL, seq);
        if (w.async) await w.value;
        continue;
      }
      // Let output gather — unless the writer signals again meanwhile: the
      // ring is full and its thread waits for room.
      const full = this.gatherMs > 0 ? Atomics.waitAsync(h, SIGNAL, seq) : null;
      if (full?.async) {
        await Promise.race([full.value, new Promise<void>((resolve) => { this.timer = setTimeout(resolve, this.gatherMs); })]);
        if (this.timer !== null) clearTimeout(this.timer);
      }
      this.timer = null;
      if (this.stopped) return;
      // Never block this thread on the guest's thread writing the same bytes.
      this.drain(0);
    }
  }
}
