/**
 * Reading a recording file in Node: gunzip what is there (a cut file gives
 * what its whole blocks hold) and decode it (./parse.ts, shared with the
 * explorer).
 */
import { readFileSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { RecordingError } from './format.js';
import { type Recording, checkGzip, decodeRecording } from './parse.js';

export type { Recording } from './parse.js';

/** Decompress: a cut gzip member yields what it holds (Z_SYNC_FLUSH), a damaged one is an error. */
function inflate(file: Uint8Array): Uint8Array {
  checkGzip(file);
  try {
    return gunzipSync(file, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch (e) {
    throw new RecordingError(`is corrupt (${(e as Error).message})`);
  }
}

/** Parse a recording's bytes (the file as written). */
export function parseRecording(file: Uint8Array): Recording {
  return decodeRecording(inflate(file));
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
