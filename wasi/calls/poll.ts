/**
 * poll_oneoff. Clock subscriptions really sleep (Atomics.wait: the thread
 * blocks, no busy loop); fd subscriptions on files, stdin and stdout are
 * ready at once — as for poll(2) on regular files, and because a synchronous
 * WASI call cannot wait on node's event loop.
 */
import {
  Errno, Eventtype, Layout, Rights, SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME,
} from '../abi.js';
import { WasiError, errnoOf } from '../errors.js';
import { clockNow } from './clock.js';
import type { CallContext, WasiFunctions } from './context.js';
import { sleepUntil } from '../sleep.js';

export function pollCalls({ mem, fds }: CallContext): WasiFunctions {
  return {
    poll_oneoff(inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): number {
      nsubs >>>= 0;
      if (nsubs === 0) return Errno.INVAL;
      const S = Layout.subscription;
      const E = Layout.event;
      mem.check(inPtr, nsubs * S.size);
      mem.check(outPtr, nsubs * E.size);
      mem.check(neventsPtr, 4);

      let nevents = 0;
      const emit = (userdata: bigint, error: number, type: number, nbytes: number): void => {
        const p = outPtr + nevents++ * E.size;
        mem.u8.fill(0, p, p + E.size);
        mem.setU64(p + E.userdata, userdata);
        mem.setU16(p + E.error, error);
        mem.setU8(p + E.type, type);
        mem.setU64n(p + E.nbytes, nbytes);
      };

      // The earliest clock deadline, on the monotonic clock; and which subscriptions it fires.
      let earliest: bigint | null = null;
      const clocks: Array<{ userdata: bigint; deadline: bigint }> = [];
      const now = process.hrtime.bigint();
      for (let i = 0; i < nsubs; i++) {
        const s = inPtr + i * S.size;
        const userdata = mem.u64(s + S.userdata);
        const tag = mem.view.getUint8(mem.check(s + S.tag, 1));
        if (tag === Eventtype.CLOCK) {
          const id = mem.u32(s + S.clock_id);
          const timeout = BigInt.asUintN(64, mem.u64(s + S.clock_timeout));
          const flags = mem.view.getUint16(mem.check(s + S.clock_flags, 2), true);
          const clockTime = clockNow(id);
          if (clockTime === null) {
            emit(userdata, Errno.INVAL, Eventtype.CLOCK, 0);
            continue;
          }
          // Absolute timeouts are on the subscription's clock; turn them into monotonic deadlines.
          const wait = flags & SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME ? timeout - clockTime : timeout;
          const deadline = now + (wait > 0n ? wait : 0n);
          clocks.push({ userdata, deadline });
          if (earliest === null || deadline < earliest) earliest = deadline;
        } else if (tag === Eventtype.FD_READ || tag === Eventtype.FD_WRITE) {
          const fd = mem.u32(s + S.fd);
          try {
            const f = fds.get(fd, Rights.POLL_FD_READWRITE);
            emit(userdata, Errno.SUCCESS, tag, tag === Eventtype.FD_READ ? f.readable() : 0);
          } catch (e) {
            emit(userdata, errnoOf(e), tag, 0);
          }
        } else {
          throw new WasiError(Errno.INVAL);
        }
      }

      if (nevents === 0 && earliest !== null) {
        sleepUntil(earliest);
        const t = process.hrtime.bigint();
        for (const c of clocks) if (c.deadline <= t) emit(c.userdata, Errno.SUCCESS, Eventtype.CLOCK, 0);
      } else if (earliest !== null) {
        // fd events are ready; report clocks that have already expired with them.
        for (const c of clocks) if (c.deadline <= now) emit(c.userdata, Errno.SUCCESS, Eventtype.CLOCK, 0);
      }
      mem.setU32(neventsPtr, nevents);
      return Errno.SUCCESS;
    },
  };
}
