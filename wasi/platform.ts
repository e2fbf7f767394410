/**
 * What a WASI instance needs from the machine it runs on besides guest
 * memory: stdio given as host fd numbers, host directories, ending the
 * process. Node's is node.ts (node:fs, node:tty); the browser's (browser.ts)
 * has none of them. Keeping them behind this seam keeps the core — calls,
 * fd table, memfs backend, sinks — free of node:*.
 */
import type { Fd } from './fd.js';
import type { DirHandle } from './fs/handle.js';
import type { SocketChannel } from './sockets/channel.js';
import type { ListenerSource } from './sockets/listeners.js';
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
  /**
   * The guest's listening sockets (fds 3, 4, … in order) and how to let
   * their host go when the guest ends; throws where there are no sockets
   * (the browser) or a listener cannot be opened.
   */
  listeners(sources: ListenersOption): { fds: Fd[]; end(): void };
}

/**
 * `listeners` of WASIOptions: the addresses and fds to listen on (a host
 * thread binds them), or the channel of a host another thread already runs
 * (the pool's calling thread, serving an embedder's net.Servers).
 */
export type ListenersOption = readonly ListenerSource[] | { channel: SocketChannel };
