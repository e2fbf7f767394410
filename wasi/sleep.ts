/**
 * Blocking this thread: WASI calls are synchronous, so a wait (poll_oneoff's
 * clock, a full pipe's backoff) blocks. Atomics.wait sleeps without a busy
 * loop where the thread may block.
 */

/**
 * The cell Atomics.wait sleeps on, made on first use. null: this thread cannot
 * block (a page that is not cross-origin isolated has no SharedArrayBuffer;
 * a browser's main thread may not wait), so sleeping spins on the clock.
 */
let sleepCell: Int32Array | null | undefined;

function makeSleepCell(): Int32Array | null {
  try {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(cell, 0, 1, 0); // throws where this thread may not block
    return cell;
  } catch {
    return null;
  }
}

/** Sleep until the monotonic clock reaches `deadline` (ns). */
export function sleepUntil(deadline: bigint): void {
  if (sleepCell === undefined) sleepCell = makeSleepCell();
  for (;;) {
    const left = deadline - process.hrtime.bigint();
    if (left <= 0n) return;
    if (sleepCell !== null) Atomics.wait(sleepCell, 0, 0, Number(left) / 1e6);
  }
}

/** Sleep `ms` milliseconds. */
export function sleepMs(ms: number): void {
  sleepUntil(process.hrtime.bigint() + BigInt(Math.round(ms * 1e6)));
}
