/**
 * Recording or replaying one run, as every runner does it (`tswasi run` and
 * `tswasi replay`, the WASI class, the pool's threads, a container's
 * runner): the recorder of a file, the WASI options that replay, and how a
 * run's end is written down and checked.
 */
import { isatty, LocalOutputBuffer, writeAll, type StdioSink, type WASIOptions } from '../../wasi/index.js';
import { errorLine } from '../errors.js';
import { contentHash } from '../module-cache.js';
import type { GuestOutcome } from '../run-guest.js';
import { RecordingError, type RecordingEnd } from './format.js';
import { openRecording, readRecording, type RecordingFile } from './reader.js';
import { Recorder, type RecordingStart } from './recorder.js';
import { Replayer, type ReplayOutput } from './replayer.js';
import { fileRecordingWriter } from './writer.js';

/** What a recording starts with, for a module of these bytes (none: an embedder that gave only a compiled module; replay then needs one). */
export function recordingStart(module: Uint8Array | undefined, o: { args: readonly string[]; env: Readonly<Record<string, string | undefined>>; preopens: readonly string[]; invoke?: string | undefined; invokeArgs?: readonly string[] | undefined }): RecordingStart {
  const bytes = module ?? new Uint8Array(0);
  return {
    module: bytes,
    moduleSha256: module === undefined ? '' : contentHash(bytes),
    args: o.args,
    env: Object.entries(o.env).filter((e): e is [string, string] => e[1] !== undefined).map(([k, v]) => `${k}=${v}`),
    preopens: o.preopens,
    invoke: o.invoke,
    invokeArgs: o.invokeArgs,
  };
}

/** A recorder writing to a new file at `file`; a RecordingError says which file could not be opened. */
export function recordTo(file: string, start: RecordingStart): Recorder {
  try {
    return new Recorder(fileRecordingWriter(file), start);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new RecordingError(`cannot record to ${file}: ${code ?? (e as Error).message}`);
  }
}

/** How a run ended, as a recording keeps it: what the CLI prints of an outcome. */
export function recordingEnd(o: GuestOutcome): RecordingEnd {
  return {
    exitCode: o.exitCode,
    ...(o.error !== undefined ? { error: errorLine(o.error) } : {}),
    ...(o.results !== undefined ? { results: o.results.map((r) => String(r)) } : {}),
  };
}

/** A recording given as a file path or as the file's bytes, opened; a bad one is a RecordingError naming it. */
export function loadRecording(source: string | Uint8Array): RecordingFile {
  try {
    return typeof source === 'string' ? readRecording(source) : openRecording(source);
  } catch (e) {
    if (e instanceof RecordingError) throw new RecordingError(`recording ${typeof source === 'string' ? source : '(bytes)'} ${e.message}`);
    throw e;
  }
}

/**
 * Replay output into a guest's stdout/stderr as the WASI options name them:
 * a host fd (default 1 and 2) or a sink. `coalesce`: a host-fd stdout that
 * is not a terminal gathers its writes (wasi's LocalOutputBuffer, as `new
 * WASI({ coalesceStdout: true })` does: 64 KiB, 10 ms while writes go on),
 * written out before any other call, any stderr write and the end: a replay
 * makes one write(2) where the recorded run made many.
 */
export function replayOutput(stdout: number | StdioSink | undefined, stderr: number | StdioSink | undefined, coalesce = false): ReplayOutput {
  type Out = (b: Uint8Array, off: number, len: number) => void;
  const to = (d: number | StdioSink): Out => (typeof d === 'number' ? (b, off, len) => { writeAll(d, b, off, len); } : (b, off, len) => d.write(b.slice(off, off + len)));
  const outFd = stdout ?? 1;
  const out = to(outFd);
  const err = to(stderr ?? 2);
  const gathered = coalesce && typeof outFd === 'number' && !isatty(outFd) ? new LocalOutputBuffer(outFd) : null;
  return {
    write(stream, b, off, len) {
      if (stream === 1 && gathered !== null && gathered.fits(len)) return gathered.append(b, off, len);
      gathered?.flush();
      (stream === 1 ? out : err)(b, off, len);
    },
    flush() {
      gathered?.flush();
    },
  };
}

/** The WASI options of a replayed run: nothing of the host (no preopen, no host stdio); every call answered by `replayer`. */
export function replayWasiOptions(replayer: Replayer): WASIOptions {
  const none = { write(): void {} };
  return { args: [], env: {}, stdin: new Uint8Array(0), stdout: none, stderr: none, wrapImport: replayer.wrap };
}

/** A replayed run's outcome: as the guest's, or exit status 1 and the line saying where it diverged from the recording. */
export function replayOutcome(replayer: Replayer, o: GuestOutcome): GuestOutcome {
  const diverged = replayer.finish(o.exitCode, o.error !== undefined ? errorLine(o.error) : undefined);
  return diverged === undefined ? o : { exitCode: 1, error: { kind: 'error', message: diverged } };
}
