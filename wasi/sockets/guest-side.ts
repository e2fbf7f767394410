/**
 * The guest's side of a socket channel (./channel.ts): the listeners and
 * connections a guest was given, as fds. Every method runs on the guest's
 * thread and never waits on an event loop: it reads the shared rings, and
 * where it must wait (a blocking accept, recv or send) it sleeps in
 * Atomics.wait on the channel's generation word until the host changes
 * something, so a waiting guest uses no CPU.
 */
import { writeSync } from 'node:fs';
import type { MessagePort } from 'node:worker_threads';
import { Errno, Fdflags, Filetype, Riflags, Rights, Sdflags } from '../abi.js';
import { WasiError } from '../errors.js';
import { Fd } from '../fd.js';
import type { Filestat } from '../fs/handle.js';
import { workerThreads } from './threads.js';
import {
  ConnBlock, Conn, ConnState, Ctl, type GuestRequest, type HostMessage, OUT_CAPACITY, type SocketChannel, ringRead, ringWrite,
} from './channel.js';

/**
 * Rights of a listening socket and of a connection, as wasmtime gives them
 * (its preview1 `sock_accept` / preopened sockets): what poll, fdstat and the
 * socket calls need; no seek, no filestat set, no path rights.
 */
export const RIGHTS_SOCKET_LISTENER = Rights.FD_READ | Rights.FD_WRITE | Rights.SOCK_ACCEPT | Rights.POLL_FD_READWRITE | Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_FILESTAT_GET;
export const RIGHTS_SOCKET_STREAM =
  Rights.FD_READ | Rights.FD_WRITE | Rights.POLL_FD_READWRITE | Rights.SOCK_SHUTDOWN | Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_FILESTAT_GET;


/** A socket's filestat: a socket has no inode or times a guest could use; wasmtime reports zeros. */
const SOCKET_FILESTAT: Filestat = {
  dev: 0n, ino: 0n, filetype: Filetype.SOCKET_STREAM, nlink: 0n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n,
};

/** The guest's end of one channel: shared by all its socket fds. */
export class GuestSockets {
  private readonly ctl: Int32Array;
  private readonly port: MessagePort;
  /** Connections the host handed over, not yet accepted, per listener. */
  private readonly waiting: HostMessage[][];
  private ended = false;

  constructor(channel: SocketChannel) {
    this.ctl = new Int32Array(channel.control);
    this.port = channel.port;
    this.waiting = Array.from({ length: channel.listeners }, () => []);
  }

  /** The cell every wait of this channel sleeps on. */
  get cell(): Int32Array {
    return this.ctl;
  }

  /** The generation to pass to `wait`: read it before looking at any state, so no change is missed. */
  generation(): number {
    return Atomics.load(this.ctl, Ctl.GEN);
  }

  /** Sleep until the host changes something after `gen`, or `timeoutMs` passes. IO if the host has died. */
  wait(gen: number, timeoutMs = Infinity): void {
    if (Atomics.load(this.ctl, Ctl.READY) === 3) throw new WasiError(Errno.IO);
    Atomics.wait(this.ctl, Ctl.GEN, gen, timeoutMs);
  }

  post(req: GuestRequest): void {
    if (!this.ended) this.port.postMessage(req);
  }

  /** New connections the host has posted, sorted to their listeners. */
  private collect(): void {
    const { receiveMessageOnPort } = workerThreads();
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      const msg = m.message as HostMessage;
      this.waiting[msg.listener]?.push(msg);
    }
  }

  pending(listener: number): number {
    this.collect();
    return this.waiting[listener]?.length ?? 0;
  }

  /** The oldest connection waiting on `listener`, taken: the host may then accept another. */
  take(listener: number): HostMessage | undefined {
    this.collect();
    const msg = this.waiting[listener]?.shift();
    if (msg !== undefined) Atomics.add(this.ctl, Ctl.TAKEN + listener, 1);
    return msg;
  }

  /** The guest is done: the host sends what is queued, closes everything and ends. */
  end(): void {
    this.post({ op: 'end' });
    this.ended = true;
    this.port.close();
  }
}

/** What the socket fds share: non-blocking mode and the fd_fdstat_set_flags rule. */
abstract class SocketFd extends Fd {
  readonly filetype = Filetype.SOCKET_STREAM;
  protected nonblocking = false;

  constructor(readonly sockets: GuestSockets, rightsBase: number) {
    super(rightsBase, 0);
  }

  override get fdflags(): number {
    return this.nonblocking ? Fdflags.NONBLOCK : 0;
  }

  override get isSocket(): boolean {
    return true;
  }

