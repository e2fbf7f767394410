/** clock_res_get, clock_time_get. */
import { Clockid, Errno } from '../abi.js';
import type { CallContext, WasiFunctions } from './context.js';

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

/** Current time of a clock in ns, or null for an unknown clock id. */
export function clockNow(id: number): bigint | null {
  switch (id) {
    case Clockid.MONOTONIC: return process.hrtime.bigint();
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

export function clockCalls({ mem }: CallContext): WasiFunctions {
  return {
    clock_res_get(id: number, resPtr: number): number {
      const res = RESOLUTION[id];
      if (res === undefined) return Errno.INVAL;
      mem.setU64(resPtr, res);
      return Errno.SUCCESS;
    },
    clock_time_get(id: number, _precision: bigint, timePtr: number): number {
      // The hot path (MONOTONIC) stays free of the switch and of allocation beyond hrtime's BigInt.
      if (id === Clockid.MONOTONIC) {
        mem.setU64(timePtr, process.hrtime.bigint());
        return Errno.SUCCESS;
      }
      const now = clockNow(id);
      if (now === null) return Errno.INVAL;
      mem.setU64(timePtr, now);
      return Errno.SUCCESS;
    },
  };
}
