/**
 * The memory a guest's thread and its socket host share (./host.ts runs the
 * sockets on an event loop; ./socket-fd.ts is the guest's side). WASI calls
 * are synchronous and Node's sockets are not, so the sockets live on a thread
 * with an event loop and the guest's thread reads and writes their bytes in
 * SharedArrayBuffers:
 *
 * - one control block per guest: a generation word the host bumps (and
 *   notifies) whenever anything a guest may wait for changes — bytes arrived,
 *   a connection came, room freed for sending, a peer hung up — so a blocked
 *   sock_accept, sock_recv or poll_oneoff sleeps in Atomics.wait (no CPU) and
 *   wakes on any change; and per listener, how many connections the guest has
 *   taken (the host bounds how many wait unaccepted);
 * - one block per connection: an inbound ring (host writes, guest reads) and
 *   an outbound ring (guest writes, host reads), and the state words below.
 *
 * Requests that need the host to act (send what is queued, shut down, close,
 * read again after a full ring) go as messages on a MessagePort; new
 * connections come back the same way, with their block. Rings are
 * single-producer single-consumer; positions are byte counters that wrap at
 * 2^32; capacities are powers of two.
 */
import type { MessagePort } from 'node:worker_threads';

/** Control block words (Int32). */
export const Ctl = {
  /** Bumped and notified by the host on any change a guest may wait for. */
  GEN: 0,
  /**
   * Setup: 0 while the host opens its listeners, 1 when ready, 2 when it
   * failed (message in `failure`); 3 if the host died later (an exception
   * on its thread): every socket call then fails with IO instead of waiting
   * for a host that will never answer.
   */
  READY: 1,
  /** First of MAX_LISTENERS words: connections the guest has accepted from listener i. */
  TAKEN: 2,
} as const;

/** Listeners one guest may be given (an fd table of that many sockets is already unusual). */
export const MAX_LISTENERS = 64;
/**
 * Connections the host accepts for a listener beyond those the guest took,
 * like listen(2)'s backlog (Linux's somaxconn is 4096 since 5.4; 1024 keeps
 * a burst of a thousand connects served, as natively, while bounding what
 * an idle guest holds: a waiting connection costs a page or two of its rings).
 */
export const ACCEPT_BACKLOG = 1024;

const CTL_WORDS = Ctl.TAKEN + MAX_LISTENERS;
/** Bytes after the control words for a setup failure message (UTF-8, length-prefixed). */
const FAILURE_BYTES = 1024;

export function createControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(CTL_WORDS * 4 + 4 + FAILURE_BYTES);
}

export function setFailure(ctl: SharedArrayBuffer, message: string): void {
  const bytes = new TextEncoder().encode(message).subarray(0, FAILURE_BYTES);
  new Uint8Array(ctl, CTL_WORDS * 4 + 4).set(bytes);
  new Int32Array(ctl, CTL_WORDS * 4, 1)[0] = bytes.length;
}

export function failureOf(ctl: SharedArrayBuffer): string {
  const len = new Int32Array(ctl, CTL_WORDS * 4, 1)[0]!;
  return new TextDecoder().decode(new Uint8Array(ctl, CTL_WORDS * 4 + 4, len));
}

/** Connection block words (Int32). */
export const Conn = {
  IN_HEAD: 0, // bytes the host has put in the inbound ring
  IN_TAIL: 1, // bytes the guest has taken out of it
  OUT_HEAD: 2, // bytes the guest has queued in the outbound ring
  OUT_TAIL: 3, // bytes the host has taken out of it
  /** ConnState bits, set by the host. */
  STATE: 4,
  /** The WASI errno of a failed connection (CONNRESET, PIPE…), with ConnState.ERROR. */
  ERRNO: 5,
  /** 1 while a "send" request is on its way to the host (the guest posts one at a time). */
  SEND_ASKED: 6,
  /**
   * 1 while the host has stopped reading because the inbound ring was full;
   * the guest makes it 2 when it has made room and asked the host to resume
   * (one request at a time); the host sets it back to 0 or 1.
   */
  PAUSED: 7,
  /** 1 while the guest's thread writes to the socket's fd itself (see StreamFd.send). */
  WRITER: 8,
  /** 1 once the host is closing the socket: the guest no longer writes to its fd. */
  CLOSING: 9,
} as const;
const CONN_WORDS = 10;

