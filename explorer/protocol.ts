/** Messages between the explorer page and its worker. */
import type { Recording } from '../src/record/parse.js';
import type { TracedCall } from '../src/trace/record.js';

/** A file or directory of the in-memory tree (directories have no data). */
export interface TreeEntry {
  path: string;
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  /** File contents, only when the page sends the tree to the worker. */
  data?: Uint8Array;
}

export interface FdRow { fd: number; label: string; filetype: string; rights: string }

/** What the fd table and the files looked like after a call. */
export interface GuestState { fds: FdRow[]; files: TreeEntry[] }

/** Guest memory a call read or wrote (at most 128 bytes per region). */
export interface MemRegion { param: string; access: 'read' | 'written'; ptr: number; len: number; bytes: Uint8Array }

/** A decoded call (the CLI trace's record) plus what only a live run knows. */
export interface ExplorerCall extends TracedCall {
  memory?: MemRegion[];
  /** Set when the call changed the fd table or the files. */
  state?: GuestState;
  /** From a recording, which holds no times: ts and us are 0, and views place the call by its order. */
  untimed?: true;
}

export interface RunRequest {
  type: 'run';
  wasm: ArrayBuffer;
  args: string[];
  env: Record<string, string>;
  stdin: string;
  /** Set when the page is cross-origin isolated: stdin is typed while the guest runs (stdin-channel.ts). */
  stdinBuffer?: SharedArrayBuffer;
  files: TreeEntry[];
}

/** Replay a recording (its module against its calls) to decode each call as a live run's. */
export interface ReplayRequest {
  type: 'replay';
  recording: Recording;
}

export type WorkerRequest = RunRequest | ReplayRequest;

export type WorkerItem =
  | { kind: 'call'; call: ExplorerCall }
  | { kind: 'output'; fd: 1 | 2; text: string };

export type WorkerMessage =
  | { type: 'batch'; items: WorkerItem[]; dropped: number }
  | { type: 'started'; state: GuestState }
  /** The guest reads stdin and nothing typed is left. */
  | { type: 'stdin-wait' }
  | { type: 'exit'; code: number; state: GuestState }
  /** Bad input or a trap: one clear line for the page. */
  | { type: 'error'; message: string; state?: GuestState };
