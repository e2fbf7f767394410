/**
 * The host's side of a socket channel (./channel.ts): runs on a thread with
 * an event loop (./host-thread.ts's worker, or the pool's calling thread)
 * and owns the real sockets. Connections a listener accepts are handed to
 * the guest with a shared block; bytes that arrive go into its inbound ring,
 * bytes the guest queues go out; every change bumps the generation word, so
 * a guest sleeping in Atomics.wait wakes.
 *
 * Bounds: the host reads a connection only while its inbound ring has room
 * (then it pauses the socket: a guest that never reads makes the peer's
 * writes stall in the kernel, not the host buffer), keeps at most one
 * socket chunk aside per connection, writes out at most one outbound ring's
 * worth ahead of the kernel, holds at most ACCEPT_BACKLOG unaccepted
 * connections per listener (more are refused), and gives a closed
 * connection LINGER_MS to send what was queued before it is cut.
 */
import type { Server, Socket } from 'node:net';
import type { MessagePort } from 'node:worker_threads';
import { Errno, Sdflags } from '../abi.js';
import { errnoOf } from '../errors.js';
import { ACCEPT_BACKLOG, ConnBlock, Conn, ConnState, Ctl, type GuestRequest, type HostMessage, IN_CAPACITY, ringRead, ringWrite } from './channel.js';

/** How long a closed connection (or the whole host, when the guest ends) may take to send what was queued. */
export const LINGER_MS = 10_000;

class HostConn {
  /** Bytes read from the socket that did not fit in the inbound ring (the socket is paused meanwhile). */
  aside: Buffer | null = null;
  /** The socket's 'end' came: PEER_EOF is set once `aside` is delivered too. */
  eof = false;
  /** The guest shut down reading: what arrives is dropped. */
  discard = false;
  /** The guest closed the fd, or shut down writing: end the socket once the outbound ring is sent. */
  endAfterFlush = false;
  closeAfterFlush = false;
  /** socket.write returned false: wait for 'drain' before taking more out of the outbound ring. */
  blocked = false;
  /** socket.end() was called (after a close or shutdown(WR)). */
  ended = false;
  closed = false;

  constructor(readonly id: number, readonly socket: Socket, readonly block: ConnBlock) {}
}

/**
 * The socket's fd, for the guest's direct writes, and the guard that makes
 * them safe: the fd is closed only after CLOSING is set and no direct write
 * is under way (WRITER), so the guest never writes to a number the kernel
 * has given to another file. -1 when the socket has no fd (not a TCP or
 * pipe handle): the guest then always queues.
 */
function guardFd(socket: Socket, w: Int32Array): number {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } })._handle;
  const fd = typeof handle?.fd === 'number' && handle.fd >= 0 ? handle.fd : -1;
  if (fd < 0) return -1;
  const s = socket as unknown as { _destroy: (err: Error | null, cb: (err: Error | null) => void) => void };
  const destroy = s._destroy;
  s._destroy = function (this: unknown, err, cb) {
    Atomics.store(w, Conn.CLOSING, 1);
    // A write(2) of a non-blocking fd: microseconds at most.
    while (Atomics.load(w, Conn.WRITER) === 1) Atomics.wait(w, Conn.WRITER, 1, 10);
    destroy.call(this, err, cb);
  };
  return fd;
}

export class SocketHost {
  private readonly ctl: Int32Array;
  private readonly conns = new Map<number, HostConn>();
  private nextId = 1;
  /** Connections offered per listener (the guest counts those it took in the control block). */
  private readonly offered: number[];
  private readonly onConnection: Array<((s: Socket) => void) | null> = [];
  private ending = false;
  private endTimer: NodeJS.Timeout | null = null;

  /**
   * `servers` are listening; `owned`: close them when the guest ends (ours),
   * or only stop taking their connections (an embedder's net.Server).
   */
  constructor(
    control: SharedArrayBuffer,
    private readonly port: MessagePort,
    private readonly servers: readonly Server[],
    private readonly owned: boolean,
    private readonly onEnd: () => void = () => {},
  ) {
    this.ctl = new Int32Array(control);
    this.offered = servers.map(() => 0);
    servers.forEach((server, i) => {
      const handler = (s: Socket): void => this.accept(i, s);
      this.onConnection.push(handler);
      server.on('connection', handler);
    });
    port.on('message', (m: GuestRequest) => this.request(m));
    // The guest's thread ended without saying so (terminated): end too.
    port.on('close', () => this.end());
  }

