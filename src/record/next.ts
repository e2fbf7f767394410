/**
 * NEXT records (format version 4): calls of a function that takes no
 * input and stores one 4- or 8-byte result (clock_time_get's time,
 * fd_seek's offset), made again with the arguments of its last CALL,
 * succeeding again and storing a new value there. Each such call is
 * written as the difference from the value its function's previous call
 * stored: a loop reading the clock costs a byte or two per call instead
 * of a whole CALL record (about 18 bytes for the recorder to encode and
 * gzip to compress); a packed NEXT (./packed-next.ts), half a byte.
 * Pure (no node:*): the explorer reads them too.
 *
 * A value is a little-endian unsigned integer of the result's width. Its
 * difference is kept as a Number: exact for 4 bytes (taken modulo 2^32 as
 * an i32), and for 8 bytes while within ±2^52 (a larger jump, or a value
 * from a pointer gone bad, is written as a CALL instead).
 */
import type { CallPlan } from './effects.js';
import { u32At } from './format.js';

/** The most a NEXT difference may be, in magnitude (its zigzag form then fits a reader's 8-byte varint). */
export const MAX_NEXT_DIFF = 2 ** 52;
const TWO32 = 4294967296;

/**
 * Whether a function's calls may be NEXT entries: no input, one fixed-size
 * result of 4 or 8 bytes, nothing else stored, and at most four arguments
 * (the recorder's wrapper takes them as they come: clock_time_get,
 * clock_res_get, fd_seek and fd_tell).
 */
export function nextShaped(plan: CallPlan): boolean {
  return plan.inputs.length === 0 && !plan.more && plan.fixed.length === 2 && (plan.fixed[1] === 4 || plan.fixed[1] === 8) && plan.i64.length <= 4;
}

/** A value as two u32 halves (lo, hi: 0 for 4 bytes): no BigInt, nothing allocated per call. */
export class NextValue {
  lo = 0;
  hi = 0;

  /** Read the `len`-byte value at `p` of `u8`. */
  read(u8: Uint8Array, p: number, len: number): void {
    this.lo = u32At(u8, p);
    this.hi = len === 8 ? u32At(u8, p + 4) : 0;
  }

  write(u8: Uint8Array, p: number, len: number): void {
    const { lo, hi } = this;
    u8[p] = lo; u8[p + 1] = lo >>> 8; u8[p + 2] = lo >>> 16; u8[p + 3] = lo >>> 24;
    if (len === 8) { u8[p + 4] = hi; u8[p + 5] = hi >>> 8; u8[p + 6] = hi >>> 16; u8[p + 7] = hi >>> 24; }
  }

  /**
   * The difference from this value to (`lo`, `hi`), or NaN when it is
   * beyond ±MAX_NEXT_DIFF. For 8 bytes the product is exact whenever the
   * result is in range (the halves differ by less than 2^21 then).
   */
  diffTo(lo: number, hi: number, len: number): number {
    if (len === 4) return (lo - this.lo) | 0;
    const d = (hi - this.hi) * TWO32 + (lo - this.lo);
    return d >= -MAX_NEXT_DIFF && d <= MAX_NEXT_DIFF ? d : NaN;
  }

  /** Move by `d` (a difference diffTo gave), modulo 2^(8·len). */
  add(d: number, len: number): void {
    const total = this.lo + d;
    if (len === 4) {
      this.lo = total >>> 0;
      return;
    }
    const carry = Math.floor(total / TWO32);
    this.lo = total - carry * TWO32;
    this.hi = (this.hi + carry) >>> 0;
  }
}

/** Zigzag form of a difference (|d| ≤ 2^52: exact). */
export const zigzag = (d: number): number => (d >= 0 ? d * 2 : -d * 2 - 1);
export const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
