/**
 * tswasi in the browser (`tswasi/browser`): the WASI core with the in-memory
 * backend (memfs volumes) and stdio sinks and sources. Nothing reachable from
 * here imports node:* — host fds and host directories are Node's (node.ts).
 * scripts/build-browser.mjs bundles this with memfs into
 * dist/browser/tswasi.js and fails if a node:* module or a Node-only module
 * of ours gets in.
 */
import type { Platform } from './platform.js';
import type { StdioSink, StdioSource } from './stdio.js';
import { WasiBase, type WASIOptions } from './wasi.js';

function noHost(what: string): never {
  throw new TypeError(`${what} do not exist in a browser: use a memfs Volume for files, bytes or a StdioSource for stdin, a StdioSink for output`);
}

const BROWSER: Platform = {
  hostStdio: () => noHost('host file descriptors'),
  localOutput: () => noHost('host file descriptors'),
  stopCoalescing: () => {},
  openHostDir: () => noHost('host directories'),
  exit: (code) => { throw new Error(`the guest exited with ${code}: returnOnExit: false has no process to end in a browser`); },
  listeners: () => { throw new TypeError('listening sockets do not exist in a browser'); },
};

/** Output to the console, line by line (the default stdout and stderr here). */
function consoleSink(log: (line: string) => void): StdioSink {
  const dec = new TextDecoder();
  let pending = '';
  return {
    write(chunk) {
      const lines = (pending + dec.decode(chunk, { stream: true })).split('\n');
      pending = lines.pop()!;
      for (const l of lines) log(l);
    },
  };
}

/** The browser's WASIOptions: no host fds and no host paths. */
export interface BrowserWASIOptions extends Omit<WASIOptions, 'stdin' | 'stdout' | 'stderr' | 'coalesceStdout' | 'preopens' | 'listeners'> {
  /** Default: empty. */
  stdin?: Uint8Array | string | StdioSource;
  /** Default: console.log, line by line. */
  stdout?: StdioSink;
  /** Default: console.error, line by line. */
  stderr?: StdioSink;
  /** Guest path → memfs Volume, or { volume, path?, readonly? }. */
  preopens?: WASIOptions['preopens'];
}

export class WASI extends WasiBase {
  constructor(options: BrowserWASIOptions = {}) {
    super({
      ...options,
      stdin: options.stdin ?? new Uint8Array(0),
      stdout: options.stdout ?? consoleSink((l) => console.log(l)),
      stderr: options.stderr ?? consoleSink((l) => console.error(l)),
    }, BROWSER);
  }
}

export type { StdioSink, StdioSource } from './stdio.js';
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
