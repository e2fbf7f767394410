/**
 * Reading a recording: gunzip what is there (a cut file gives what its
 * whole blocks hold), check the magic, version and every record's shape.
 * Anything malformed is one RecordingError with a sentence saying what;
 * a recording that merely stops early (the run was killed, or the file
 * cut) is read up to where it stops and says so in `truncated`.
 */
import { readFileSync } from 'node:fs';
import { RecordingError } from './format.js';
import { type Recording, type RecordingFile, checkGzip, decodeRecording, openDecompressed } from './parse.js';
import { readStoredMembers } from './stored-gzip.js';
import { zlib } from './zlib.js';

export type { Recording, RecordingFile } from './parse.js';

/**
 * Decompress: a cut gzip member yields what it holds (Z_SYNC_FLUSH), a
 * damaged one is an error. A file of whole stored members (a short run's:
 * ./writer.ts) is read without node:zlib, whose load would be most of a
 * short replay's start-up.
 */
function inflate(file: Uint8Array): Uint8Array {
  checkGzip(file);
  const stored = readStoredMembers(file);
  if (stored !== null) return stored;
  try {
    const b = zlib().gunzipSync(file, { finishFlush: zlib().constants.Z_SYNC_FLUSH, chunkSize: 1 << 20 });
    // A plain view: a Buffer's subarray is several times slower. (1 MiB chunks: gunzip gathers fewer pieces.)
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  } catch (e) {
    throw new RecordingError(`is corrupt (${(e as Error).message})`);
  }
}

/** Open a recording's bytes (the file as written), its calls not decoded: what replay streams through. */
export function openRecording(file: Uint8Array): RecordingFile {
  return openDecompressed(inflate(file));
}

/** Parse a recording's bytes (the file as written), every call decoded. */
export function parseRecording(file: Uint8Array): Recording {
  return decodeRecording(inflate(file));
}

/** Read a recording file (calls not decoded); an unreadable one is a RecordingError. */
export function readRecording(path: string): RecordingFile {
  let file: Uint8Array;
  try {
    file = readFileSync(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new RecordingError(`cannot be read (${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message})`);
  }
  return openRecording(file);
}
