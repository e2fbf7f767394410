/** Turning raw WASI arguments into what a person reads: names, flags, quoted paths. */
import * as abi from '../../wasi/abi.js';
import type { CallContext } from '../../wasi/calls/context.js';
import type { ParamKind } from '../../wasi/functions.js';

const {
  ERRNO_NAMES, CLOCKID_NAMES, Rights, Fdflags, Oflags, Lookupflags, Fstflags, Sdflags, Riflags, Roflags, Eventtype, Layout,
  EVENTRWFLAGS_FD_READWRITE_HANGUP, SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME, flagNames,
} = abi;
const { WHENCE_NAMES: WHENCE, ADVICE_NAMES: ADVICE } = abi;
const L = Layout;
const MAX_STR = 200;
/** poll_oneoff's subscriptions and events shown, at most; the rest are counted. */
const MAX_SUBS = 16;

/** Another raw argument of the same call, by its witx name (poll_oneoff's lengths). */
export type Sibling = (name: string) => unknown;

export function errnoName(n: unknown): string {
  return typeof n === 'number' ? ERRNO_NAMES[n] ?? String(n) : String(n);
}

function quote(s: string): string {
  const q = JSON.stringify(s.length > MAX_STR ? s.slice(0, MAX_STR) : s);
  return s.length > MAX_STR ? q + '...' : q;
}

function fdLabel(ctx: CallContext, fd: number): string {
  try {
    const label = ctx.fds.lookup(fd).label;
    return label ? `${fd}<${label}>` : String(fd);
  } catch {
    return String(fd);
  }
}

function readString(ctx: CallContext, ptr: number, len: number): string {
  try {
    return quote(new TextDecoder().decode(ctx.mem.bytes(ptr, Math.min(len >>> 0, 4096))));
  } catch {
    return `<bad pointer ${ptr >>> 0}+${len >>> 0}>`;
  }
}

function iovTotal(ctx: CallContext, ptr: number, len: number): string {
  try {
    let total = 0;
    for (let i = 0; i < (len >>> 0); i++) total += ctx.mem.iovLen(ptr, i);
    return `[${len >>> 0} iov, ${total} bytes]`;
  } catch {
    return `<bad iovs ${ptr >>> 0}>`;
  }
}

/** Rights by name; a set with most bits on is shown by what it lacks: ALL&~(FD_READ|FD_WRITE). */
function showRights(v: bigint): string {
  const all = BigInt(abi.RIGHTS_ALL);
  const known = v & all;
  const unknown = v & ~all;
  const table = Rights as unknown as Record<string, number>;
  let shown: string;
  if (known === all) shown = 'ALL';
  else if (popcount(known) > 15) shown = `ALL&~(${flagNames(all & ~known, table)})`;
  else shown = flagNames(known, table);
  return unknown === 0n || unknown === BigInt.asUintN(64, ~all) ? shown : `${shown}|0x${unknown.toString(16)}`;
}

function popcount(v: bigint): number {
  let n = 0;
  for (; v > 0n; v >>= 1n) n += Number(v & 1n);
  return n;
}

/** eventtype by name (CLOCK, FD_READ, FD_WRITE), from the ABI's enum. */
function eventtypeName(tag: number): string {
  return Eventtype[tag] ?? `tag ${tag}`;
}

/** An array of `n` structs of `size` bytes at `ptr`, each shown by `one`; the first MAX_SUBS of them. */
function structArray(ctx: CallContext, ptr: number, n: number, size: number, one: (at: number) => string): string {
  const count = n >>> 0;
  try {
    const parts: string[] = [];
    for (let i = 0; i < Math.min(count, MAX_SUBS); i++) {
      const at = (ptr >>> 0) + i * size;
      ctx.mem.check(at, size);
      parts.push(one(at));
    }
    if (count > MAX_SUBS) parts.push(`…${count - MAX_SUBS} more`);
    return `[${parts.join(', ')}]`;
  } catch {
    return `<bad pointer ${ptr >>> 0}+${count}×${size}>`;
  }
}

/** poll_oneoff's subscriptions: `#1 FD_READ(fd=3<…>)`, `#2 CLOCK(MONOTONIC, 1000000ns)`; # is the userdata. */
function subscriptionsText(ctx: CallContext, ptr: number, n: number): string {
  const S = Layout.subscription;
  return structArray(ctx, ptr, n, S.size, (at) => {
    const head = `#${ctx.mem.u64(at + S.userdata)} `;
    const tag = ctx.mem.u8[at + S.tag]!;
    if (tag === Eventtype.CLOCK) {
      const id = ctx.mem.u32(at + S.clock_id);
      const abs = (ctx.mem.view.getUint16(at + S.clock_flags, true) & SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) !== 0;
      return `${head}CLOCK(${CLOCKID_NAMES[id] ?? id}, ${abs ? 'at ' : ''}${BigInt.asUintN(64, ctx.mem.u64(at + S.clock_timeout))}ns)`;
    }
    if (tag === Eventtype.FD_READ || tag === Eventtype.FD_WRITE) return `${head}${eventtypeName(tag)}(fd=${fdLabel(ctx, ctx.mem.u32(at + S.fd))})`;
    return `${head}${eventtypeName(tag)}`;
  });
}

