/**
 * A process's stdio, from the paths containerd names (FIFOs that ctr or the
 * CRI plugin read and write; `file://` for a log file). stdout and stderr
 * are handed to the process itself — no copy through the shim. A FIFO is
 * opened read-write: that never blocks, whether or not containerd's end is
 * open yet, and the process never gets SIGPIPE if that end goes away (the
 * runc shim keeps a reader open for the same reason). stdin is copied by the
 * shim into a pipe it owns, so that CloseIO can end it.
 */
import fs from 'node:fs';
import net from 'node:net';
import type { Writable } from 'node:stream';
import { Code, RpcError } from './ttrpc.js';

export interface StdioPaths { stdin: string; stdout: string; stderr: string; terminal: boolean }

type Slot = number | 'ignore' | 'pipe';

export class Stdio {
  /** The child's fds 0, 1, 2. */
  readonly slots: [Slot, Slot, Slot];
  private readonly owned: number[] = [];
  private fifo: net.Socket | null = null;
  private sink: Writable | null = null;

  constructor(paths: StdioPaths) {
    if (paths.terminal) throw new RpcError(Code.UNIMPLEMENTED, 'a terminal is not supported by containerd-shim-tswasi-v1 (run without -t / tty: false)');
    const out = this.open(paths.stdout);
    const err = paths.stderr === paths.stdout ? out : this.open(paths.stderr);
    let inSlot: Slot = 'ignore';
    if (paths.stdin !== '') {
      const fd = fs.openSync(paths.stdin, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
      this.fifo = new net.Socket({ fd, readable: true, writable: false });
      this.fifo.on('error', () => this.closeStdin());
      inSlot = 'pipe';
    }
    this.slots = [inSlot, out, err];
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
    if (this.fifo !== null && childStdin !== null) {
      this.sink = childStdin;
      childStdin.on('error', () => this.closeStdin());
      this.fifo.pipe(childStdin);
    }
  }

  /** CloseIO: the process reads EOF once what was copied is read. */
  closeStdin(): void {
    if (this.fifo !== null) {
      this.fifo.unpipe();
      this.fifo.destroy();
      this.fifo = null;
    }
    this.sink?.end();
    this.sink = null;
  }

  /** The child never started: close everything. */
  close(): void {
    for (const fd of this.owned.splice(0)) fs.closeSync(fd);
    this.closeStdin();
  }
}
