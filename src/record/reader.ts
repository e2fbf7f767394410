/**
 * Reading a recording: gunzip what is there (a cut file gives what its
 * whole blocks hold), check the magic, version and every record's shape.
 * Anything malformed is one RecordingError with a sentence saying what;
 * a recording that merely stops early (the run was killed, or the file
 * cut) is read up to where it stops and says so in `truncated`.
 */
import { readFileSync } from 'node:fs';
import { ByteReader, FORMAT_VERSION, MAGIC, RecordingError, Tag, decodeCall, type RecordedCall, type RecordingEnd, type RecordingHeader } from './format.js';
import { zlib } from './zlib.js';


export interface Recording {
  header: RecordingHeader;
  module: Uint8Array;
  calls: RecordedCall[];
  /** How the run ended; undefined when the recording stops before the end. */
  end: RecordingEnd | undefined;
  /** Why the recording stops early, or undefined when it is whole. */
  truncated: string | undefined;
}

/** Decompress: a cut gzip member yields what it holds (Z_SYNC_FLUSH), a damaged one is an error. */
function inflate(file: Uint8Array): Uint8Array {
  if (file.length < 2 || file[0] !== 0x1f || file[1] !== 0x8b) throw new RecordingError('is not a tswasi recording (not gzip data)');
  try {
    return zlib().gunzipSync(file, { finishFlush: zlib().constants.Z_SYNC_FLUSH });
  } catch (e) {
    throw new RecordingError(`is corrupt (${(e as Error).message})`);
  }
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
  if (h.version !== FORMAT_VERSION) throw new RecordingError(`has format version ${String(h.version)}; this tswasi reads version ${FORMAT_VERSION}`);
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

/** Parse a recording's bytes (the file as written). */
export function parseRecording(file: Uint8Array): Recording {
  const raw = inflate(file);
  const r = new ByteReader(raw);
  if (raw.length < MAGIC.length || MAGIC.subarray(0, 7).some((b, i) => raw[i] !== b)) throw new RecordingError('is not a tswasi recording (no TSWREC magic)');
  if (raw[7] !== FORMAT_VERSION) throw new RecordingError(`has format version ${raw[7]}; this tswasi reads version ${FORMAT_VERSION}`);
  r.pos = MAGIC.length;
  let header: RecordingHeader | undefined;
  let module: Uint8Array | undefined;
  let end: RecordingEnd | undefined;
  const calls: RecordedCall[] = [];
  let truncated: string | undefined;
  try {
    while (!r.done) {
      const tag = r.u8();
      const len = r.uvar();
      const body = new ByteReader(raw, r.pos + len);
      body.pos = r.pos;
      r.bytes(len); // a record cut short is a truncation
      if (end !== undefined) throw new RecordingError('is corrupt (records after the end of the run)');
      if (tag === Tag.Header) {
        if (header !== undefined) throw new RecordingError('is corrupt (a second header)');
        header = checkHeader(json(body.bytes(len), 'header'));
        continue;
      }
      if (header === undefined) throw new RecordingError('is corrupt (no header first)');
      if (tag === Tag.Module) {
        if (module !== undefined) throw new RecordingError('is corrupt (a second module)');
        module = body.bytes(len);
      } else if (tag === Tag.Call) {
        if (module === undefined) throw new RecordingError('is corrupt (a call before the module)');
        calls.push(decodeCall(body, header.functions));
        if (!body.done) throw new RecordingError(`is corrupt (call #${calls.length} is longer than its contents)`);
      } else if (tag === Tag.End) {
        end = checkEnd(json(body.bytes(len), 'end record'));
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
  return { header, module, calls, end, truncated };
}

/** Read a recording file; an unreadable one is a RecordingError. */
export function readRecording(path: string): Recording {
  let file: Uint8Array;
  try {
    file = readFileSync(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new RecordingError(`cannot be read (${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message})`);
  }
  return parseRecording(file);
}