  /** Wake every wait of the guest: something changed. */
  private bump(): void {
    Atomics.add(this.ctl, Ctl.GEN, 1);
    Atomics.notify(this.ctl, Ctl.GEN);
  }

  private accept(listener: number, socket: Socket): void {
    const taken = Atomics.load(this.ctl, Ctl.TAKEN + listener);
    if (this.ending || this.offered[listener]! - taken >= ACCEPT_BACKLOG) {
      socket.destroy();
      return;
    }
    const id = this.nextId++;
    const c = new HostConn(id, socket, ConnBlock.create());
    this.conns.set(id, c);
    const fd = guardFd(socket, c.block.words);
    socket.on('data', (chunk: Buffer) => this.arrived(c, chunk));
    socket.on('end', () => {
      c.eof = true;
      this.settleEof(c);
    });
    socket.on('drain', () => {
      c.blocked = false;
      this.flush(c);
    });
    socket.on('error', (e: Error) => this.failed(c, e));
    socket.on('close', () => this.gone(c));
    this.offered[listener]!++;
    const msg: HostMessage = { op: 'connection', listener, id, block: c.block.sab, fd };
    this.port.postMessage(msg);
    this.bump();
  }

  /**
   * Bytes from the peer: into the ring, the rest aside with the socket
   * paused. PAUSED is set before the bytes become visible: a guest that
   * empties the ring at once then still sees it and asks to resume.
   */
  private arrived(c: HostConn, chunk: Buffer): void {
    if (c.discard) return;
    if (chunk.length > IN_CAPACITY - c.block.inboundLength()) Atomics.store(c.block.words, Conn.PAUSED, 1);
    const put = this.deliver(c, chunk, 0);
    if (put < chunk.length) {
      c.aside = chunk.subarray(put);
      c.socket.pause();
    }
    this.bump();
  }

  private deliver(c: HostConn, src: Uint8Array, off: number): number {
    const w = c.block.words;
    const head = Atomics.load(w, Conn.IN_HEAD);
    const free = IN_CAPACITY - c.block.inboundLength();
    const n = ringWrite(c.block.inbound, head, free, src, off, src.length - off);
    Atomics.store(w, Conn.IN_HEAD, (head + n) | 0);
    return n;
  }

  /** The guest made room: deliver what was set aside, and read again once it is all in. */
  private resume(c: HostConn): void {
    const w = c.block.words;
    if (c.aside !== null) {
      Atomics.store(w, Conn.PAUSED, 1); // before the bytes are visible (see arrived)
      const put = this.deliver(c, c.aside, 0);
      c.aside = put < c.aside.length ? c.aside.subarray(put) : null;
      if (c.aside !== null) {
        this.bump(); // still more than fits: the guest asks again when it has read
        return;
      }
    }
    Atomics.store(w, Conn.PAUSED, 0);
    this.settleEof(c);
    if (!c.closed) c.socket.resume();
    this.bump();
  }

  /** The peer's FIN reaches the guest after every byte that came before it. */
  private settleEof(c: HostConn): void {
    if (c.eof && c.aside === null) {
      c.block.setState(ConnState.PEER_EOF);
      this.bump();
    }
  }

  private failed(c: HostConn, e: Error): void {
    const errno = errnoOf(e);
    // A write the peer refused (EPIPE) or a reset: the guest's next call says so.
    Atomics.store(c.block.words, Conn.ERRNO, errno === Errno.IO ? Errno.CONNRESET : errno);
    c.block.setState(ConnState.ERROR);
    this.bump();
  }

  private gone(c: HostConn): void {
    c.closed = true;
    if (!(c.block.state() & ConnState.ERROR)) {
      // Closed without an error and without a FIN (destroyed): the end of the stream for the guest.
      c.eof = true;
      this.settleEof(c);
    }
    // Nothing queued can go out any more: free the guest's sends.
    const w = c.block.words;
    Atomics.store(w, Conn.OUT_TAIL, Atomics.load(w, Conn.OUT_HEAD));
    c.block.setState(ConnState.FLUSHED);
    this.conns.delete(c.id);
    this.bump();
    this.maybeFinish();
  }