/** poll_oneoff's events: `#1 FD_READ nbytes=5`, `#1 FD_READ nbytes=0 HANGUP`, `#2 CLOCK`, `#3 FD_WRITE BADF`. */
function eventsText(ctx: CallContext, ptr: number, n: number): string {
  const E = Layout.event;
  return structArray(ctx, ptr, n, E.size, (at) => {
    const type = ctx.mem.u8[at + E.type]!;
    const error = ctx.mem.view.getUint16(at + E.error, true);
    let text = `#${ctx.mem.u64(at + E.userdata)} ${eventtypeName(type)}`;
    if (error !== 0) return `${text} ${errnoName(error)}`;
    if (type === Eventtype.FD_READ || type === Eventtype.FD_WRITE) {
      text += ` nbytes=${ctx.mem.u64(at + E.nbytes)}`;
      const flags = ctx.mem.view.getUint16(at + E.flags, true);
      if (flags & EVENTRWFLAGS_FD_READWRITE_HANGUP) text += ' HANGUP';
      if (flags & ~EVENTRWFLAGS_FD_READWRITE_HANGUP) text += ` flags=0x${flags.toString(16)}`;
    }
    return text;
  });
}

/** One input parameter, shown before the call; null for results (shown after). */
export function showInput(ctx: CallContext, kind: ParamKind, a: unknown, b: unknown, sibling: Sibling = () => undefined): string | null {
  switch (kind) {
    case 'fd': return fdLabel(ctx, a as number);
    case 'u32': case 'size': case 'exitcode': case 'signal': return String((a as number) >>> 0);
    case 'ptr': return `0x${((a as number) >>> 0).toString(16)}`;
    case 'u64': case 'timestamp': return String(BigInt.asUintN(64, a as bigint));
    case 's64': return String(a);
    case 'str': return readString(ctx, a as number, b as number);
    case 'iovs': case 'ciovs': return iovTotal(ctx, a as number, b as number);
    case 'clockid': return CLOCKID_NAMES[a as number] ?? String(a);
    case 'advice': return ADVICE[a as number] ?? String(a);
    case 'whence': return WHENCE[a as number] ?? String(a);
    case 'fdflags': return flagNames(a as number, Fdflags);
    case 'oflags': return flagNames(a as number, Oflags);
    case 'lookupflags': return flagNames(a as number, Lookupflags);
    case 'fstflags': return flagNames(a as number, Fstflags);
    case 'rights': return showRights(BigInt.asUintN(64, a as bigint));
    case 'sdflags': return flagNames(a as number, Sdflags);
    case 'riflags': return flagNames(a as number, Riflags);
    case 'siflags': return String(a);
    case 'subscriptions': return subscriptionsText(ctx, a as number, sibling('nsubscriptions') as number);
    default: return null;
  }
}

/** A result parameter, read after a successful call. */
export function showOutput(ctx: CallContext, kind: ParamKind, ptr: number, extra: unknown, sibling: Sibling = () => undefined): string | null {
  try {
    switch (kind) {
      case 'out_fd': { const fd = ctx.mem.u32(ptr); return fdLabel(ctx, fd); }
      case 'out_u32': case 'out_size': return String(ctx.mem.u32(ptr));
      case 'out_u64': return String(ctx.mem.u64(ptr));
      case 'out_fdstat': return `{filetype=${abi.FILETYPE_NAMES[ctx.mem.u8[(ptr >>> 0) + L.fdstat.fs_filetype]!]}, flags=${flagNames(ctx.mem.view.getUint16((ptr >>> 0) + L.fdstat.fs_flags, true), Fdflags)}}`;
      case 'out_filestat': {
        const p = ptr >>> 0;
        return `{filetype=${abi.FILETYPE_NAMES[ctx.mem.u8[p + L.filestat.filetype]!]}, size=${ctx.mem.u64(p + L.filestat.size_)}, ino=${ctx.mem.u64(p + L.filestat.ino)}}`;
      }
      case 'out_prestat': return `{dir, name_len=${ctx.mem.u32(ptr + L.prestat.pr_name_len)}}`;
      case 'out_buf_str': return readString(ctx, ptr, extra as number);
      case 'out_roflags': return flagNames(ctx.mem.view.getUint16(ctx.mem.check(ptr, 2), true), Roflags);
      // The count is what the call wrote to nevents.
      case 'out_events': return eventsText(ctx, ptr, ctx.mem.u32(sibling('nevents') as number));
      default: return null;
    }
  } catch {
    return '<unreadable>';
  }
}
