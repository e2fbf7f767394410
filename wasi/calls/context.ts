import type { FdTable } from '../fd-table.js';
import type { GuestMemory } from '../memory.js';
import { RIGHTS_ALL } from '../abi.js';

/** What every group of WASI calls works on. */
export interface CallContext {
  readonly mem: GuestMemory;
  readonly fds: FdTable;
}

/** A WASI import: takes wasm values (i32 as number, i64 as bigint), returns an errno. */
export type WasiFunction = (...args: never[]) => number | void;
export type WasiFunctions = Record<string, WasiFunction>;

/**
 * A wrapper's shortcut for clock_time_get calls that repeat the arguments
 * it last armed: wasi/trampoline.ts compares (id, precision, ptr) with
 * these globals in wasm and, while `armed` is 1 and all three match, calls
 * `same(id, ptr)` instead of the wrapper — no BigInt made for the
 * precision, no comparison in JavaScript. The recorder keeps one
 * (src/record/recorder.ts): a clock read in a loop is its hottest call.
 */
export interface RepeatShortcut {
  readonly same: (id: number, ptr: number) => number;
  /** Mutable globals: i32 armed (0 or 1), i32 id, i64 precision, i32 ptr. */
  readonly armed: WebAssembly.Global;
  readonly id: WebAssembly.Global;
  readonly precision: WebAssembly.Global;
  readonly ptr: WebAssembly.Global;
}

/**
 * A (wrapped) clock_time_get, which may carry a RepeatShortcut. wasi's own
 * carries `now`, the clock it reads (null: no such clock): a wrapper that
 * keeps what the call stores (the recorder) may read the clock, store the
 * value where an aligned pointer in memory says, and keep it, instead of
 * calling the function and reading guest memory back. Another wrapper's
 * function carries no `now`, and is called.
 */
export type ClockTimeGet = WasiFunction & { readonly shortcut?: RepeatShortcut; readonly now?: (id: number) => bigint | null };

/** u64 from the guest (arrives as a signed i64 BigInt) as a safe JS number, or -1 past 2^53 (the caller says INVAL). */
export function u64ToNumber(v: bigint): number {
  const n = BigInt.asUintN(64, v);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) return -1;
  return Number(n);
}

/** Rights as the guest passes them (u64) in the host's number form: bits the ABI does not define are dropped. */
export function rightsFromGuest(v: bigint): number {
  return Number(BigInt.asUintN(32, v)) & RIGHTS_ALL;
}
