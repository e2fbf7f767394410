/** clock_res_get, clock_time_get. */
import { Clockid, Errno } from '../abi.js';
import type { CallContext, ClockTimeGet, WasiFunctions } from './context.js';

/**
 * Wall-clock time with nanosecond resolution: hrtime plus an offset to the
 * epoch, re-taken from Date.now() at most once a second so that clock
 * adjustments of the host show up without a Date allocation per call.
 */
class Realtime {
  private offset = 0n;
  private syncedAt = -1n;
  now(): bigint {
    const t = process.hrtime.bigint();
    if (t - this.syncedAt > 1_000_000_000n) {
      this.offset = BigInt(Date.now()) * 1_000_000n - t;
      this.syncedAt = t;
    }
    return t + this.offset;
  }
}
const realtime = new Realtime();
/** Bound once: the property lookups cost as much as the rest of a clock call. */
const hrtimeNs = process.hrtime.bigint;

/** Current time of a clock in ns, or null for an unknown clock id. */
export function clockNow(id: number): bigint | null {
  switch (id) {
    case Clockid.MONOTONIC: return hrtimeNs();
    case Clockid.REALTIME: return realtime.now();
    // Node reports CPU time per process only; in a worker both mean the process's.
    case Clockid.PROCESS_CPUTIME_ID:
    case Clockid.THREAD_CPUTIME_ID: {
      const u = process.cpuUsage();
      return BigInt(u.user + u.system) * 1000n;
    }
    default: return null;
  }
}

/** Resolution in ns of each clock: hrtime is ns, Date.now and cpuUsage are coarser. */
const RESOLUTION: readonly bigint[] = [1_000n, 1n, 1_000n, 1_000n];

/**
 * clockNow with the monotonic clock first, small enough for V8 to inline
 * where it is called: the BigInt hrtime reads then goes straight into the
 * u64 store(s) that follow without being allocated (a clock read in a loop
 * otherwise makes a scavenge every few ms).
 */
const timeNow = (id: number): bigint | null => (id === Clockid.MONOTONIC ? hrtimeNs() : clockNow(id));

/**
 * clock_time_get without its `precision` argument, for the wasm shim in
 * trampoline.ts. Never throws: this is the hottest call of many programs, so
 * it is one bounds check, one clock read, one store.
 */
export function clockTimeGetNoPrecision({ mem }: CallContext): (id: number, timePtr: number) => number {
  return (id: number, timePtr: number): number => {
    const now = timeNow(id);
    if (now === null) return Errno.INVAL;
    const i = mem.u64Index(timePtr);
    if (i >= 0) {
      mem.u64view[i] = now;
      return Errno.SUCCESS;
    }
    try {
      mem.setU64(timePtr, now);
    } catch {
      return Errno.FAULT;
    }
    return Errno.SUCCESS;
  };
}

export function clockCalls(ctx: CallContext): WasiFunctions {
  const { mem } = ctx;
  const timeGet = clockTimeGetNoPrecision(ctx);
  return {
    clock_res_get(id: number, resPtr: number): number {
      const res = RESOLUTION[id];
      if (res === undefined) return Errno.INVAL;
      mem.setU64(resPtr, res);
      return Errno.SUCCESS;
    },
    // Never throws, so wasi.ts need not wrap it. It stores what timeNow reads (ClockTimeGet.now).
    clock_time_get: Object.assign((id: number, _precision: bigint, timePtr: number): number => timeGet(id, timePtr), { now: timeNow }) satisfies ClockTimeGet,
  };
}