  private request(m: GuestRequest): void {
    if (m.op === 'end') {
      this.end();
      return;
    }
    if (m.op === 'close-listener') {
      this.closeListener(m.listener);
      return;
    }
    const c = this.conns.get(m.id);
    if (c === undefined) return; // already gone
    switch (m.op) {
      case 'send':
        this.flush(c);
        break;
      case 'resume':
        this.resume(c);
        break;
      case 'shutdown':
        if (m.how & Sdflags.RD) this.stopReading(c);
        if (m.how & Sdflags.WR) {
          c.endAfterFlush = true;
          this.flush(c);
        }
        break;
      case 'close':
        c.closeAfterFlush = true;
        this.stopReading(c);
        this.flush(c);
        break;
    }
  }

  /**
   * The guest reads no more (shutdown(RD), or it closed the fd): what
   * arrives is dropped rather than left to fill the ring and stall the peer.
   */
  private stopReading(c: HostConn): void {
    c.discard = true;
    c.aside = null;
    Atomics.store(c.block.words, Conn.PAUSED, 0);
    if (!c.closed) c.socket.resume();
  }

  /** Send what the guest queued; end or close the socket when asked and everything is out. */
  private flush(c: HostConn): void {
    const w = c.block.words;
    Atomics.store(w, Conn.SEND_ASKED, 0); // before reading the ring: a later send asks again
    if (c.closed) return;
    while (!c.blocked) {
      const avail = c.block.outboundLength();
      if (avail === 0) break;
      const tail = Atomics.load(w, Conn.OUT_TAIL);
      const chunk = Buffer.allocUnsafe(avail);
      ringRead(c.block.outbound, tail, avail, chunk, 0, avail);
      Atomics.store(w, Conn.OUT_TAIL, (tail + avail) | 0);
      this.bump(); // room for a blocked sender
      if (!c.socket.write(chunk, () => this.written(c))) c.blocked = true;
    }
    if (c.blocked || c.block.outboundLength() > 0) return;
    if (c.socket.writableLength === 0) this.written(c); // else the write callback comes back here
  }

  /** The socket took a write: once nothing of the guest's is left to send, say FLUSHED; end or close if asked. */
  private written(c: HostConn): void {
    if (c.closed || c.blocked || c.block.outboundLength() > 0 || c.socket.writableLength > 0) return;
    if (!(c.block.state() & ConnState.FLUSHED)) {
      c.block.setState(ConnState.FLUSHED);
      this.bump();
    }
    if (c.closeAfterFlush && !c.ended) {
      c.ended = true;
      c.socket.end();
      // A peer that never reads cannot keep the connection (and the host) forever.
      setTimeout(() => c.socket.destroy(), LINGER_MS).unref();
    } else if (c.endAfterFlush && !c.ended) {
      c.ended = true;
      c.socket.end();
    }
  }

  /** Stop taking connections for a listener the guest closed (close it, if it is ours). */
  private closeListener(i: number): void {
    const server = this.servers[i];
    const handler = this.onConnection[i];
    if (server === undefined || handler === undefined || handler === null) return;
    server.off('connection', handler);
    this.onConnection[i] = null;
    if (this.owned) server.close();
  }

  /** The host's thread failed: every wait of the guest ends with IO, nothing hangs. */
  died(): void {
    Atomics.store(this.ctl, Ctl.READY, 3);
    this.bump();
    for (const c of this.conns.values()) c.socket.destroy();
  }

  /** The guest ended: send what it queued, close everything, then stop. */
  end(): void {
    if (this.ending) return;
    this.ending = true;
    this.servers.forEach((_, i) => this.closeListener(i));
    for (const c of this.conns.values()) {
      c.closeAfterFlush = true;
      this.flush(c);
    }
    this.endTimer = setTimeout(() => {
      for (const c of this.conns.values()) c.socket.destroy();
    }, LINGER_MS);
    this.endTimer.unref();
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (!this.ending || this.conns.size > 0) return;
    if (this.endTimer !== null) clearTimeout(this.endTimer);
    this.port.close();
    this.onEnd();
  }
}
