/**
 * The recording format, version 5 (docs/record-replay.md): what a recorded
 * run is made of, and its byte encoding. Pure (no node:*), so the explorer
 * can read recordings in the browser.
 *
 * Uncompressed, a recording is MAGIC then records, each `tag u8, length
 * varint, payload`: one HEADER (JSON), one MODULE (the wasm bytes), the
 * calls (a CALL each, or a REPEAT of one, or a NEXT, plain or packed:
 * ./next.ts, ./packed-next.ts), and an END
 * (JSON) when the run finished. The file is that
 * stream cut into blocks, each block a gzip member of its own (./writer.ts).
 */
import { WASI_FUNCTIONS, wasmParams, type ValType } from '../../wasi/functions.js';

export const FORMAT_VERSION = 5;
/**
 * The versions this tswasi reads: 5; 4, which is 5 without packed NEXT
 * records; 3, which is 4 without NEXT records; and 2, whose REPEAT records
 * are version 3's without a count (one call each).
 */
export const READ_VERSIONS: readonly number[] = [2, 3, 4, 5];
/** What a reader says of a recording in another version. */
export const versionError = (v: unknown): string => `has format version ${String(v)}; this tswasi reads versions ${READ_VERSIONS.slice(0, -1).join(', ')} and ${READ_VERSIONS.at(-1)}`;
/** "TSWREC", a zero, the version. */
export const MAGIC = Uint8Array.of(0x54, 0x53, 0x57, 0x52, 0x45, 0x43, 0x00, FORMAT_VERSION);
/**
 * The most calls one REPEAT record stands for: the recorder writes a run
 * out at this length (so the block's age is checked as often as without
 * runs), and a reader refuses more (a small file cannot stand for an
 * unbounded number of calls).
 */
export const MAX_REPEAT_RUN = 4096;

export const enum Tag { Header = 1, Module = 2, Call = 3, End = 4, Repeat = 5, Next = 6, PackedNext = 7 }

/** What the guest was given at the start: nothing of the host it was not shown. */
export interface RecordingHeader {
  format: 'tswasi-recording';
  version: number;
  /** The WASI function names, in the order CALL records number them. */
  functions: string[];
  module: { sha256: string; size: number };
  args: string[];
  /** NAME=VALUE, as the guest's environ. */
  env: string[];
  /** The guest paths of the preopened directories (never the host's). */
  preopens: string[];
  /** --invoke: the export called instead of _start, and its arguments. */
  invoke?: string | undefined;
  invokeArgs?: string[] | undefined;
}

/** One WASI call: what the guest passed, and everything it received. */
export interface RecordedCall {
  name: string;
  /** The wasm arguments: i32 as number, i64 as bigint. */
  args: Array<number | bigint>;
  /** The bytes the guest handed in: each 'str' and 'ciovs' parameter, in order (paths, written data). */
  inputs: Uint8Array[];
  /** The errno returned, or -1: the call did not return (proc_exit). */
  ret: number;
  /** What the host wrote into guest memory, in order. */
  writes: MemoryWrite[];
}

export interface MemoryWrite { addr: number; data: Uint8Array }

/** How the run ended, as the run reported it. */
export interface RecordingEnd {
  exitCode: number;
  /** The error line printed (a trap, an internal error), if any. */
  error?: string | undefined;
  /** --invoke's results, as printed. */
  results?: string[] | undefined;
}

/** The wasm types of a function's arguments, cached. */
const PARAM_TYPES = new Map<string, ValType[]>();
export function paramTypes(name: string): ValType[] {
  let t = PARAM_TYPES.get(name);
  if (t === undefined) {
    const spec = WASI_FUNCTIONS[name];
    if (spec === undefined) throw new Error(`unknown WASI function ${name}`);
    t = wasmParams(spec.params);
    PARAM_TYPES.set(name, t);
  }
  return t;
}

/** The little-endian u32 at `at` of `b` (guest memory, or a recorded write). */
export const u32At = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/** A growable byte buffer with LEB128 varints. */
export class ByteWriter {
  buf: Uint8Array;
  length = 0;

  constructor(size = 1 << 16) {
    this.buf = new Uint8Array(size);
  }

  /** Make room for `n` more bytes (for a caller that writes into `buf` itself). */
  room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(b: number): void {
    this.room(1);
    this.buf[this.length++] = b;
  }

