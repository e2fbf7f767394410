/**
 * poll_oneoff. Files, directories and stdio are ready at once — as for
 * poll(2) on regular files, and because a synchronous WASI call cannot wait
 * on stdin's event loop. Sockets are ready when their host says so (bytes
 * in the ring, a connection waiting, room to send, a hang-up). With nothing
 * ready the thread sleeps in Atomics.wait — no busy loop — until the
 * earliest clock subscription is due or, when sockets are subscribed, their
 * host changes something; then it looks again.
 */
import {
  Clockid, EVENTRWFLAGS_FD_READWRITE_HANGUP, Errno, Eventtype, Layout, Rights, SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME,
} from '../abi.js';
import { WasiError, errnoOf } from '../errors.js';
import type { Fd } from '../fd.js';
import { clockNow } from './clock.js';
import type { CallContext, WasiFunctions } from './context.js';
import { sleepUntil } from '../sleep.js';

/** One clock subscription: its deadline on the monotonic clock, and for an absolute realtime one its time on that clock (else -1). */
interface ClockSub {
  userdata: bigint;
  deadline: bigint;
  realtime: bigint;
}

/**
 * Whether clock subscription `c` is due at monotonic time `t`. An absolute
 * realtime deadline is the realtime clock's: should that clock have been set
 * back while the thread slept, the deadline moves with it (as
 * clock_nanosleep's TIMER_ABSTIME does) and `c` is not due yet.
 */
function due(c: ClockSub, t: bigint): boolean {
  if (c.deadline > t) return false;
  if (c.realtime < 0n) return true;
  const r = clockNow(Clockid.REALTIME)!;
  if (r >= c.realtime) return true;
  c.deadline = t + (c.realtime - r);
  return false;
}

/** One fd subscription, decoded once per call. */
interface FdSub {
  userdata: bigint;
  type: number;
  fd: Fd | null;
  errno: number;
}

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
      const emit = (userdata: bigint, error: number, type: number, nbytes: number, flags: number): void => {
        const p = outPtr + nevents++ * E.size;
        mem.u8.fill(0, p, p + E.size);
        mem.setU64(p + E.userdata, userdata);
        mem.setU16(p + E.error, error);
        mem.setU8(p + E.type, type);
        mem.setU64n(p + E.nbytes, nbytes);
        mem.setU16(p + E.flags, flags);
      };

      // The earliest clock deadline, on the monotonic clock; and which subscriptions it fires.
      let earliest: bigint | null = null;
      const clocks: ClockSub[] = [];
      const subs: FdSub[] = [];
      /** The one word to sleep on for the subscribed sockets (all of a guest's share its host's). */
      let cell: Int32Array | null = null;
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
            emit(userdata, Errno.INVAL, Eventtype.CLOCK, 0, 0);
            continue;
          }
          // Absolute timeouts are on the subscription's clock; turn them into monotonic deadlines.
          const absolute = (flags & SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) !== 0;
          const wait = absolute ? timeout - clockTime : timeout;
          const deadline = now + (wait > 0n ? wait : 0n);
          clocks.push({ userdata, deadline, realtime: absolute && id === Clockid.REALTIME ? timeout : -1n });
          if (earliest === null || deadline < earliest) earliest = deadline;
        } else if (tag === Eventtype.FD_READ || tag === Eventtype.FD_WRITE) {
          const fd = mem.u32(s + S.fd);
          try {
            const f = fds.get(fd, Rights.POLL_FD_READWRITE);
            subs.push({ userdata, type: tag, fd: f, errno: 0 });
            cell ??= f.waitCell();
          } catch (e) {
            // A bad fd is its own event (never the call's error: Go's netpoll stops on one).
            subs.push({ userdata, type: tag, fd: null, errno: errnoOf(e) });
          }
        } else {
          throw new WasiError(Errno.INVAL);
        }
      }

      /** Emit every fd subscription that is ready; the generation to wait from is read first. */
      const emitReady = (): void => {
        for (const sub of subs) {
          if (sub.fd === null) {
            emit(sub.userdata, sub.errno, sub.type, 0, 0);
            continue;
          }
          const write = sub.type === Eventtype.FD_WRITE;
          const n = sub.fd.readiness(write);
          if (n >= 0) emit(sub.userdata, Errno.SUCCESS, sub.type, n, sub.fd.hungUp(write) ? EVENTRWFLAGS_FD_READWRITE_HANGUP : 0);
        }
      };

      let gen = cell === null ? 0 : Atomics.load(cell, 0);
      emitReady();
      for (;;) {
        while (nevents === 0) {
          const t = process.hrtime.bigint();
          if (earliest !== null && earliest <= t) break;
          if (cell === null) {
            if (earliest !== null) sleepUntil(earliest);
            break;
          }
          // A socket host that died (READY 3, see sockets/channel.ts) will never wake us.
          if (Atomics.load(cell, 1) === 3) throw new WasiError(Errno.IO);
          Atomics.wait(cell, 0, gen, earliest === null ? Infinity : Number(earliest - t) / 1e6);
          gen = Atomics.load(cell, 0);
          emitReady();
        }
        if (earliest === null) break;
        // Clocks due by now come with whatever else is ready; with nothing, wait for the earliest left.
        const t = process.hrtime.bigint();
        earliest = null;
        for (const c of clocks) {
          if (due(c, t)) emit(c.userdata, Errno.SUCCESS, Eventtype.CLOCK, 0, 0);
          else if (earliest === null || c.deadline < earliest) earliest = c.deadline;
        }
        if (nevents > 0 || earliest === null) break;
      }
      mem.setU32(neventsPtr, nevents);
      return Errno.SUCCESS;
    },
  };
}
