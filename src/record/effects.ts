/**
 * What a WASI call takes from guest memory and what it writes there, derived
 * from wasi/functions.ts's parameter kinds: the recorder reads both, the
 * replayer checks the first and performs the second.
 */
import { Layout } from '../../wasi/abi.js';
import type { CallContext } from '../../wasi/calls/context.js';
import { WASI_FUNCTIONS, arity, type ParamKind } from '../../wasi/functions.js';
import { inputCount, type MemoryWrite } from './format.js';

/** Bytes an out-pointer of a fixed-size kind receives. */
const FIXED_OUT: Partial<Record<ParamKind, number>> = {
  out_fd: 4, out_u32: 4, out_size: 4, out_u64: 8, out_roflags: 2,
  out_fdstat: Layout.fdstat.size, out_filestat: Layout.filestat.size, out_prestat: Layout.prestat.size,
};
const EVENT_SIZE = Layout.event.size;

/** Where one parameter's wasm arguments start, by name, for each function. */
interface ParamLayout {
  kinds: Array<[name: string, kind: ParamKind, at: number]>;
  /** The argument index of the first out_size (nread, bufused, nevents, ro_datalen): the count a buffer was filled to. */
  count: number | undefined;
  /** The argument index of the 'size' parameter (buf_len, path_len). */
  size: number | undefined;
}

const LAYOUTS = new Map<string, ParamLayout>();
function layout(name: string): ParamLayout {
  let l = LAYOUTS.get(name);
  if (l !== undefined) return l;
  const kinds: ParamLayout['kinds'] = [];
  let at = 0;
  for (const [pname, kind] of WASI_FUNCTIONS[name]!.params) {
    kinds.push([pname, kind, at]);
    at += arity(kind);
  }
  l = {
    kinds,
    count: kinds.find(([, k]) => k === 'out_size')?.[2],
    size: kinds.find(([, k]) => k === 'size')?.[2],
  };
  LAYOUTS.set(name, l);
  return l;
}

/** The guest's iovec list: [ptr, len] pairs. */
function iovecs(ctx: CallContext, ptr: number, n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < (n >>> 0); i++) out.push([ctx.mem.u32(ptr + i * 8), ctx.mem.u32(ptr + i * 8 + 4)]);
  return out;
}

/**
 * The bytes the guest hands in: each 'str' and the gathered 'ciovs' data, in
 * parameter order. A bad pointer (the call will say FAULT) gives empty ones:
 * recorder and replayer see the same.
 */
export function callInputs(name: string, ctx: CallContext, args: readonly unknown[]): Uint8Array[] {
  try {
    return readInputs(name, ctx, args);
  } catch {
    return Array.from({ length: inputCount(name) }, () => new Uint8Array(0));
  }
}

function readInputs(name: string, ctx: CallContext, args: readonly unknown[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const [, kind, at] of layout(name).kinds) {
    if (kind === 'str') {
      out.push(ctx.mem.bytes(args[at] as number, args[at + 1] as number).slice());
    } else if (kind === 'ciovs') {
      const parts = iovecs(ctx, args[at] as number, args[at + 1] as number).map(([p, len]) => ctx.mem.bytes(p, len));
      const total = parts.reduce((n, p) => n + p.length, 0);
      const all = new Uint8Array(total);
      let o = 0;
      for (const p of parts) { all.set(p, o); o += p.length; }
      out.push(all);
    }
  }
  return out;
}

/** Lengths of args_get's / environ_get's two buffers: the pointer array and the strings. */
export interface ListSizes { args: [count: number, bytes: number]; env: [count: number, bytes: number] }

/**
 * The regions a call wrote, with their bytes as they are now: all of them
 * when it succeeded; when it failed, only its fixed-size results (a call may
 * write one before it finds the next pointer bad). A region outside memory
 * is skipped. `lists`: what args_get and environ_get lay out (their 'ptr's
 * have no length of their own).
 */
export function callWrites(name: string, ctx: CallContext, args: readonly unknown[], ok: boolean, lists: ListSizes): MemoryWrite[] {
  const { kinds, count, size } = layout(name);
  const out: MemoryWrite[] = [];
  const take = (addr: number, len: number): void => {
    if ((len >>> 0) === 0) return;
    try {
      out.push({ addr: addr >>> 0, data: ctx.mem.bytes(addr, len).slice() });
    } catch { /* outside memory: the call wrote nothing there */ }
  };
  if (!ok) {
    for (const [, kind, at] of kinds) {
      const fixed = FIXED_OUT[kind];
      if (fixed !== undefined) take(args[at] as number, fixed);
    }
    return out;
  }
  const filled = (): number => {
    try { return count === undefined ? 0 : ctx.mem.u32(args[count] as number); } catch { return 0; }
  };
  for (const [, kind, at] of kinds) {
    const p = args[at] as number;
    const fixed = FIXED_OUT[kind];
    if (fixed !== undefined) take(p, fixed);
    else if (kind === 'out_events') take(p, filled() * EVENT_SIZE);
    else if (kind === 'out_dirents') take(p, filled());
    else if (kind === 'out_buf_str') {
      const len = (args[size!] as number) >>> 0;
      take(p, count === undefined ? len : Math.min(len, filled()));
    } else if (kind === 'iovs') {
      let left = filled();
      let iovs: Array<[number, number]> = [];
      try { iovs = iovecs(ctx, p, args[at + 1] as number); } catch { /* a bad list: the call read nothing */ }
      for (const [bp, blen] of iovs) {
        if (left === 0) break;
        const n = Math.min(left, blen);
        take(bp, n);
        left -= n;
      }
    } else if (kind === 'ptr') {
      if (name === 'random_get') take(p, args[size!] as number);
      else if (name === 'args_get' || name === 'environ_get') {
        const [n, bytes] = name === 'args_get' ? lists.args : lists.env;
        take(p, at === 0 ? n * 4 : bytes);
      }
    }
  }
  return out;
}
