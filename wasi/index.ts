/** tswasi's WASI preview1 core. Depends on nothing else of tswasi. */
export { WASI, openDirSource } from './node.js';
export type { WASIOptions, StdioSink, StdioSource, OutputCoalescer, DirSource } from './wasi.js';
export { WasiExit, WasiError } from './errors.js';
export * as abi from './abi.js';
export { Errno, ERRNO_NAMES, Rights } from './abi.js';
export { HostDir } from './fs/host.js';
export { MemDir } from './fs/mem.js';
export type { DirHandle, FileHandle, Filestat } from './fs/handle.js';
export type { Namespace, MountTarget, DirRef } from './fs/resolve.js';
export { buildNamespace, namespacePreopen, normaliseGuestPath, resolveIn, readAllFrom } from './preopens.js';
export { DirFd } from './fd.js';
export type { WasiFunction, WasiFunctions, CallContext } from './calls/context.js';
export { GuestMemory } from './memory.js';
export { FdTable } from './fd-table.js';
export { Fd } from './fd.js';
export { SharedOutputWriter, SharedOutputReader, createOutputRing, resetOutputRing, outputRingCapacity, type WriteFn } from './shared-output.js';
export { HostStreamFd, writeAll } from './host-stdio.js';