  override setFdflags(flags: number): void {
    // A socket has no APPEND; NONBLOCK is the one flag that means something (wasmtime: the same).
    if (flags & Fdflags.APPEND) throw new WasiError(Errno.INVAL);
    this.nonblocking = (flags & Fdflags.NONBLOCK) !== 0;
  }

  filestat(): Filestat {
    return SOCKET_FILESTAT;
  }

  override waitCell(): Int32Array {
    return this.sockets.cell;
  }

  /** Block until `ready()` holds, or throw AGAIN when non-blocking. */
  protected await(ready: () => boolean): void {
    for (;;) {
      const gen = this.sockets.generation();
      if (ready()) return;
      if (this.nonblocking) throw new WasiError(Errno.AGAIN);
      this.sockets.wait(gen);
    }
  }
}

/** A listening socket the host preopened: sock_accept and poll. */
export class ListenerFd extends SocketFd {
  constructor(sockets: GuestSockets, readonly index: number) {
    super(sockets, RIGHTS_SOCKET_LISTENER);
    // Preopened listeners start non-blocking, as wasmtime sets them: Go's
    // os.NewFile polls only an fd that says NONBLOCK (a blocking accept would
    // stop its one thread), and poll-based C servers accept after poll().
    this.nonblocking = true;
  }

  // A listening socket is not connected (Linux: ENOTCONN).
  override recv(): number {
    throw new WasiError(Errno.NOTCONN);
  }
  override send(): number {
    throw new WasiError(Errno.NOTCONN);
  }
  override shutdown(): void {
    throw new WasiError(Errno.NOTCONN);
  }

  override accept(nonblocking: boolean): Fd {
    this.await(() => this.sockets.pending(this.index) > 0);
    const msg = this.sockets.take(this.index)!;
    const conn = new StreamFd(this.sockets, msg.id, new ConnBlock(msg.block), msg.fd);
    conn.setFdflags(nonblocking ? Fdflags.NONBLOCK : 0);
    conn.label = `${this.label}#${msg.id}`;
    return conn;
  }

  override close(): void {
    this.sockets.post({ op: 'close-listener', listener: this.index });
  }

  /** Readable when a connection waits to be accepted; nbytes is how many wait (wasmtime says 1). */
  override readiness(write: boolean): number {
    if (write) return -1;
    const n = this.sockets.pending(this.index);
    return n > 0 ? n : -1;
  }

  override get isPreopenedSocket(): boolean {
    return true;
  }
}

/** One accepted connection: bytes through the rings, requests to the host. */
export class StreamFd extends SocketFd {
  private readonly w: Int32Array;
  private shutRd = false;
  private shutWr = false;

  constructor(sockets: GuestSockets, readonly id: number, private readonly block: ConnBlock, private readonly hostFd: number) {
    super(sockets, RIGHTS_SOCKET_STREAM);
    this.w = block.words;
  }

  /**
   * Write straight to the socket's fd from this thread: no round trip to
   * the host for the common case (a response into an empty socket buffer).
   * Only when the host has nothing of ours left to send (FLUSHED, ring
   * empty), so bytes keep their order; and under WRITER, which the host
   * waits out before it closes the fd, so a number the kernel may reuse is
   * never written. Returns the bytes written (0: the kernel buffer is full,
   * or the host is closing: queue them instead).
   */
  private writeDirect(buf: Uint8Array, off: number, len: number): number {
    const w = this.w;
    if (this.hostFd < 0 || (this.block.state() & (ConnState.FLUSHED | ConnState.ERROR)) !== ConnState.FLUSHED || this.block.outboundLength() !== 0) return 0;
    if (Atomics.compareExchange(w, Conn.WRITER, 0, 1) !== 0) return 0;
    try {
      if (Atomics.load(w, Conn.CLOSING) !== 0) return 0;
      return writeSync(this.hostFd, buf, off, len);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return 0;
      throw e; // EPIPE, ECONNRESET: the guest's errno
    } finally {
      Atomics.store(w, Conn.WRITER, 0);
      Atomics.notify(w, Conn.WRITER);
    }
  }

  /** The connection's failure (CONNRESET, PIPE…) as a WasiError, if it failed. */
  private failure(): WasiError | null {
    return this.block.state() & ConnState.ERROR ? new WasiError(Atomics.load(this.w, Conn.ERRNO) as Errno) : null;
  }

  /** accept(2) on a connected socket: EINVAL. */
  override accept(): Fd {
    throw new WasiError(Errno.INVAL);
  }

