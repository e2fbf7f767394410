/**
 * What a WASI call takes from guest memory and what it writes there, derived
 * from wasi/functions.ts's parameter kinds: the recorder encodes both, the
 * replayer checks the first and performs the second. The recorder's side
 * runs on every call, so it copies straight from guest memory into the
 * recording's buffer and allocates nothing.
 */
import { Layout } from '../../wasi/abi.js';
import type { CallContext } from '../../wasi/calls/context.js';
import type { GuestMemory } from '../../wasi/memory.js';
import { WASI_FUNCTIONS, arity, wasmParams, type ParamKind } from '../../wasi/functions.js';
import { ByteReader, ByteWriter, RecordingError } from './format.js';

/** Bytes an out-pointer of a fixed-size kind receives. */
const FIXED_OUT: Partial<Record<ParamKind, number>> = {
  out_fd: 4, out_u32: 4, out_size: 4, out_u64: 8, out_roflags: 2,
  out_fdstat: Layout.fdstat.size, out_filestat: Layout.filestat.size, out_prestat: Layout.prestat.size,
};
const EVENT_SIZE = Layout.event.size;
const IOV = Layout.iovec;

/** One function's parameters as the recorder and replayer walk them. */
export interface CallPlan {
  readonly name: string;
  /** Per wasm argument: whether it is an i64. */
  readonly i64: readonly boolean[];
  /** Each parameter's kind and the index of its first wasm argument. */
  readonly kinds: ReadonlyArray<readonly [kind: ParamKind, at: number]>;
  /** The parameters that hand bytes in ('str', 'ciovs'): their kind and argument index. */
  readonly inputs: ReadonlyArray<readonly [kind: ParamKind, at: number]>;
  /** The argument index of the first out_size (nread, bufused, nevents, ro_datalen): the count a buffer was filled to; -1 if none. */
  readonly count: number;
  /** The argument index of the 'size' parameter (buf_len, path_len); -1 if none. */
  readonly size: number;
  /** The fixed-size out-pointers: argument index and bytes, in pairs. */
  readonly fixed: readonly number[];
  /** Whether a call that succeeds writes more than the fixed-size results. */
  readonly more: boolean;
}

const PLANS = new Map<string, CallPlan>();
export function callPlan(name: string): CallPlan {
  let p = PLANS.get(name);
  if (p !== undefined) return p;
  const spec = WASI_FUNCTIONS[name];
  if (spec === undefined) throw new Error(`unknown WASI function ${name}`);
  const kinds: Array<[ParamKind, number]> = [];
  let at = 0;
  for (const [, kind] of spec.params) {
    kinds.push([kind, at]);
    at += arity(kind);
  }
  p = {
    name,
    i64: wasmParams(spec.params).map((t) => t === 'i64'),
    kinds,
    inputs: kinds.filter(([k]) => k === 'str' || k === 'ciovs'),
    count: kinds.find(([k]) => k === 'out_size')?.[1] ?? -1,
    size: kinds.find(([k]) => k === 'size')?.[1] ?? -1,
    fixed: kinds.flatMap(([k, a]) => (FIXED_OUT[k] !== undefined ? [a, FIXED_OUT[k]] : [])),
    more: kinds.some(([k]) => k === 'out_events' || k === 'out_dirents' || k === 'out_buf_str' || k === 'iovs' || k === 'ptr'),
  };
  PLANS.set(name, p);
  return p;
}

/** Lengths of args_get's / environ_get's two buffers: the pointer array and the strings. */
export interface ListSizes { args: [count: number, bytes: number]; env: [count: number, bytes: number] }

/** A CALL's wasm arguments as zigzag varints: i32 as numbers, i64 as BigInts. */
export function encodeArgs(w: ByteWriter, plan: CallPlan, args: ReadonlyArray<number | bigint>): void {
  const i64 = plan.i64;
  for (let i = 0; i < i64.length; i++) {
    if (i64[i]) w.svar64(args[i] as bigint);
    else w.svar32(args[i] as number);
  }
}

/**
 * The bytes the guest hands in, each 'str' and the gathered 'ciovs' data in
 * parameter order, as length-prefixed blobs. A bad pointer (the call will say
 * FAULT) gives empty ones for all: recorder and replayer see the same.
 */
export function encodeInputs(w: ByteWriter, plan: CallPlan, mem: GuestMemory, args: ReadonlyArray<number | bigint>): void {
  const start = w.length;
  try {
    for (const [kind, at] of plan.inputs) {
      const ptr = args[at] as number;
      const n = args[at + 1] as number;
      if (kind === 'str') {
        const p = mem.check(ptr, n);
        w.uvar(n >>> 0);
        w.copyFrom(mem.u8, p, n >>> 0);
      } else {
        let total = 0;
        for (let i = 0; i < (n >>> 0); i++) total += mem.iovLen(ptr, i);
        w.uvar(total);
        for (let i = 0; i < (n >>> 0); i++) {
          const len = mem.iovLen(ptr, i);
          w.copyFrom(mem.u8, mem.check(mem.iovBuf(ptr, i), len), len);
        }
      }
    }
  } catch {
    w.length = start;
    for (let i = 0; i < plan.inputs.length; i++) w.uvar(0);
  }
}

/** The inputs as encodeInputs gives them, each its own array (for the rare paths: a divergence line, a bad pointer). */
export function callInputs(plan: CallPlan, ctx: CallContext, args: ReadonlyArray<number | bigint>): Uint8Array[] {
  const w = new ByteWriter(64);
  encodeInputs(w, plan, ctx.mem, args);
  const r = new ByteReader(w.buf, w.length);
  return plan.inputs.map(() => r.blob().slice());
}

