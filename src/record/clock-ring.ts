/**
 * clock_time_get's values that came through its RepeatShortcut and are not
 * encoded yet (src/record/recorder.ts): u64s in the memory of a small wasm
 * module (./next-varints.wat) that encodes them as NEXT varints when the
 * recorder drains the ring. The shortcut stores a value as a BigInt (the
 * one the clock read: nothing is made or read back) and reads its high
 * half; the recorder reads values as (lo, hi) halves.
 */
import { instantiateOwn } from '../own-wasm.js';
import type { ByteWriter } from './format.js';

/** Values the ring holds (32 KiB): a few µs of encoding at a time. */
export const RING = 4096;
/** next-varints.wat's memory (the same addresses are written there): the ring from 0, then where `encode` leaves its byte count, and its bytes (at most 2 a value). */
const COUNT_AT = RING * 8; // 0x8000
const BYTES_AT = COUNT_AT + 16; // 0x8010

interface NextVarints {
  memory: WebAssembly.Memory;
  encode(from: number, to: number, lo: number, hi: number): number;
}

export class ClockRing {
  private readonly x = instantiateOwn<NextVarints>('record/next-varints');
  /** The values, for the shortcut's store… */
  readonly u64 = new BigUint64Array(this.x.memory.buffer, 0, RING);
  /** …and as (lo, hi) u32 halves (little-endian hosts: typed arrays use host order, and the wasm reads little-endian). */
  readonly u32 = new Uint32Array(this.x.memory.buffer, 0, 2 * RING);
  private readonly u8 = new Uint8Array(this.x.memory.buffer);
  private readonly count = new Int32Array(this.x.memory.buffer, COUNT_AT, 1);

  /**
   * Append to `w` the varints of values [from, to) while each is the one
   * before (from the value (lo, hi)) plus 0 to 2^13 - 1: the common case,
   * in wasm. Returns the index of the first value that is not (or `to`),
   * which the caller encodes itself.
   */
  encodeCommon(w: ByteWriter, from: number, to: number, lo: number, hi: number): number {
    const stop = this.x.encode(from, to, lo, hi);
    const n = this.count[0]!;
    if (n > 0) {
      w.room(n);
      w.buf.set(this.u8.subarray(BYTES_AT, BYTES_AT + n), w.length);
      w.length += n;
    }
    return stop;
  }
}