export const ConnState = {
  /** The peer shut down its sending side (FIN): once the ring is empty, reads return 0. */
  PEER_EOF: 1,
  /** The connection failed (reset, or a write the peer refused): ERRNO says how. */
  ERROR: 2,
  /**
   * The host has nothing of the guest's left to send: the outbound ring is
   * empty and the socket's own queue too. Only then may the guest write to
   * the fd directly without passing bytes sent earlier.
   */
  FLUSHED: 4,
} as const;

export const IN_CAPACITY = 64 * 1024;
export const OUT_CAPACITY = 64 * 1024;

/** The views of one connection block. */
export class ConnBlock {
  readonly words: Int32Array;
  readonly inbound: Uint8Array;
  readonly outbound: Uint8Array;

  constructor(readonly sab: SharedArrayBuffer) {
    this.words = new Int32Array(sab, 0, CONN_WORDS);
    this.inbound = new Uint8Array(sab, CONN_WORDS * 4, IN_CAPACITY);
    this.outbound = new Uint8Array(sab, CONN_WORDS * 4 + IN_CAPACITY, OUT_CAPACITY);
  }

  static create(): ConnBlock {
    const b = new ConnBlock(new SharedArrayBuffer(CONN_WORDS * 4 + IN_CAPACITY + OUT_CAPACITY));
    Atomics.store(b.words, Conn.STATE, ConnState.FLUSHED);
    return b;
  }

  /** Bytes waiting in the inbound ring. */
  inboundLength(): number {
    return (Atomics.load(this.words, Conn.IN_HEAD) - Atomics.load(this.words, Conn.IN_TAIL)) >>> 0;
  }

  /** Bytes waiting in the outbound ring. */
  outboundLength(): number {
    return (Atomics.load(this.words, Conn.OUT_HEAD) - Atomics.load(this.words, Conn.OUT_TAIL)) >>> 0;
  }

  state(): number {
    return Atomics.load(this.words, Conn.STATE);
  }

  setState(bits: number): void {
    Atomics.or(this.words, Conn.STATE, bits);
  }

  clearState(bits: number): void {
    Atomics.and(this.words, Conn.STATE, ~bits);
  }
}

/**
 * Copy up to `len` bytes out of a ring (from position `tail`, `avail` bytes
 * there) into `dst` at `off`. Returns the bytes copied; the caller advances
 * the tail (or does not, for a peek).
 */
export function ringRead(ring: Uint8Array, tail: number, avail: number, dst: Uint8Array, off: number, len: number): number {
  const n = Math.min(len, avail);
  const cap = ring.length;
  const start = tail & (cap - 1);
  const first = Math.min(n, cap - start);
  dst.set(ring.subarray(start, start + first), off);
  if (first < n) dst.set(ring.subarray(0, n - first), off + first);
  return n;
}

/** Copy up to `len` bytes of `src` at `off` into a ring at position `head` with `free` bytes free. */
export function ringWrite(ring: Uint8Array, head: number, free: number, src: Uint8Array, off: number, len: number): number {
  const n = Math.min(len, free);
  const cap = ring.length;
  const start = head & (cap - 1);
  const first = Math.min(n, cap - start);
  ring.set(src.subarray(off, off + first), start);
  if (first < n) ring.set(src.subarray(off + first, off + n), 0);
  return n;
}

/** Messages from the guest's thread to the host. */
export type GuestRequest =
  | { op: 'send'; id: number }
  | { op: 'resume'; id: number }
  | { op: 'shutdown'; id: number; how: number }
  | { op: 'close'; id: number }
  /** The guest closed listener `listener`'s fd: stop accepting for it. */
  | { op: 'close-listener'; listener: number }
  /** The guest is done: send what is queued, close everything, end. */
  | { op: 'end' };

/** Messages from the host to the guest's thread. */
export type HostMessage = {
  op: 'connection';
  listener: number;
  id: number;
  block: SharedArrayBuffer;
  /** The socket's fd in this process, for the guest's direct writes; -1 when unknown. */
  fd: number;
};

/** What a guest's thread needs to use the sockets a host serves: structured-cloneable (transfer `port`). */
export interface SocketChannel {
  control: SharedArrayBuffer;
  port: MessagePort;
  /** How many listeners, in the order the guest gets them as fds. */
  listeners: number;
}
