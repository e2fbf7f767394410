/**
 * clock_time_get's values that came through its RepeatShortcut and are not
 * encoded yet (src/record/recorder.ts): u64s in the memory of a small wasm
 * module (./packed-next.wat) that encodes them as a packed NEXT record's
 * differences (./packed-next.ts) when the recorder drains the ring. The
 * shortcut stores a value as a BigInt (the one the clock read: nothing is
 * made or read back) and checks nothing: the encoder finds a value too far
 * from the one before for a packed record. The recorder reads values as
 * (lo, hi) halves.
 */
import { instantiateOwn } from '../own-wasm.js';
import type { ByteWriter } from './format.js';

/** Values the ring holds (32 KiB): a few µs of encoding at a time. */
export const RING = 4096;
/** Where packed-next.wat writes its bytes, and where it says encode stopped (its memory map is there). */
const BYTES_AT = 0x18200;
const STOPPED_AT = 0x8018;

interface PackedNext {
  memory: WebAssembly.Memory;
  begin(): void;
  far(at: number, lo: number, hi: number): number;
  encode(from: number, to: number, lo: number, hi: number): number;
  finish(): number;
}

export class ClockRing {
  private readonly x = instantiateOwn<PackedNext>('record/packed-next');
  /** The values, for the shortcut's store… */
  readonly u64 = new BigUint64Array(this.x.memory.buffer, 0, RING);
  /** …and as (lo, hi) u32 halves (little-endian hosts: typed arrays use host order, and the wasm reads little-endian). */
  readonly u32 = new Uint32Array(this.x.memory.buffer, 0, 2 * RING);
  private readonly u8 = new Uint8Array(this.x.memory.buffer);
  private readonly stopped = new Uint32Array(this.x.memory.buffer, STOPPED_AT, 1);

  /** A packed NEXT record begins: its table starts afresh. */
  begin(): void {
    this.x.begin();
  }

  /** Whether value `at` is too far from the value (lo, hi) to be a packed difference (more than 2^51 - 1 away). */
  far(at: number, lo: number, hi: number): boolean {
    return this.x.far(at, lo, hi) !== 0;
  }

  /** Value `at`'s 8 bytes, as the guest got them. */
  valueBytes(at: number): Uint8Array {
    return this.u8.subarray(8 * at, 8 * at + 8);
  }

  /**
   * Append to `w` the differences of values [from, to), the first from the
   * value (lo, hi), up to the first value too far from the one before it
   * (far); returns where it stopped (`to`: it did not).
   */
  encode(w: ByteWriter, from: number, to: number, lo: number, hi: number): number {
    this.copy(w, this.x.encode(from, to, lo, hi));
    return this.stopped[0]!;
  }

  /** The record ends: append its last half byte, if any; returns how many bytes. */
  finish(w: ByteWriter): number {
    return this.copy(w, this.x.finish());
  }

  private copy(w: ByteWriter, n: number): number {
    if (n > 0) {
      w.room(n);
      w.buf.set(this.u8.subarray(BYTES_AT, BYTES_AT + n), w.length);
      w.length += n;
    }
    return n;
  }
}
