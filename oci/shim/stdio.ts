/**
 * A process's stdio, from the paths containerd names (FIFOs that ctr or the
 * CRI plugin read and write; `file://` for a log file). stdout and stderr
 * are handed to the process itself — no copy through the shim. A FIFO is
 * opened read-write: that never blocks, whether or not containerd's end is
 * open yet, and the process never gets SIGPIPE if that end goes away (the
 * runc shim keeps a reader open for the same reason). stdin is copied by the
 * shim into a pipe it owns: the process reads EOF when containerd's end of
 * the FIFO closes (ctr) or at CloseIO (CRI). The FIFO is opened read-only
 * in a blocking open, off the event loop, as containerd's fifo package
 * does: a non-blocking one would read EOF before containerd's writer opens.
 * A writer that never comes would hold that open (and a libuv thread, and
 * the shim's exit) for ever; closing stdin releases it by opening the FIFO
 * for writing once, through an O_PATH fd taken first (the FIFO's name may be
 * gone by then). With a terminal the process's stdio is script(1)'s
 * (./terminal.ts): stdin copied in, the terminal's output on stdout. There
 * the runc shim closes the pty's master at the end of stdin, a hang-up:
 * SIGHUP, then reads see an end of file. Here `hangUp` is called first (the
 * process gets SIGHUP), then, unless that ends it, script's stdin ends
 * (script types an end-of-file into the pty).
 */
import fs from 'node:fs';
import net from 'node:net';
import type { Writable } from 'node:stream';
import { Code, RpcError } from './ttrpc.js';

export interface StdioPaths { stdin: string; stdout: string; stderr: string; terminal: boolean }

type Slot = number | 'ignore' | 'pipe';

/** open(2)'s O_PATH (Linux), which node:fs does not name. */
const O_PATH = 0o10000000;

export class Stdio {
  /** The child's fds 0, 1, 2. */
  readonly slots: [Slot, Slot, Slot];
  private readonly owned: number[] = [];
  private fifo: net.Socket | null = null;
  private sink: Writable | null = null;
  private readonly stdinPath: string;
  /** O_PATH fd of the stdin FIFO while its blocking open is pending. */
  private pendingOpen: number | null = null;
  private readonly terminal: boolean;
  /** With a terminal, at the end of stdin (once): hang the process up (./terminal.ts); whether script's stdin ends too (else at the process's end). */
  hangUp: () => boolean = () => true;

  constructor(paths: StdioPaths) {
    this.terminal = paths.terminal;
    const out = this.open(paths.stdout);
    // A terminal has one output (containerd names no stderr for it).
    const err = paths.stderr === paths.stdout || paths.terminal ? out : this.open(paths.stderr);
    this.stdinPath = paths.stdin;
    // A terminal with no stdin still gets a pipe, which stays open and empty: at its end script(1) would type an end-of-file into the pty.
    this.slots = [paths.stdin === '' && !paths.terminal ? 'ignore' : 'pipe', out, err];
  }

  private open(p: string): Slot {
    if (p === '') return 'ignore';
    let fd: number;
    if (p.startsWith('binary://')) throw new RpcError(Code.UNIMPLEMENTED, `a logging binary (${p}) is not supported`);
    if (p.startsWith('file://')) fd = fs.openSync(new URL(p), 'a', 0o640);
    else if (p.includes('://')) throw new RpcError(Code.INVALID_ARGUMENT, `unsupported stdio URI: ${p}`);
    else fd = fs.openSync(p, fs.constants.O_RDWR);
    this.owned.push(fd);
    return fd;
  }

  /** The child has started: copy stdin into its pipe, and drop our copies of its other fds. */
  attach(childStdin: Writable | null): void {
    for (const fd of this.owned.splice(0)) fs.closeSync(fd);
    if (childStdin === null) return;
    const sink = childStdin;
    this.sink = sink;
    if (this.stdinPath === '') return; // held open until the process ends (closeStdin)
    sink.on('error', () => this.closeStdin());
    const pathFd = fs.openSync(this.stdinPath, O_PATH | fs.constants.O_NOFOLLOW);
    this.pendingOpen = pathFd;
    fs.open(`/proc/self/fd/${pathFd}`, fs.constants.O_RDONLY, (err, fd) => {
      this.pendingOpen = null;
      fs.closeSync(pathFd);
      if (err !== null || this.sink !== sink) {
        if (err === null) fs.closeSync(fd);
        else this.closeStdin();
        return;
      }
      const fifo = new net.Socket({ fd, readable: true, writable: false });
      this.fifo = fifo;
      fifo.on('error', () => this.closeStdin());
      fifo.pipe(sink, { end: !this.terminal });
      if (this.terminal) fifo.once('end', () => this.closeStdin());
    });
  }

  /** CloseIO, or the FIFO's end: the process reads EOF once what was copied is read; with a terminal, it is hung up first. */
  closeStdin(): void {
    if (this.stdinPath === '') return; // no stdin: nothing to close (as the runc shim)
    this.endStdin(this.terminal);
  }

  /** The process has ended: script's stdin too. */
  release(): void {
    this.endStdin(false);
  }

  private endStdin(hangUp: boolean): void {
    if (this.pendingOpen !== null) {
      // Wake the pending open: a writer that comes and goes at once.
      try { fs.closeSync(fs.openSync(`/proc/self/fd/${this.pendingOpen}`, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK)); } catch { /* it just completed */ }
    }
    const sink = this.sink;
    this.sink = null;
    const fifo = this.fifo;
    this.fifo = null;
    if (fifo !== null) {
      fifo.unpipe();
      // ctr sends CloseIO once it has written all and closed its end: what it wrote and the shim has not copied yet
      // (in the socket's buffer, or still in the FIFO, read without blocking: libuv made the fd non-blocking) goes in first.
      if (sink !== null && !sink.destroyed) {
        for (let c = fifo.read() as Buffer | null; c !== null; c = fifo.read() as Buffer | null) sink.write(c);
        const fd = (fifo as unknown as { _handle?: { fd?: number } })._handle?.fd;
        if (typeof fd === 'number' && fd >= 0) {
          const buf = Buffer.alloc(64 * 1024);
          for (;;) {
            let n: number;
            try { n = fs.readSync(fd, buf); } catch { break; } // EAGAIN: nothing more buffered
            if (n === 0) break;
            sink.write(Buffer.from(buf.subarray(0, n)));
          }
        }
      }
      fifo.destroy();
    }
    if (hangUp && sink !== null) {
      const endToo = this.hangUp();
      this.hangUp = () => true;
      if (!endToo) {
        this.sink = sink; // ended by release(), at the process's end
        return;
      }
    }
    sink?.end();
  }

  /** The child never started: close everything. */
  close(): void {
    for (const fd of this.owned.splice(0)) fs.closeSync(fd);
    this.release();
  }
}
