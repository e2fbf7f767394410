/**
 * Reading NEXT records, plain (./next.ts: a zigzag varint a difference) or
 * packed (./packed-next.ts: nibbles), for the replayer and the decoder
 * (./replayer.ts, ./parse.ts). Pure (no node:*).
 */
import { ByteReader, RecordingError, MAX_REPEAT_RUN, Tag } from './format.js';
import { MAX_NEXT_DIFF, unzigzag } from './next.js';
import { PackedDiffs } from './packed-next.js';

/** Whether a record's tag is a NEXT's, plain or packed. */
export const isNextTag = (tag: number | undefined): boolean => tag === Tag.Next || tag === Tag.PackedNext;

/** A NEXT record's head: its function, how many calls, where its payload ends, and whether it is packed. */
export interface NextHead {
  index: number;
  count: number;
  end: number;
  packed: boolean;
}

/**
 * The NEXT record at `r` (the tag, Tag.Next or Tag.PackedNext): `r` is
 * then at its first difference. A record of no calls, or of more than
 * MAX_REPEAT_RUN, is corrupt (as a REPEAT's count: a small file cannot
 * stand for unboundedly many calls).
 */
export function readNextStart(r: ByteReader, n: number): NextHead {
  const packed = r.u8() === Tag.PackedNext;
  const len = r.uvar();
  const end = r.pos + len;
  if (end > r.end) throw new RecordingError('ends in the middle of a record', true);
  const index = r.uvar();
  let count = 0;
  if (packed) count = r.uvar();
  else for (let p = r.pos; p < end; p++) if (r.buf[p]! < 0x80) count++;
  if (count === 0 || count > MAX_REPEAT_RUN || (!packed && end > r.pos && r.buf[end - 1]! >= 0x80) || r.pos > end) {
    throw new RecordingError(`is corrupt (call #${n} is a NEXT of ${count === 0 ? 'no' : count} calls)`);
  }
  return { index, count, end, packed };
}

/** The differences of one NEXT record, in order; take each with `take`, exactly `count` of them. */
export class NextDiffs {
  private readonly packedDiffs = new PackedDiffs();
  private r: ByteReader = new ByteReader(new Uint8Array(0));
  private packed = false;
  private left = 0;
  private end = 0;

  /** The record `head` whose first difference `r` is at. */
  begin(r: ByteReader, head: NextHead): void {
    this.r = r;
    this.packed = head.packed;
    this.left = head.count;
    this.end = head.end;
    if (head.packed) this.packedDiffs.begin(r.buf, r.pos, head.end);
  }

  /** The next difference; after the last, `r` is past the record. A RecordingError names what is wrong (a noun phrase). */
  take(): number {
    const last = --this.left === 0;
    if (!this.packed) {
      // readNextStart found the record whole and ending a varint: uvar can only find one too long.
      let z = Infinity;
      try { z = this.r.uvar(); } catch { /* out of range, below */ }
      if (z > 2 * MAX_NEXT_DIFF) throw new RecordingError('a difference out of range');
      return unzigzag(z);
    }
    const d = this.packedDiffs.take();
    if (last) {
      this.packedDiffs.close();
      this.r.pos = this.end;
    }
    return d;
  }
}
