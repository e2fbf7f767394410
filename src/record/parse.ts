/**
 * Decoding a recording once it is decompressed: check the magic, version
 * and every record's shape. Pure (no node:*): `tswasi replay` (./reader.ts,
 * with node:zlib) and the explorer (with the browser's DecompressionStream)
 * both read recordings with it. Anything malformed is one RecordingError
 * with a sentence saying what; a recording that merely stops early (the run
 * was killed, or the file cut) is read up to where it stops and says so in
 * `truncated`.
 */
import { ByteReader, MAGIC, READ_VERSIONS, RecordingError, RepeatRun, Tag, callFunctionIndex, readCall, readRepeat, versionError, type RecordedCall, type RecordingEnd, type RecordingHeader } from './format.js';
import { NextValue } from './next.js';
import { NextDiffs, isNextTag, readNextStart } from './next-reader.js';

/** A recording checked record by record but with its calls not decoded: what replay streams through. */
export interface RecordingFile {
  header: RecordingHeader;
  module: Uint8Array;
  /** The decompressed stream, and where its CALL records start and stop. */
  raw: Uint8Array;
  callsStart: number;
  callsEnd: number;
  /** How many CALL records there are. */
  callCount: number;
  /** How the run ended; undefined when the recording stops before the end. */
  end: RecordingEnd | undefined;
  /** Why the recording stops early, or undefined when it is whole. */
  truncated: string | undefined;
}

/** A recording with every call decoded (tests, the benchmark, the explorer). */
export interface Recording extends RecordingFile {
  calls: RecordedCall[];
}

/** The file is a sequence of gzip members (docs/record-replay.md#format-version-1); anything else is not a recording. */
export function checkGzip(file: Uint8Array): void {
  if (file.length < 2 || file[0] !== 0x1f || file[1] !== 0x8b) throw new RecordingError('is not a tswasi recording (not gzip data)');
}

function json(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw new RecordingError(`is corrupt (its ${what} is not JSON)`);
  }
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function checkHeader(v: unknown): RecordingHeader {
  const h = v as Partial<RecordingHeader> | null;
  if (h === null || typeof h !== 'object' || h.format !== 'tswasi-recording') throw new RecordingError('is corrupt (its header is not a tswasi recording header)');
  if (typeof h.version !== 'number' || !READ_VERSIONS.includes(h.version)) throw new RecordingError(versionError(h.version));
  if (!isStrings(h.functions) || !isStrings(h.args) || !isStrings(h.env) || !isStrings(h.preopens)
    || typeof h.module !== 'object' || h.module === null || typeof h.module.sha256 !== 'string' || typeof h.module.size !== 'number'
    || (h.invoke !== undefined && typeof h.invoke !== 'string') || (h.invokeArgs !== undefined && !isStrings(h.invokeArgs))) {
    throw new RecordingError('is corrupt (its header lacks a field or has one of the wrong type)');
  }
  return h as RecordingHeader;
}

function checkEnd(v: unknown): RecordingEnd {
  const e = v as Partial<RecordingEnd> | null;
  if (e === null || typeof e !== 'object' || typeof e.exitCode !== 'number' || !Number.isInteger(e.exitCode)
    || (e.error !== undefined && typeof e.error !== 'string') || (e.results !== undefined && !isStrings(e.results))) {
    throw new RecordingError('is corrupt (its end record is malformed)');
  }
  return e as RecordingEnd;
}

/**
 * Open a recording from its decompressed bytes (all the gzip members
 * inflated and concatenated; a cut last member gives what it holds): check
 * the magic, header, module, and the framing of every record (a CALL's
 * insides are checked as they are decoded).
 */