  /** Unsigned varint of a non-negative safe integer. */
  uvar(n: number): void {
    this.room(10);
    const buf = this.buf;
    let at = this.length;
    // Bit operators below 2^31 (% of a number V8 holds as a double is a call into C); division above it.
    while (n > 0x7fffffff) {
      buf[at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    while (n >= 0x80) {
      buf[at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[at++] = n;
    this.length = at;
  }

  /** Signed i32 (zigzag). */
  svar32(n: number): void {
    this.uvar(((n << 1) ^ (n >> 31)) >>> 0);
  }

  /** Signed i64 (zigzag), a BigInt. */
  svar64(v: bigint): void {
    // Most i64 arguments (clock precisions, rights, offsets) fit in an i32, whose zigzag form is the same: no BigInt arithmetic.
    const n = Number(v);
    if (n >= -0x80000000 && n <= 0x7fffffff) {
      this.svar32(n);
      return;
    }
    let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    this.room(10);
    while (z >= 0x80n) {
      this.buf[this.length++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.buf[this.length++] = Number(z);
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** `len` bytes of `src` from `at`: small copies byte by byte (no view is made). */
  copyFrom(src: Uint8Array, at: number, len: number): void {
    this.room(len);
    if (len <= 32) {
      const buf = this.buf;
      let o = this.length;
      for (let i = 0; i < len; i++) buf[o++] = src[at + i]!;
    } else {
      this.buf.set(src.subarray(at, at + len), this.length);
    }
    this.length += len;
  }

  /** One byte kept for a varint whose value is known later (./writer.ts's record length, a write count); returns where. */
  reserve(): number {
    this.u8(0);
    return this.length - 1;
  }

  /** Fill the byte reserve() kept with `n`, moving what follows when `n` needs more than one byte. */
  patch(at: number, n: number): void {
    if (n < 0x80) {
      this.buf[at] = n;
      return;
    }
    let extra = 0;
    for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) extra++;
    this.room(extra);
    this.buf.copyWithin(at + 1 + extra, at + 1, this.length);
    this.length += extra;
    for (let i = 0; n >= 0x80; i++) {
      this.buf[at + i] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[at + extra] = n;
  }

  /** Length-prefixed bytes. */
  blob(b: Uint8Array): void {
    this.uvar(b.length);
    this.bytes(b);
  }

  clear(): void {
    this.length = 0;
  }
}

/** The recording is malformed here; `truncated` when it merely ends too soon. */
export class RecordingError extends Error {
  constructor(message: string, readonly truncated = false) {
    super(message);
    this.name = 'RecordingError';
  }
}

export class ByteReader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly end = buf.length) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new RecordingError('ends in the middle of a record', true);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  uvar(): number {
    if (this.pos < this.end && this.buf[this.pos]! < 0x80) return this.buf[this.pos++]!;
    let n = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (i > 7) throw new RecordingError('a number is too long');
      const b = this.u8();
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
    }
  }

  svar32(): number {
    const z = this.uvar();
    if (z > 0xffffffff) throw new RecordingError('an i32 is out of range');
    return ((z >>> 1) ^ -(z & 1)) | 0;
  }

  /**
   * Whether the next i64 is `v`: without BigInt arithmetic when it is small
   * (a safe integer: Number(v) equals it only when v does).
   */
  svar64Is(v: bigint): boolean {
    const start = this.pos;
    let z = Infinity;
    try { z = this.uvar(); } catch { /* longer than a safe integer: below */ }
    if (z <= Number.MAX_SAFE_INTEGER) {
      const n = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      return Number(v) === n;
    }
    this.pos = start;
    return this.svar64() === v;
  }

  svar64(): bigint {
    let z = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (i > 9) throw new RecordingError('an i64 is too long');
      const b = this.u8();
      z |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7n;
    }
    z = BigInt.asUintN(64, z);
    return BigInt.asIntN(64, (z >> 1n) ^ -(z & 1n));
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  blob(): Uint8Array {
    return this.bytes(this.uvar());
  }

  /** Past `n` bytes (no view made). */
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}

/** A CALL record's payload. `index` numbers the function in the header's list. */
export function encodeCall(w: ByteWriter, index: number, c: RecordedCall): void {
  const types = paramTypes(c.name);
  w.uvar(index);
  for (let i = 0; i < types.length; i++) {
    if (types[i] === 'i64') w.svar64(c.args[i] as bigint);
    else w.svar32(c.args[i] as number);
  }
  for (const b of c.inputs) w.blob(b);
  w.uvar(c.ret + 1);
  w.uvar(c.writes.length);
  for (const m of c.writes) {
    w.uvar(m.addr);
    w.blob(m.data);
  }
}

/** How many 'str' and 'ciovs' inputs a function's CALL record holds. */
export function inputCount(name: string): number {
  return WASI_FUNCTIONS[name]!.params.filter(([, k]) => k === 'str' || k === 'ciovs').length;
}

export function decodeCall(r: ByteReader, functions: readonly string[]): RecordedCall {
  const index = r.uvar();
  const name = functions[index];
  if (name === undefined || WASI_FUNCTIONS[name] === undefined) throw new RecordingError(`a call names function #${index}, which is not a WASI function`);
  const args = paramTypes(name).map((t) => (t === 'i64' ? r.svar64() : r.svar32()));
  const inputs: Uint8Array[] = [];
  for (let i = inputCount(name); i > 0; i--) inputs.push(r.blob());
  const ret = r.uvar() - 1;
  if (ret > 0xffff) throw new RecordingError(`a call returns errno ${ret}`);
  const writes: MemoryWrite[] = [];
  for (let n = r.uvar(); n > 0; n--) {
    const addr = r.uvar();
    if (addr > 0xffffffff) throw new RecordingError('a memory write is beyond 4 GiB');
    writes.push({ addr, data: r.blob() });
  }
  return { name, args, inputs, ret, writes };
}

/** The function index of the CALL record at `at` (after its tag and length). */
export function callFunctionIndex(raw: Uint8Array, at: number): number {
  const r = new ByteReader(raw);
  r.pos = at;
  r.u8();
  r.uvar();
  return r.uvar();
}

/** A REPEAT record as read: the function whose last CALL it repeats, and how many calls it stands for. */
export class RepeatRun {
  index = 0;
  times = 0;
}

/**
 * The REPEAT record at `r` (its first call #`n`) into `run`; `r` is then
 * past it. Its payload is the function index, then, when it stands for
 * more than one call, their number (2 to MAX_REPEAT_RUN).
 */
export function readRepeat(r: ByteReader, n: number, run: RepeatRun): void {
  r.u8();
  const len = r.uvar();
  const end = r.pos + len;
  if (end > r.end) throw new RecordingError('ends in the middle of a record', true);
  run.index = r.uvar();
  const counted = r.pos < end;
  run.times = counted ? r.uvar() : 1;
  if (r.pos !== end) throw new RecordingError(`is corrupt (call #${n} is longer than its contents)`);
  if ((counted && run.times < 2) || run.times > MAX_REPEAT_RUN) throw new RecordingError(`is corrupt (call #${n} repeats ${run.times} times)`);
}

/** The CALL record at `r` (tag, length, payload), decoded; `r` is then past it. */
export function readCall(r: ByteReader, functions: readonly string[], n: number): RecordedCall {
  r.u8();
  const len = r.uvar();
  const body = new ByteReader(r.buf, r.pos + len);
  body.pos = r.pos;
  r.pos += len;
  const c = decodeCall(body, functions);
  if (!body.done) throw new RecordingError(`is corrupt (call #${n} is longer than its contents)`);
  return c;
}

const MAX_SHOWN = 48;

function showBytes(b: Uint8Array): string {
  const text = new TextDecoder().decode(b.subarray(0, MAX_SHOWN));
  return JSON.stringify(text) + (b.length > MAX_SHOWN ? `…(${b.length} bytes)` : '');
}

/**
 * A recorded call's parameters as `[name, text]`, from its arguments and
 * inputs alone (no guest memory): the divergence line and the explorer's
 * view of calls it could not decode both show these.
 */
export function callArgs(name: string, args: ReadonlyArray<number | bigint>, inputs: readonly Uint8Array[]): Array<[string, string]> {
  const spec = WASI_FUNCTIONS[name];
  if (spec === undefined) return [];
  const parts: Array<[string, string]> = [];
  let a = 0;
  let input = 0;
  for (const [pname, kind] of spec.params) {
    if (kind === 'str' || kind === 'ciovs') {
      const b = inputs[input++];
      parts.push([pname, b === undefined ? '?' : showBytes(b)]);
      a += 2;
    } else if (kind === 'iovs') {
      parts.push([pname, `[${String(args[a + 1])} iov at 0x${((args[a] as number) >>> 0).toString(16)}]`]);
      a += 2;
    } else if (kind.startsWith('out_') || kind === 'ptr') {
      // Pointers too: a guest whose memory is laid out differently diverges here.
      parts.push([pname, `0x${((args[a++] as number) >>> 0).toString(16)}`]);
    } else {
      const v = args[a++];
      parts.push([pname, typeof v === 'number' && kind !== 'fd' ? String(v >>> 0) : String(v)]);
    }
  }
  return parts;
}

/** A call as the divergence line shows it: `path_open(fd=3, dirflags=1, path="a.txt", …)`. */
export function callShape(name: string, args: ReadonlyArray<number | bigint>, inputs: readonly Uint8Array[]): string {
  if (WASI_FUNCTIONS[name] === undefined) return `${name}(?)`;
  return `${name}(${callArgs(name, args, inputs).map(([k, v]) => `${k}=${v}`).join(', ')})`;
}
