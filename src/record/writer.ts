/**
 * Writing a recording as it happens: records go into a block of at most
 * BLOCK bytes (one bigger record makes one bigger block), and each full
 * block is written as a gzip member of its own with one write(2); so is a
 * block that has waited FLUSH_MS, checked every CHECK_EVERY calls (the
 * guest runs on this thread: no timer fires while it computes). A run
 * that dies mid-way leaves every block written before it: a readable
 * prefix. Memory stays at one block; the guest's thread does the work
 * synchronously, as the guest's calls are synchronous.
 *
 * A block is deflated (gzip level 1) unless the run is young: while the
 * file holds less than STORED_BUDGET bytes, its blocks are stored gzip
 * members (./stored-gzip.ts) and node:zlib is not loaded. Loading it costs
 * ~3 ms on Node 20 and ~8 ms on Node 26 (with node:stream), as much as the
 * rest of what recording adds to a short run; a file larger than a run
 * that deflates everything by at most STORED_BUDGET bytes is its price.
 * A block that is at least half packed NEXT differences (a clock read in a
 * loop: ./packed-next.ts) is stored too: deflate would make it about a
 * third smaller at more cost than the rest of recording those calls.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { ByteWriter, MAGIC, Tag } from './format.js';
import { storedGzipMember } from './stored-gzip.js';
import { zlib } from './zlib.js';

/** Block size: big enough that gzip finds the repeats in a run's calls, small enough that a crash loses little. */
const BLOCK = 64 * 1024;
/** A block is written out once it is this old (ms)… */
const FLUSH_MS = 1000;
/** …looked at every this many calls recorded (Date.now() per call would cost as much as the rest of a record). */
const CHECK_EVERY = 4096;
/** Blocks are stored, not deflated, while the file (with the block) stays within this many bytes. */
const STORED_BUDGET = 256 * 1024;

/** Where the compressed blocks go: a file, or anything that takes bytes (the pool's caller, a test). */
export type RecordingSink = (chunk: Uint8Array) => void;

export class RecordingWriter {
  private readonly block = new ByteWriter();
  private readonly payload = new ByteWriter();
  private closed = false;
  /** Bytes before compression, and written after. */
  rawBytes = 0;
  fileBytes = 0;
  /** Bytes of packed NEXT differences in the block (the recorder counts them): packed already, so a block of them mostly is stored. */
  packedBytes = 0;

  constructor(private readonly sink: RecordingSink, private readonly onClose: () => void = () => {}) {
    this.block.bytes(MAGIC);
  }

  /** A record whose payload `fill` writes. */
  record(tag: Tag, fill: (w: ByteWriter) => void): void {
    if (this.closed) return;
    const p = this.payload;
    p.clear();
    fill(p);
    const b = this.block;
    b.u8(tag);
    b.uvar(p.length);
    b.bytes(p.buf.subarray(0, p.length));
    this.ended();
  }

  /**
   * A record encoded in place (the recorder's calls: no copy): `begin`
   * returns the block to write its payload into and where it starts,
   * `end(at)` closes it.
   */
  begin(tag: Tag): number {
    const b = this.block;
    b.u8(tag);
    return b.reserve();
  }

  /** Close the record begun at `at`; it stands for `calls` calls (a REPEAT run: its age check counts them all). */
  end(at: number, calls = 1): void {
    const b = this.block;
    b.patch(at, b.length - at - 1);
    this.ended(calls);
  }

  /** The block records are encoded into (between begin and end). */
  get out(): ByteWriter {
    return this.block;
  }

  private sinceCheck = 0;
  private flushedAt = Date.now();

  private ended(calls = 1): void {
    if (this.block.length >= BLOCK) this.flush();
    else if ((this.sinceCheck += calls) >= CHECK_EVERY) {
      this.sinceCheck = 0;
      if (Date.now() - this.flushedAt >= FLUSH_MS) this.flush();
    }
  }

  /** Called before the block is written out and cleared: whoever keeps positions in it copies what it still needs. */
  beforeFlush: () => void = () => {};

  /** Write out the block gathered so far (before a call that may wait, and at the end). */
  flush(): void {
    this.beforeFlush();
    const b = this.block;
    this.flushedAt = Date.now();
    if (this.closed) b.clear(); // records after close go nowhere
    if (b.length === 0) return;
    const raw = b.buf.subarray(0, b.length);
    const stored = this.fileBytes + raw.length <= STORED_BUDGET || 2 * this.packedBytes >= raw.length;
    const gz = stored ? storedGzipMember(raw) : zlib().gzipSync(raw, { level: zlib().constants.Z_BEST_SPEED });
    this.packedBytes = 0;
    this.rawBytes += b.length;
    this.fileBytes += gz.length;
    b.clear();
    this.sink(gz);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.onClose();
  }
}

/** A writer into a new file at `path` (truncated if it exists). */
export function fileRecordingWriter(path: string): RecordingWriter {
  const fd = openSync(path, 'w', 0o644);
  return new RecordingWriter((chunk) => {
    for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
  }, () => closeSync(fd));
}
