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
