/**
 * tswasi in the browser (`tswasi/browser`): the WASI core with the in-memory
 * backend (memfs volumes) and stdio sinks and sources. Nothing reachable from
 * here imports node:* — the host-directory backend and host-fd stdio stay in
 * Node. scripts/build-browser.mjs bundles this with memfs into
 * dist/browser/tswasi.js and fails if a node:* module or the host backend
 * gets in.
 */
export { WASI, type WASIOptions, type StdioSink, type StdioSource } from './wasi.js';
export { WasiExit, WasiError } from './errors.js';
export * as abi from './abi.js';
export { Errno, ERRNO_NAMES, Rights } from './abi.js';
export { MemDir } from './fs/mem.js';
export type { DirHandle, FileHandle, Filestat } from './fs/handle.js';
export type { WasiFunction, WasiFunctions, CallContext } from './calls/context.js';
export { GuestMemory } from './memory.js';
export { FdTable } from './fd-table.js';
export { Fd, DirFd } from './fd.js';
/** memfs's Volume, bundled with the polyfills it needs in a browser. */
export { Volume } from 'memfs';
