/**
 * Giving a guest its listeners: the fds the WASI class puts at 3, 4, … .
 * `openListeners` starts a host thread (./host-thread.ts) that binds them
 * and waits until it has; `hostListeners` serves an embedder's own
 * listening net.Servers from the calling thread instead (the pool: the
 * guest runs on a worker, the caller's event loop is free), and hands back
 * the channel to give the guest's thread.
 */
import type { Server } from 'node:net';
import { MAX_LISTENERS, Ctl, createControl, failureOf, type SocketChannel } from './channel.js';
import { GuestSockets, ListenerFd } from './guest-side.js';
import { SocketHost } from './host.js';
import { type ListenerSource, describeListener } from './listeners.js';
import { workerThreads } from './threads.js';

/** A host thread still binding after this long is stuck (a name that never resolves). */
const OPEN_TIMEOUT_MS = 30_000;

/** A listener that could not be opened; `message` is one line: "failed to bind to address '…': address already in use". */
export class ListenError extends Error {}

/** What the WASI class gets: the listener fds, and how to end the host when the guest ends. */
export interface GuestListeners {
  fds: ListenerFd[];
  end(): void;
}

function checkCount(n: number): void {
  if (n > MAX_LISTENERS) throw new ListenError(`too many listeners: ${n} (at most ${MAX_LISTENERS})`);
}

/** The guest's side of a channel: one ListenerFd per listener, in order. */
export function guestListeners(channel: SocketChannel, labels: readonly string[] = []): GuestListeners {
  const sockets = new GuestSockets(channel);
  const fds = Array.from({ length: channel.listeners }, (_, i) => {
    const fd = new ListenerFd(sockets, i);
    fd.label = labels[i] ?? `listener ${i}`;
    return fd;
  });
  return { fds, end: () => sockets.end() };
}

/**
 * Bind `sources` on a host thread of their own and return the guest's fds.
 * Blocks this thread until they are open (tens of ms: a thread's start);
 * throws ListenError when one cannot be, with nothing left listening.
 */
export function openListeners(sources: readonly ListenerSource[]): GuestListeners {
  checkCount(sources.length);
  const { MessageChannel, Worker } = workerThreads();
  const control = createControl();
  const { port1, port2 } = new MessageChannel();
  const channel: SocketChannel = { control, port: port2, listeners: sources.length };
  const worker = new Worker(new URL('./host-thread.cjs', import.meta.url), {
    workerData: { channel, listeners: sources },
    transferList: [port2],
  });
  const ctl = new Int32Array(control);
  const deadline = Date.now() + OPEN_TIMEOUT_MS;
  while (Atomics.load(ctl, Ctl.READY) === 0) {
    const left = deadline - Date.now();
    if (left <= 0) {
      void worker.terminate();
      throw new ListenError(`failed to bind to the listeners: no answer in ${OPEN_TIMEOUT_MS / 1000} s`);
    }
    Atomics.wait(ctl, Ctl.READY, 0, left);
  }
  if (Atomics.load(ctl, Ctl.READY) === 2) {
    void worker.terminate();
    throw new ListenError(failureOf(control));
  }
  // The host thread keeps the process alive only while it has work the guest left it (sending on, closing).
  worker.unref();
  const guest = guestListeners({ control, port: port1, listeners: sources.length }, sources.map(describeListener));
  return {
    fds: guest.fds,
    end: () => {
      worker.ref();
      guest.end();
    },
  };
}

/**
 * Serve the guest's listeners from this thread: connections of these
 * listening `servers` go to the guest (an embedder's net.Servers, left
 * open when the guest ends). Returns the channel for the guest's thread
 * (transfer its `port`) and a promise that settles when the host is done.
 */
export function hostListeners(servers: readonly Server[]): { channel: SocketChannel; done: Promise<void> } {
  checkCount(servers.length);
  for (const s of servers) if (!s.listening) throw new TypeError('a listener given as a net.Server must be listening');
  const control = createControl();
  const { port1, port2 } = new (workerThreads().MessageChannel)();
  let finished!: () => void;
  const done = new Promise<void>((resolve) => { finished = resolve; });
  new SocketHost(control, port1, servers, false, finished);
  Atomics.store(new Int32Array(control), Ctl.READY, 1);
  return { channel: { control, port: port2, listeners: servers.length }, done };
}