/**
 * Whether the inputs recorded at `r` are the guest's, compared in place
 * (nothing copied); `r` is then past them. Undefined when guest memory
 * cannot be read. Only `true` is sure: a difference found before a bad
 * pointer is none (the recorder kept empty inputs), so the caller compares
 * callInputs' instead.
 */
export function inputsMatch(r: ByteReader, plan: CallPlan, mem: GuestMemory, args: ReadonlyArray<number | bigint>): boolean | undefined {
  try {
    for (const [kind, at] of plan.inputs) {
      const ptr = args[at] as number;
      const n = args[at + 1] as number;
      const len = r.uvar();
      // Compared where they lie in the recording: no view made per call.
      const rec = r.buf;
      const from = r.pos;
      r.skip(len);
      if (kind === 'str') {
        if ((n >>> 0) !== len) return false;
        if (!sameAt(rec, from, mem.u8, mem.check(ptr, len), len)) return false;
      } else {
        let o = 0;
        for (let i = 0; i < (n >>> 0); i++) {
          const l = mem.iovLen(ptr, i);
          if (o + l > len || !sameAt(rec, from + o, mem.u8, mem.check(mem.iovBuf(ptr, i), l), l)) return false;
          o += l;
        }
        if (o !== len) return false;
      }
    }
    return true;
  } catch (e) {
    if (e instanceof RecordingError) throw e;
    return undefined;
  }
}

function sameAt(a: Uint8Array, ao: number, b: Uint8Array, bo: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

/** One region of guest memory into `w` (address, length, bytes); 0 when it is empty or outside memory (the call wrote nothing there). */
function take(w: ByteWriter, mem: GuestMemory, addr: number, len: number): number {
  len >>>= 0;
  if (len === 0) return 0;
  let p: number;
  try {
    p = mem.check(addr, len);
  } catch {
    return 0;
  }
  region(w, p, mem.u8, p, len);
  return 1;
}

/** A region as a CALL's writes list holds it: address, length, the bytes (src[off, off + len)). */
function region(w: ByteWriter, addr: number, src: Uint8Array, off: number, len: number): void {
  w.uvar(addr);
  w.uvar(len);
  w.copyFrom(src, off, len);
}

/**
 * The writes of a successful call that stored only `len` bytes at `addr`,
 * given the bytes (src[off, off + len)) rather than read from guest memory
 * — the clock ring's values, which memory no longer holds: as encodeWrites
 * writes a plan whose only output is fixed (clock_time_get's).
 */
export function encodeStored(w: ByteWriter, addr: number, src: Uint8Array, off: number, len: number): void {
  w.uvar(1);
  region(w, addr, src, off, len);
}

/** The u32 a call stored at `ptr` (a count), or 0 when `ptr` is bad. */
function storedCount(mem: GuestMemory, ptr: number): number {
  try { return mem.u32(ptr); } catch { return 0; }
}

/**
 * The regions a call wrote, with their bytes as they are now, as a count
 * and (address, length, bytes) each: all of them when it succeeded; when it
 * failed, only its fixed-size results (a call may store one before it finds
 * the next pointer bad). `lists`: what args_get and environ_get lay out
 * (their 'ptr's have no length of their own).
 */
export function encodeWrites(w: ByteWriter, plan: CallPlan, mem: GuestMemory, args: ReadonlyArray<number | bigint>, ok: boolean, lists: ListSizes): void {
  const countAt = w.reserve();
  let n = 0;
  if (!ok || !plan.more) {
    // The fixed-size results alone (in parameter order, as below).
    const { fixed } = plan;
    for (let i = 0; i < fixed.length; i += 2) n += take(w, mem, args[fixed[i]!] as number, fixed[i + 1]!);
    w.patch(countAt, n);
    return;
  }
  for (const [kind, at] of plan.kinds) {
    const p = args[at] as number;
    const fixed = FIXED_OUT[kind];
    if (fixed !== undefined) n += take(w, mem, p, fixed);
    else if (kind === 'out_events') n += take(w, mem, p, storedCount(mem, args[plan.count] as number) * EVENT_SIZE);
    else if (kind === 'out_dirents') n += take(w, mem, p, storedCount(mem, args[plan.count] as number));
    else if (kind === 'out_buf_str') {
      const len = (args[plan.size] as number) >>> 0;
      n += take(w, mem, p, plan.count < 0 ? len : Math.min(len, storedCount(mem, args[plan.count] as number)));
    } else if (kind === 'iovs') {
      let left = storedCount(mem, args[plan.count] as number);
      const iovs = (args[at + 1] as number) >>> 0;
      for (let i = 0; i < iovs && left > 0; i++) {
        let bp: number;
        let blen: number;
        try {
          bp = mem.u32(p + i * IOV.size + IOV.buf);
          blen = mem.u32(p + i * IOV.size + IOV.buf_len);
        } catch {
          break; // a bad list: the call read nothing
        }
        const len = Math.min(left, blen);
        n += take(w, mem, bp, len);
        left -= len;
      }
    } else if (kind === 'ptr') {
      if (plan.name === 'random_get') n += take(w, mem, p, args[plan.size] as number);
      else if (plan.name === 'args_get' || plan.name === 'environ_get') {
        const [count, bytes] = plan.name === 'args_get' ? lists.args : lists.env;
        n += take(w, mem, p, at === 0 ? count * 4 : bytes);
      }
    }
  }
  w.patch(countAt, n);
}
