/**
 * tswasi's public API.
 *
 *   import { WASI, run, createPool } from 'tswasi';
 *
 * WASI is the node:wasi-compatible class (runs on the caller's thread, as
 * node:wasi does). run() and createPool() run guests in worker threads.
 */
export { WASI, ReplayStop, type RecordReplayOptions } from './wasi.js';
export { WasiExit, Errno, ListenError, type WASIOptions, type StdioSink, type StdioSource, type DirSource, type ListenerSource, type TcpListen } from '../wasi/index.js';
export { createPool, run, Pool, type PoolOptions, type GuestRunOptions, type GuestRunResult, type ModuleSource, type PreopenSource } from './pool/pool.js';
export type { GuestError } from './pool/task.js';
export { UserError } from './errors.js';
