/**
 * A pooled call's stdout and stderr on the caller's side: where each goes
 * (a host fd, a callback, or captured for the result) and the shared rings
 * that carry them from the guest's thread (wasi/shared-output.ts), drained
 * here while the guest runs. Closed once, whatever ended the call.
 */
import { createOutputRing, isatty, resetOutputRing, SharedOutputReader, writeAll } from '../../wasi/index.js';
import type { OutputSpec } from './task.js';

/** Where a stream goes: captured ('buffer'), each chunk to a callback, or a host fd. */
export type OutputTarget = 'buffer' | ((chunk: Uint8Array) => void) | number | undefined;

/** Ring sizes: a host fd's (write(2)s of up to this much) and a captured or streamed stream's. */
const HOST_FD_RING_BYTES = 64 * 1024;
const SINK_RING_BYTES = 8 * 1024;
/** Reused small rings kept at most (8 MiB). */
const MAX_FREE_RINGS = 1024;

/** What the pool keeps across calls: the readers under way (drainOutput) and small rings to reuse. */
export class OutputRings {
  readonly readers = new Set<SharedOutputReader>();
  /**
   * Small rings whose calls finished, for the next calls: shared memory is
   * freed only when every thread that saw it collects it, so allocating two
   * per call lets a busy pool's RSS climb far ahead of its garbage collector.
   */
  private readonly free: SharedArrayBuffer[] = [];

  constructor(private readonly gatherMs: number) {}

  /** The output of one call. */
  open(stdout: OutputTarget, stderr: OutputTarget): CallOutput {
    return new CallOutput(this, stdout, stderr);
  }

  /** @internal */
  take(bytes: number, reuse: boolean): SharedArrayBuffer {
    return (reuse ? this.free.pop() : undefined) ?? createOutputRing(bytes);
  }

  /** @internal */
  give(sab: SharedArrayBuffer): void {
    if (this.free.length >= MAX_FREE_RINGS) return;
    resetOutputRing(sab);
    this.free.push(sab);
  }

  /** @internal */
  get gather(): number {
    return this.gatherMs;
  }
}

export class CallOutput {
  readonly stdout: OutputSpec;
  readonly stderr: OutputSpec;
  readonly captured = { stdout: [] as Uint8Array[], stderr: [] as Uint8Array[] };
  private readonly readers: SharedOutputReader[] = [];
  private readonly rings: SharedArrayBuffer[] = [];
  private closed = false;

  constructor(private readonly pool: OutputRings, stdout: OutputTarget, stderr: OutputTarget) {
    // A host-fd stderr is written at once (after stdout's gathered bytes, in order).
    this.stdout = this.spec(stdout, this.captured.stdout, true);
    this.stderr = this.spec(stderr, this.captured.stderr, false);
  }

  /**
   * Output crosses in shared rings that this thread drains, so it arrives
   * while the guest runs and survives the guest's thread being terminated.
   */
  private spec(target: OutputTarget, chunks: Uint8Array[], gather: boolean): OutputSpec {
    if (typeof target === 'number' && (!gather || isatty(target))) return { kind: 'fd', fd: target };
    // Host fds get large rings (few large write(2)s); captured and streamed
    // output small reused ones, which the writer's thread asks to have
    // emptied when full (thousands of queued calls each hold two).
    const sab = typeof target === 'number' ? this.pool.take(HOST_FD_RING_BYTES, false) : this.pool.take(SINK_RING_BYTES, true);
    if (typeof target !== 'number') this.rings.push(sab);
    const deliver = typeof target === 'number' ? (buf: Uint8Array, off: number, len: number) => { writeAll(target, buf, off, len); }
      : typeof target === 'function' ? (buf: Uint8Array, off: number, len: number) => target(buf.slice(off, off + len))
      : (buf: Uint8Array, off: number, len: number) => { chunks.push(buf.slice(off, off + len)); };
    // Captured output is wanted only at the end: the guest's thread wakes
    // this one only when the ring is full, and it is emptied at once then.
    const captured = typeof target !== 'number' && typeof target !== 'function';
    const reader = new SharedOutputReader(sab, deliver, { gatherMs: captured ? 0 : this.pool.gather });
    this.readers.push(reader);
    this.pool.readers.add(reader);
    return captured ? { kind: 'ring', sab, captured } : { kind: 'ring', sab, fd: typeof target === 'number' ? target : undefined };
  }

  /**
   * Deliver what is left and stop draining. `writerGone`: the guest's thread
   * was terminated (it might still be writing), so its rings are not reused.
   */
  close(writerGone: boolean): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.readers) {
      r.close(writerGone);
      this.pool.readers.delete(r);
    }
    if (!writerGone) for (const sab of this.rings) this.pool.give(sab);
  }

  /** What was captured so far. */
  buffers(): { stdout: Buffer; stderr: Buffer } {
    return { stdout: Buffer.concat(this.captured.stdout), stderr: Buffer.concat(this.captured.stderr) };
  }
}