export function openDecompressed(raw: Uint8Array): RecordingFile {
  const r = new ByteReader(raw);
  if (raw.length < MAGIC.length || MAGIC.subarray(0, 7).some((b, i) => raw[i] !== b)) throw new RecordingError('is not a tswasi recording (no TSWREC magic)');
  if (!READ_VERSIONS.includes(raw[7]!)) throw new RecordingError(versionError(raw[7]));
  r.pos = MAGIC.length;
  let header: RecordingHeader | undefined;
  let module: Uint8Array | undefined;
  let end: RecordingEnd | undefined;
  let callsStart = -1;
  let callsEnd = -1;
  let callCount = 0;
  let truncated: string | undefined;
  const run = new RepeatRun();
  try {
    while (!r.done) {
      const start = r.pos;
      const tag = r.u8();
      const len = r.uvar();
      if (end !== undefined) throw new RecordingError('is corrupt (records after the end of the run)');
      if (tag === Tag.Call || tag === Tag.Repeat || isNextTag(tag)) {
        if (module === undefined) throw new RecordingError('is corrupt (a call before the module)');
        if (tag === Tag.Repeat) {
          r.pos = start;
          readRepeat(r, callCount + 1, run); // a record cut short is a truncation
          callCount += run.times;
        } else if (isNextTag(tag)) {
          r.pos = start;
          const next = readNextStart(r, callCount + 1); // a record cut short is a truncation
          r.pos = next.end;
          callCount += next.count;
        } else {
          r.skip(len); // a record cut short is a truncation
          callCount++;
        }
        if (callsStart < 0) callsStart = start;
        else if (callsEnd !== start) throw new RecordingError('is corrupt (calls are not in one run)');
        callsEnd = r.pos;
        continue;
      }
      const body = r.bytes(len);
      if (tag === Tag.Header) {
        if (header !== undefined) throw new RecordingError('is corrupt (a second header)');
        header = checkHeader(json(body, 'header'));
        continue;
      }
      if (header === undefined) throw new RecordingError('is corrupt (no header first)');
      if (tag === Tag.Module) {
        if (module !== undefined) throw new RecordingError('is corrupt (a second module)');
        module = body;
      } else if (tag === Tag.End) {
        end = checkEnd(json(body, 'end record'));
      } else {
        throw new RecordingError(`is corrupt (unknown record type ${tag})`);
      }
    }
  } catch (e) {
    if (!(e instanceof RecordingError) || !e.truncated) throw e;
    truncated = 'it ends in the middle of a record';
  }
  if (header === undefined || module === undefined) throw new RecordingError('is truncated before the module');
  if (end === undefined && truncated === undefined) truncated = 'it has no end record (the run did not finish, or the file was cut)';
  if (callsStart < 0) callsStart = callsEnd = r.pos;
  return { header, module, raw, callsStart, callsEnd, callCount, end, truncated };
}

/** A recording from its decompressed bytes, every call decoded (tests, the benchmark, the explorer). */
export function decodeRecording(raw: Uint8Array): Recording {
  const f = openDecompressed(raw);
  const r = new ByteReader(f.raw, f.callsEnd);
  r.pos = f.callsStart;
  const calls: RecordedCall[] = [];
  const last = new Map<number, RecordedCall>();
  // Each function's last value, for NEXT records (./next.ts); absent: read it from its last CALL.
  const values = new Map<number, NextValue>();
  const run = new RepeatRun();
  const diffs = new NextDiffs();
  while (!r.done) {
    const n = calls.length + 1;
    if (f.raw[r.pos] === Tag.Repeat) {
      readRepeat(r, n, run);
      const c = last.get(run.index);
      if (c === undefined) throw new RecordingError(`is corrupt (call #${n} repeats a call never made)`);
      for (let i = 0; i < run.times; i++) calls.push({ ...c });
      values.delete(run.index);
    } else if (isNextTag(f.raw[r.pos])) {
      const next = readNextStart(r, n);
      const c = last.get(next.index);
      const w = c?.writes[0];
      if (c === undefined || w === undefined || c.ret !== 0 || c.writes.length !== 1 || c.inputs.length !== 0 || (w.data.length !== 4 && w.data.length !== 8)) {
        throw new RecordingError(`is corrupt (call #${n} continues a call never made)`);
      }
      const len = w.data.length;
      let v = values.get(next.index);
      if (v === undefined) {
        v = new NextValue();
        v.read(w.data, 0, len);
        values.set(next.index, v);
      }
      diffs.begin(r, next);
      for (let i = 0; i < next.count; i++) {
        let d: number;
        try {
          d = diffs.take();
        } catch (e) {
          throw e instanceof RecordingError ? new RecordingError(`is corrupt (call #${n + i} has ${e.message})`) : e;
        }
        v.add(d, len);
        const data = new Uint8Array(len);
        v.write(data, 0, len);
        calls.push({ ...c, writes: [{ addr: w.addr, data }] });
      }
    } else {
      const index = callFunctionIndex(f.raw, r.pos);
      const c = readCall(r, f.header.functions, n);
      last.set(index, c);
      values.delete(index);
      calls.push(c);
    }
  }
  return { ...f, calls };
}
