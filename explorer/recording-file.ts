/**
 * Reading a `tswasi run --record` file in the browser: inflate its gzip
 * members with DecompressionStream, then decode with src/record/parse.ts
 * (the decoder `tswasi replay` uses: one place for the format).
 *
 * DecompressionStream('gzip') takes one member and calls anything after it
 * "junk", while a recording is a sequence of members
 * (docs/record-replay.md#format-version-1). So the file is cut where a new
 * member may start (the gzip magic, deflate, no reserved flags) and each
 * piece inflated alone; a piece that fails was cut at bytes that only
 * looked like a member's start, and grows to the next candidate. The last
 * piece may be cut short (the run was killed): what it holds is kept, as
 * `tswasi replay` keeps it.
 */
import { RecordingError } from '../src/record/format.js';
import { type Recording, checkGzip, decodeRecording } from '../src/record/parse.js';

interface Inflated { bytes: Uint8Array[]; error: string | null }

async function inflateMember(piece: Uint8Array<ArrayBuffer>): Promise<Inflated> {
  const bytes: Uint8Array[] = [];
  const reader = new Blob([piece]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes, error: null };
      bytes.push(value);
    }
  } catch (e) {
    return { bytes, error: (e as Error).message };
  }
}

/** Offsets after 0 where a gzip member may start: 1f 8b, method 8, reserved flag bits clear. */
function memberStarts(file: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 1; i + 3 < file.length; i++) {
    if (file[i] === 0x1f && file[i + 1] === 0x8b && file[i + 2] === 0x08 && (file[i + 3]! & 0xe0) === 0) out.push(i);
  }
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return all;
}

/** The decompressed stream of a recording file's members. */
export async function inflateRecording(file: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  checkGzip(file);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const next of memberStarts(file)) {
    if (next <= start) continue;
    const m = await inflateMember(file.subarray(start, next));
    if (m.error !== null) continue;
    out.push(...m.bytes);
    start = next;
  }
  const last = await inflateMember(file.subarray(start));
  // Input ending inside a member is "Compressed input was truncated." in Chromium; anything else is damage.
  if (last.error !== null && !/truncat/i.test(last.error)) throw new RecordingError(`is corrupt (${last.error})`);
  out.push(...last.bytes);
  return concat(out);
}

/** Read a recording file as `tswasi replay` does; anything unusable is a RecordingError. */
export async function readRecordingFile(file: Blob): Promise<Recording> {
  return decodeRecording(await inflateRecording(new Uint8Array(await file.arrayBuffer())));
}
