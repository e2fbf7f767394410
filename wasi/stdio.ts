/**
 * The guest's fds 0-2: a host fd (the process's own stdio by default), a sink
 * that receives output chunks, or a byte buffer served as stdin.
 */
import fs from 'node:fs';
import { isatty } from 'node:tty';
import { Errno, Filetype, RIGHTS_TTY } from './abi.js';
import { WasiError } from './errors.js';
import { Fd } from './fd.js';
import type { Filestat } from './fs/handle.js';
import { filestatOf, filetypeOfMode } from './fs/host.js';

/** Where output goes when it is not a host fd. */
export interface StdioSink {
  write(chunk: Uint8Array): void;
}

/**
 * Where input comes from when it is not a host fd or bytes: a synchronous
 * read that blocks until data or end of input (0). The worker pool backs it
 * with a SharedArrayBuffer filled from a stream on another thread.
 */
export interface StdioSource {
  read(buf: Uint8Array, off: number, len: number): number;
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

/**
 * Write-combining for output that no person watches live (a pipe or file,
 * never a terminal): small fd_writes are gathered and written in one syscall.
 * One buffer per WASI instance, so output order across fds is kept: the WASI
 * layer flushes it before any other call than a write to the same fd (see
 * wasi.ts), when it is 10 ms old, and when the guest exits or traps.
 */
export class OutputBuffer {
  private static readonly CAPACITY = 64 * 1024;
  private static readonly MAX_AGE_NS = 10_000_000n;
  private readonly buf = Buffer.allocUnsafe(OutputBuffer.CAPACITY);
  private used = 0;
  private since = 0n;
  private writes = 0;
  /** The host fd the buffered bytes belong to, or -1 when empty. */
  fd = -1;

  append(fd: number, data: Uint8Array, off: number, len: number): void {
    if (this.fd !== fd && this.fd !== -1) this.flush();
    if (this.used + len > OutputBuffer.CAPACITY) this.flush();
    if (this.used === 0) this.since = process.hrtime.bigint();
    this.buf.set(data.subarray(off, off + len), this.used);
    this.used += len;
    this.fd = fd;
    // Look at the clock now and then only: it costs as much as the copy.
    if ((++this.writes & 63) === 0 && process.hrtime.bigint() - this.since > OutputBuffer.MAX_AGE_NS) this.flush();
  }

  fits(len: number): boolean {
    return len < OutputBuffer.CAPACITY;
  }

  flush(): void {
    const fd = this.fd;
    const n = this.used;
    this.used = 0;
    this.fd = -1;
    if (n > 0) writeAll(fd, this.buf, 0, n);
  }
}

/** write(2) until done; a non-blocking pipe that says EAGAIN is waited for (WASI calls are synchronous). */
function writeAll(fd: number, buf: Uint8Array, off: number, len: number): number {
  let done = 0;
  while (done < len) {
    try {
      done += fs.writeSync(fd, buf, off + done, len - done, null);
    } catch (e) {
      if (!isAgain(e)) throw e;
      backoff();
    }
  }
  return done;
}

/** A host file descriptor used as a stream (stdio): no positions, writes complete. */
export class HostStreamFd extends Fd {
  readonly filetype: Filetype;

  /** Whether writes are gathered in `output` (never for a terminal). */
  private readonly coalesce: boolean;

  /**
   * `output`: the instance's write-combining buffer; `coalesce`: gather this
   * fd's writes in it. Other stdio fds still flush it before they write, to keep order.
   */
  constructor(private readonly hostFd: number, private readonly output: OutputBuffer | null = null, coalesce = false) {
    super(RIGHTS_TTY, 0);
    this.coalesce = output !== null && coalesce && !isatty(hostFd);
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
    const out = this.output;
    if (this.coalesce && out!.fits(len)) {
      out!.append(this.hostFd, buf, off, len);
      return len;
    }
    out?.flush();
    return writeAll(this.hostFd, buf, off, len);
  }

  override close(): void {
    this.output?.flush();
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

/** stdin from an embedder's synchronous source. */
export class SourceFd extends Fd {
  readonly filetype = Filetype.UNKNOWN;

  constructor(private readonly source: StdioSource) {
    super(RIGHTS_TTY, 0);
  }

  override read(buf: Uint8Array, off: number, len: number): number {
    return this.source.read(buf, off, len);
  }

  override write(): number {
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
