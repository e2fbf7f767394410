/**
 * What a WASI instance needs from the machine it runs on besides guest
 * memory: stdio given as host fd numbers, host directories, ending the
 * process. Node's is node.ts (node:fs, node:tty); the browser's (browser.ts)
 * has none of them. Keeping them behind this seam keeps the core — calls,
 * fd table, memfs backend, sinks — free of node:*.
 */
import type { Fd } from './fd.js';
import type { DirHandle } from './fs/handle.js';
import type { OutputCoalescer } from './stdio.js';

export interface Platform {
  /** The guest's fd 0-2 as host fd `fd`; `output` gathers stdout writes when `coalesce`. */
  hostStdio(fd: number, output: OutputCoalescer | null, coalesce: boolean): Fd;
  /** coalesceStdout: true — write-combining for a host-fd stdout on this thread. */
  localOutput(fd: number): OutputCoalescer;
  /** From now on write `fd`'s output at once (a reactor's exports return to the embedder). */
  stopCoalescing(fd: Fd): void;
  /** A host directory to preopen (a path the embedder gave). */
  openHostDir(path: string, readonly: boolean): DirHandle;
  /** returnOnExit: false — end the process with the guest's code. */
  exit(code: number): never;
}
