/**
 * Packed NEXT records (format version 5): a NEXT record (./next.ts) whose
 * differences are nibbles, half a byte for most calls of a clock read in a
 * loop, so that a block of them needs no deflate (./writer.ts). The
 * recorder's clock ring writes them (./clock-ring.ts encodes in wasm,
 * ./packed-next.wat); this is the decoder. Pure (no node:*): the explorer
 * reads them too.
 *
 * Payload: the function's index (varint), the count of calls (varint, 1 to
 * MAX_REPEAT_RUN), then nibbles, the low half of each byte first; a last
 * half byte left over is 0. Each difference is one nibble: a slot of a
 * 15-entry table (every slot 0 at the record's start) that holds it, or
 * ESCAPE followed by the zigzag form of its difference from the difference
 * before it (0 for the first) in 3-bit groups, low group first, bit 3 set
 * on every nibble but the last; the escaped difference then takes slot
 * `rr`, which starts at 0 and goes round the 15. Which of several slots
 * holding a difference the writer names, and whether it escapes one it
 * holds, is its choice; the reading is the same.
 */
import { RecordingError } from './format.js';
import { MAX_NEXT_DIFF, unzigzag } from './next.js';

const SLOTS = 15;
const ESCAPE = 15;
/** The most nibbles of one escaped difference: 3 bits each, past 2^53 (a reader's bound). */
const MAX_GROUPS = 18;

/** Reading one packed record's differences, in order. */
export class PackedDiffs {
  private readonly table = new Float64Array(SLOTS);
  private rr = 0;
  private prev = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private at = 0;
  private end = 0;
  /** The next nibble is the high half of buf[at]. */
  private high = false;

  /** The record's differences are bytes [at, end) of `buf`. */
  begin(buf: Uint8Array, at: number, end: number): void {
    this.table.fill(0);
    this.rr = 0;
    this.prev = 0;
    this.buf = buf;
    this.at = at;
    this.end = end;
    this.high = false;
  }

  private nibble(): number {
    if (this.at >= this.end) throw new RecordingError('packed differences that overrun their record');
    const b = this.buf[this.at]!;
    if (this.high) {
      this.high = false;
      this.at++;
      return b >>> 4;
    }
    this.high = true;
    return b & 15;
  }

  /** The next difference. */
  take(): number {
    const k = this.nibble();
    if (k !== ESCAPE) return (this.prev = this.table[k]!);
    let z = 0;
    let scale = 1;
    for (let g = 0; ; g++) {
      if (g === MAX_GROUPS) throw new RecordingError('a difference out of range');
      const n = this.nibble();
      z += (n & 7) * scale;
      if (n < 8) break;
      scale *= 8;
    }
    if (z > 2 * MAX_NEXT_DIFF) throw new RecordingError('a difference out of range');
    const d = this.prev + unzigzag(z);
    if (d < -MAX_NEXT_DIFF || d > MAX_NEXT_DIFF) throw new RecordingError('a difference out of range');
    this.table[this.rr] = d;
    this.rr = this.rr === SLOTS - 1 ? 0 : this.rr + 1;
    return (this.prev = d);
  }

  /** After the last difference: the record ends here (a half byte left is 0), or it is corrupt. */
  close(): void {
    if (this.high && this.buf[this.at]! >>> 4 !== 0) throw new RecordingError('a packed record whose last half byte is not 0');
    if (this.at + (this.high ? 1 : 0) !== this.end) throw new RecordingError('a packed record with bytes after its differences');
  }
}