  override recv(buf: Uint8Array, off: number, len: number, flags: number): number {
    if (len === 0 || this.shutRd) return 0;
    const peek = (flags & Riflags.RECV_PEEK) !== 0;
    // RECV_WAITALL: go on until len, the end of the stream or a failure (as recv(2)).
    const waitAll = (flags & Riflags.RECV_WAITALL) !== 0 && !peek;
    let got = 0;
    for (;;) {
      const gen = this.sockets.generation();
      const avail = this.block.inboundLength();
      if (avail > 0) {
        const tail = Atomics.load(this.w, Conn.IN_TAIL);
        const n = ringRead(this.block.inbound, tail, avail, buf, off + got, len - got);
        if (peek) return n;
        Atomics.store(this.w, Conn.IN_TAIL, (tail + n) | 0);
        got += n;
        // The host stopped reading when the ring filled; there is room again.
        if (Atomics.compareExchange(this.w, Conn.PAUSED, 1, 2) === 1) this.sockets.post({ op: 'resume', id: this.id });
        if (!waitAll || got === len) return got;
        continue;
      }
      const failed = this.failure();
      if (failed !== null) {
        if (got > 0) return got;
        throw failed;
      }
      if (this.block.state() & ConnState.PEER_EOF) return got; // the peer's FIN: end of stream
      if (this.nonblocking) {
        if (got > 0) return got;
        throw new WasiError(Errno.AGAIN);
      }
      this.sockets.wait(gen);
    }
  }

  override read(buf: Uint8Array, off: number, len: number): number {
    return this.recv(buf, off, len, 0);
  }

  override send(buf: Uint8Array, off: number, len: number): number {
    if (this.shutWr) throw new WasiError(Errno.PIPE);
    let sent = this.writeDirect(buf, off, len);
    while (sent < len) {
      const failed = this.failure();
      if (failed !== null) {
        if (sent > 0) break;
        throw failed;
      }
      const gen = this.sockets.generation();
      const head = Atomics.load(this.w, Conn.OUT_HEAD);
      const free = OUT_CAPACITY - this.block.outboundLength();
      if (free === 0) {
        if (sent > 0 && this.nonblocking) break;
        if (this.nonblocking) throw new WasiError(Errno.AGAIN);
        this.sockets.wait(gen);
        continue;
      }
      this.block.clearState(ConnState.FLUSHED); // before the bytes are visible: no direct write may pass them
      const n = ringWrite(this.block.outbound, head, free, buf, off + sent, len - sent);
      Atomics.store(this.w, Conn.OUT_HEAD, (head + n) | 0);
      sent += n;
      this.askToSend();
    }
    return sent;
  }

  override write(buf: Uint8Array, off: number, len: number): number {
    return this.send(buf, off, len);
  }

  /** One "send" request on its way at a time: the host clears the word before it takes bytes out. */
  private askToSend(): void {
    if (Atomics.compareExchange(this.w, Conn.SEND_ASKED, 0, 1) === 0) this.sockets.post({ op: 'send', id: this.id });
  }

  override shutdown(how: number): void {
    if (how & Sdflags.RD && !this.shutRd) {
      this.shutRd = true;
      // What arrived and was never read is dropped, as after shutdown(SHUT_RD) on Linux.
      Atomics.store(this.w, Conn.IN_TAIL, Atomics.load(this.w, Conn.IN_HEAD));
    }
    if (how & Sdflags.WR) this.shutWr = true;
    this.sockets.post({ op: 'shutdown', id: this.id, how });
  }

  /** Bytes ready to read; 0 at the end of the stream; -1 if none yet. */
  override readiness(write: boolean): number {
    if (write) {
      if (this.shutWr || this.block.state() & ConnState.ERROR) return 0;
      const free = OUT_CAPACITY - this.block.outboundLength();
      return free > 0 ? free : -1;
    }
    if (this.shutRd) return 0;
    const n = this.block.inboundLength();
    if (n > 0) return n;
    return this.block.state() & (ConnState.PEER_EOF | ConnState.ERROR) ? 0 : -1;
  }

  /**
   * poll's HANGUP: for reading, the peer's FIN came (or the connection
   * failed) and every byte before it was read; for writing, the connection
   * failed or we shut down writing.
   */
  override hungUp(write: boolean): boolean {
    const st = this.block.state();
    if (write) return this.shutWr || (st & ConnState.ERROR) !== 0;
    return this.shutRd || (this.block.inboundLength() === 0 && (st & (ConnState.PEER_EOF | ConnState.ERROR)) !== 0);
  }

  override readable(): number {
    return Math.max(0, this.readiness(false));
  }

  override close(): void {
    this.sockets.post({ op: 'close', id: this.id });
  }
}
