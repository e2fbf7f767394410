/**
 * The guest's fds 0-2 that are not host fds: a sink that receives output
 * chunks, a source, or a byte buffer served as stdin. Nothing here touches
 * the host (host fds are host-stdio.ts), so it runs anywhere.
 */
import { Errno, Filetype, RIGHTS_TTY } from './abi.js';
import { WasiError } from './errors.js';
import { Fd } from './fd.js';
import type { Filestat } from './fs/handle.js';

/** Where output goes when it is not a host fd. */
export interface StdioSink {
  /** A chunk the sink may keep. */
  write(chunk: Uint8Array): void;
  /**
   * Optional: take bytes from a view that is valid only during the call
   * (guest memory), sparing the copy `write` needs when the sink copies anyway.
   */
  writeFrom?(buf: Uint8Array, off: number, len: number): void;
}

/**
 * Where input comes from when it is not a host fd or bytes: a synchronous
 * read that blocks until data or end of input (0). The worker pool backs it
 * with a SharedArrayBuffer filled from a stream on another thread.
 */
export interface StdioSource {
  read(buf: Uint8Array, off: number, len: number): number;
}

/** What a stdio fd reports when nothing else is known of it. */
export const zeroStat = (filetype: Filetype): Filestat => ({
  dev: 0n, ino: 0n, filetype, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n,
});

/**
 * Write-combining of one output stream: small fd_writes gathered and written
 * in one syscall. `flush` gets the gathered bytes out now; the WASI layer
 * calls it before any call that could show the outside world something
 * (another fd's write, a read, an open, a sleep, exit), so order is kept.
 */
export interface OutputCoalescer {
  /** Whether a write of `len` bytes is gathered (large ones are written at once). */
  fits(len: number): boolean;
  append(data: Uint8Array, off: number, len: number): void;
  flush(): void;
}

/** Output captured by the embedder. */
export class SinkFd extends Fd {
  readonly filetype = Filetype.UNKNOWN;

  constructor(private readonly sink: StdioSink) {
    super(RIGHTS_TTY, 0);
  }

  override write(buf: Uint8Array, off: number, len: number): number {
    if (this.sink.writeFrom !== undefined) this.sink.writeFrom(buf, off, len);
    // A copy: the view into guest memory is only valid during this call.
    else this.sink.write(buf.slice(off, off + len));
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
