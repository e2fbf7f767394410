/**
 * The guest's fds 0-2: a host fd (the process's own stdio by default), a sink
 * that receives output chunks, or a byte buffer served as stdin.
 */
import fs from 'node:fs';
import { Errno, Filetype, RIGHTS_TTY } from './abi.js';
import { WasiError } from './errors.js';
import { Fd } from './fd.js';
import type { Filestat } from './fs/handle.js';
import { filestatOf, filetypeOfMode } from './fs/host.js';

/** Where output goes when it is not a host fd. */
export interface StdioSink {
  write(chunk: Uint8Array): void;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** Block this thread briefly: a non-blocking pipe said EAGAIN and WASI calls are synchronous. */
function backoff(): void {
  Atomics.wait(sleepCell, 0, 0, 1);
}

function isAgain(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === 'EAGAIN';
}

const zeroStat = (filetype: Filetype): Filestat => ({
  dev: 0n, ino: 0n, filetype, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n,
});

/** A host file descriptor used as a stream (stdio): no positions, writes complete. */
export class HostStreamFd extends Fd {
  readonly filetype: Filetype;

  constructor(private readonly hostFd: number) {
    super(RIGHTS_TTY, 0);
    let type = Filetype.UNKNOWN;
    try {
      type = filetypeOfMode(fs.fstatSync(hostFd).mode);
    } catch { /* closed fd: reads and writes will report BADF */ }
    // Pipes and sockets look like nothing in particular to WASI (as in wasmtime).
    this.filetype = type === Filetype.REGULAR_FILE || type === Filetype.CHARACTER_DEVICE ? type : Filetype.UNKNOWN;
  }

  override read(buf: Uint8Array, off: number, len: number): number {
    for (;;) {
      try {
        return fs.readSync(this.hostFd, buf, off, len, null);
      } catch (e) {
        if ((e as { code?: string }).code === 'EOF') return 0;
        if (!isAgain(e)) throw e;
        backoff();
      }
    }
  }

  override write(buf: Uint8Array, off: number, len: number): number {
    let done = 0;
    while (done < len) {
      try {
        done += fs.writeSync(this.hostFd, buf, off + done, len - done, null);
      } catch (e) {
        if (!isAgain(e)) throw e;
        backoff();
      }
    }
    return done;
  }

  filestat(): Filestat {
    try {
      const st = filestatOf(fs.fstatSync(this.hostFd, { bigint: true }));
      st.filetype = this.filetype;
      return st;
    } catch {
      return zeroStat(this.filetype);
    }
  }

  override readable(): number {
    return 1;
  }
}

/** Output captured by the embedder. */
export class SinkFd extends Fd {
  readonly filetype = Filetype.UNKNOWN;

  constructor(private readonly sink: StdioSink) {
    super(RIGHTS_TTY, 0);
  }

  override write(buf: Uint8Array, off: number, len: number): number {
    // A copy: the view into guest memory is only valid during this call.
    this.sink.write(buf.slice(off, off + len));
    return len;
  }

  override read(): number {
    throw new WasiError(Errno.BADF);
  }

  filestat(): Filestat {
    return zeroStat(this.filetype);
  }
}

/** stdin served from bytes the embedder supplied. */
export class BufferSourceFd extends Fd {
  readonly filetype = Filetype.UNKNOWN;
  private offset = 0;

  constructor(private readonly data: Uint8Array) {
    super(RIGHTS_TTY, 0);
  }

  override read(buf: Uint8Array, off: number, len: number): number {
    const n = Math.min(len, this.data.length - this.offset);
    buf.set(this.data.subarray(this.offset, this.offset + n), off);
    this.offset += n;
    return n;
  }

  override write(): number {
    throw new WasiError(Errno.BADF);
  }

  filestat(): Filestat {
    return zeroStat(this.filetype);
  }

  override readable(): number {
    return this.data.length - this.offset;
  }
}
