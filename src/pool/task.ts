/** What crosses between the caller's thread and a guest's worker thread. */
import type { RecordingStart } from '../record/recorder.js';
import type { TraceSpec } from '../trace/setup.js';
import type { ListenersOption } from '../../wasi/index.js';
import type { GuestOutcome } from '../run-guest.js';

export type { GuestError } from '../run-guest.js';

/** A memfs volume's content, as memfs's toJSON gives it (files as Buffers). */
export type VolumeSnapshot = Record<string, Uint8Array | string | null>;

/** A preopen that can cross threads: a host directory, or a memfs volume's content. */
export type PreopenSpec = { host: string; readonly?: boolean } | { volume: VolumeSnapshot; readonly?: boolean; limit?: number };

/**
 * Where a guest's output goes. `fd`: written at once to a host fd (a
 * terminal). `ring`: gathered in a shared ring (wasi/shared-output.ts) that
 * the caller's thread drains — to `fd` if set (the guest's thread may then
 * write it out too), otherwise to the caller's buffer or callback.
 * `captured`: the caller keeps the bytes until the run ends, so the guest's
 * thread wakes it only when the ring is full.
 */
export type OutputSpec =
  | { kind: 'fd'; fd: number }
  | { kind: 'ring'; sab: SharedArrayBuffer; fd?: number | undefined; captured?: boolean | undefined };

export type InputSpec =
  | { kind: 'bytes'; data: Uint8Array }
  | { kind: 'fd'; fd: number }
  | { kind: 'shared'; sab: SharedArrayBuffer };

export interface GuestTask {
  module: WebAssembly.Module;
  args: string[];
  env: Record<string, string>;
  preopens: Record<string, PreopenSpec>;
  stdin: InputSpec;
  stdout: OutputSpec;
  stderr: OutputSpec;
  invoke?: string | undefined;
  invokeArgs?: string[] | undefined;
  /** Pages the module's memories were capped at (for the error message). */
  memoryLimitPages?: number | undefined;
  /** Trace the WASI calls (see src/trace). */
  trace?: TraceSpec | undefined;
  /** Listening sockets: a channel to a host on the caller's thread, or addresses and fds to open here. */
  listeners?: ListenersOption | undefined;
  /** Record the run into `file` (../record). */
  record?: { file: string; start: RecordingStart } | undefined;
  /** Answer every call from this recording (a path or the file's bytes). */
  replay?: string | Uint8Array | undefined;
}

/** A pooled call's outcome (../run-guest.ts), with what goes back to the caller. */
export interface GuestResult extends GuestOutcome {
  durationMs: number;
  /** Volumes after the run, to write back into the caller's memfs volumes. */
  volumes?: Record<string, VolumeSnapshot> | undefined;
  trace?: string[] | undefined;
}

/** Load a snapshot into a volume. Structured clone turns Buffers into Uint8Arrays, which memfs would not take as file content. */
export function restoreVolume(vol: { reset(): void; fromJSON(json: Record<string, string | Buffer | null>): void }, snap: VolumeSnapshot): void {
  const json: Record<string, string | Buffer | null> = {};
  for (const [p, v] of Object.entries(snap)) {
    json[p] = v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
  }
  vol.reset();
  vol.fromJSON(json);
}
