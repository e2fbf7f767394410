/**
 * The guest's stdio when it is a host fd (the process's own stdio by
 * default), and write-combining on the guest's own thread. Node-only: the
 * rest of the stdio kinds (stdio.ts) run anywhere.
 */
import fs from 'node:fs';
import { Filetype, RIGHTS_TTY } from './abi.js';
import { Fd } from './fd.js';
import { isatty } from './isatty.js';
import { sleepMs } from './sleep.js';
import type { Filestat } from './fs/handle.js';
import { filestatOf } from './fs/host.js';
import { type OutputCoalescer, zeroStat } from './stdio.js';

/** Block this thread briefly: a non-blocking pipe said EAGAIN and WASI calls are synchronous. */
function backoff(): void {
  sleepMs(1);
}

function isAgain(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === 'EAGAIN';
}

/** write(2) until done; a non-blocking pipe that says EAGAIN is waited for (WASI calls are synchronous). */
export function writeAll(fd: number, buf: Uint8Array, off: number, len: number): number {
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

/**
 * Write-combining on the guest's own thread (`new WASI({ coalesceStdout: true })`):
 * nothing else can run while the guest computes, so gathered bytes go out at
 * the guest's next WASI call other than a write to the same fd, when they are
 * 10 ms old and writes continue, and when start() returns. Runs that need a
 * bound while the guest computes use a SharedOutputWriter drained by another
 * thread (the CLI and the pool do).
 */
export class LocalOutputBuffer implements OutputCoalescer {
  private static readonly CAPACITY = 64 * 1024;
  private static readonly MAX_AGE_NS = 10_000_000n;
  private readonly buf = Buffer.allocUnsafe(LocalOutputBuffer.CAPACITY);
  private used = 0;
  private since = 0n;
  private writes = 0;

  constructor(private readonly fd: number) {}

  append(data: Uint8Array, off: number, len: number): void {
    if (this.used + len > LocalOutputBuffer.CAPACITY) this.flush();
    if (this.used === 0) this.since = process.hrtime.bigint();
    this.buf.set(data.subarray(off, off + len), this.used);
    this.used += len;
    // Look at the clock now and then only: it costs as much as the copy.
    if ((++this.writes & 63) === 0 && process.hrtime.bigint() - this.since > LocalOutputBuffer.MAX_AGE_NS) this.flush();
  }

  fits(len: number): boolean {
    return len < LocalOutputBuffer.CAPACITY;
  }

  flush(): void {
    const n = this.used;
    this.used = 0;
    if (n > 0) writeAll(this.fd, this.buf, 0, n);
  }
}

/**
 * What a stdio host fd is to the guest, as wasmtime reports it: a terminal is
 * a character device; anything else (a file, a pipe, /dev/null) is UNKNOWN,
 * so wasi-libc's isatty() is 1 exactly when Linux's is.
 */
function stdioFiletype(hostFd: number): Filetype {
  return isatty(hostFd) ? Filetype.CHARACTER_DEVICE : Filetype.UNKNOWN;
}

/** A host file descriptor used as a stream (stdio): no positions, writes complete. */
export class HostStreamFd extends Fd {
  readonly filetype: Filetype;

  /** Whether writes are gathered in `output` (never for a terminal). */
  private coalesce: boolean;

  /**
   * `output`: the instance's write-combining for stdout, or null;
   * `coalesce`: gather this fd's writes in it. The other stdio fds still
   * flush it before they write, to keep order.
   */
  constructor(private readonly hostFd: number, private readonly output: OutputCoalescer | null = null, coalesce = false) {
    super(RIGHTS_TTY, 0);
    this.filetype = stdioFiletype(hostFd);
    this.coalesce = output !== null && coalesce && this.filetype !== Filetype.CHARACTER_DEVICE;
  }

  /** Write every later fd_write at once (a reactor's exports return to an embedder that may close the fd). */
  stopCoalescing(): void {
    this.output?.flush();
    this.coalesce = false;
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
      out!.append(buf, off, len);
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
