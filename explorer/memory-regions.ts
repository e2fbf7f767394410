/**
 * The guest memory a call reads or writes, found from its parameters' kinds
 * (WASI_FUNCTIONS of wasi/functions.ts): strings and the data of the first
 * iovec, and what out-parameters received. At most MAX_REGION bytes each.
 */
import type { CallContext } from '../wasi/browser.js';
import { Layout } from '../wasi/abi.js';
import { WASI_FUNCTIONS, arity, type Param, type ParamKind } from '../wasi/functions.js';
import type { MemRegion } from './protocol.js';

const MAX_REGION = 128;

/** Where a parameter's bytes are and whether the call reads or writes them. */
export function regions(ctx: CallContext, name: string, raw: unknown[], after: boolean): MemRegion[] {
  const sig = WASI_FUNCTIONS[name]?.params;
  if (!sig) return [];
  const out: MemRegion[] = [];
  const take = (param: string, access: MemRegion['access'], ptr: number, len: number): void => {
    const n = Math.max(0, Math.min(len >>> 0, MAX_REGION));
    try {
      out.push({ param, access, ptr: ptr >>> 0, len: len >>> 0, bytes: ctx.mem.bytes(ptr >>> 0, n).slice() });
    } catch { /* a bad pointer: the call reports FAULT, there is nothing to show */ }
  };
  let i = 0;
  for (const [pname, kind] of sig) {
    const a = raw[i] as number;
    const b = raw[i + 1] as number;
    i += arity(kind);
    const iov = (k: number): [number, number] => [ctx.mem.iovBuf(a, k), ctx.mem.iovLen(a, k)];
    try {
      if (!after && kind === 'str') take(pname, 'read', a, b);
      else if (!after && kind === 'subscriptions') take(pname, 'read', a, Layout.subscription.size * (sibling(raw, sig, 'nsubscriptions') >>> 0));
      else if (!after && kind === 'ciovs' && (b >>> 0) > 0) { const [p, l] = iov(0); take(pname, 'read', p, l); }
      else if (after && kind === 'iovs' && (b >>> 0) > 0) { const [p, l] = iov(0); take(pname, 'written', p, l); }
      else if (after && kind.startsWith('out_')) take(pname, 'written', a, outSize(kind as ParamKind, raw, sig));
    } catch { /* unreadable iovec array */ }
  }
  return out;
}

/** The raw value of the parameter named `name` (poll_oneoff's lengths). */
function sibling(raw: unknown[], sig: readonly Param[], name: string): number {
  let pos = 0;
  for (const [pname, kind] of sig) {
    if (pname === name) return Number(raw[pos]);
    pos += arity(kind);
  }
  return 0;
}

function outSize(kind: ParamKind, raw: unknown[], sig: readonly Param[]): number {
  switch (kind) {
    case 'out_u64': return 8;
    case 'out_fdstat': return 24;
    case 'out_filestat': return 64;
    case 'out_prestat': return 8;
    case 'out_events': return Layout.event.size * (sibling(raw, sig, 'nsubscriptions') >>> 0);
    case 'out_roflags': return 2;
    case 'out_buf_str': case 'out_dirents': {
      // The buffer's length is the next parameter (path_len / buf_len).
      const idx = sig.findIndex(([, k]) => k === kind);
      let pos = 0;
      for (let j = 0; j < idx; j++) pos += arity(sig[j]![1]);
      return Number(raw[pos + 1]);
    }
    default: return 4;
  }
}
