/**
 * Setting file times on the host exactly to the nanosecond.
 *
 * node:fs takes times as double seconds, which libuv turns into a timespec
 * (uv__fs_to_timespec): before libuv 1.52 (Node 22 and older) truncated to
 * whole microseconds, so any whole microsecond lands exactly; from 1.52 on
 * (Node 24 and later, libuv#4951) the nanoseconds the double's fraction gives,
 * so only times a double of today's magnitude hits exactly (~1 in 240 ns), or
 * whole seconds. It also has no UTIME_OMIT. WASI asks for nanoseconds and for
 * "leave this one alone", and wasmtime honours both. So: when every time we
 * must write lands exactly through node:fs (utimes() and touch on Node 22 and
 * older, whole seconds, "now"), node:fs does it; otherwise coreutils' `touch`
 * sets the exact timespec (utimensat with UTIME_OMIT for the other time),
 * reaching the file through our own held fd in /proc — never a guest path.
 * Errors come from node:fs (errno codes), never from touch's localized text.
 */
import { createRequire } from 'node:module';
import { Errno } from '../abi.js';
import { WasiError } from '../errors.js';
import type { TimeSpec } from './handle.js';

/** "now" for node:fs (which has no UTIME_NOW): the current time, read here. */
const now = (): number => Date.now() / 1000;

/** Whether this Node's libuv cuts the times node:fs sets to whole microseconds (before 1.52). */
const [uvMajor, uvMinor = 0] = (process.versions.uv ?? '').split('.').map(Number);
const UV_MICROSECONDS = uvMajor === 1 && uvMinor < 52;

/** The double seconds libuv turns back into exactly `ns`, or null if there is none. */
function exactSeconds(ns: bigint): number | null {
  if (ns < 0n || (UV_MICROSECONDS && ns % 1000n !== 0n)) return null;
  const sec = ns / 1_000_000_000n;
  const nsec = Number(ns % 1_000_000_000n);
  const d = Number(sec) + nsec / 1e9;
  // Replay libuv: tv_sec = (time_t)d; tv_nsec = (d - tv_sec) * 1e9, truncated to µs before 1.52.
  const s = Math.trunc(d);
  let n = Math.trunc((d - s) * 1e9);
  if (UV_MICROSECONDS) n -= n % 1000;
  return s === Number(sec) && n === nsec ? d : null;
}

export interface TimesTarget {
  /** Path through our own fds that another process can use too (/proc/PID/fd/N[/NAME]). */
  sharedPath: string;
  /** Do not follow a symlink at the final component. */
  noFollow: boolean;
  /** Current times, for a time that must stay as it is. */
  current(): { atim: bigint; mtim: bigint };
  /** node:fs futimes/lutimes on the target, seconds or NOW. */
  set(atime: number, mtime: number): void;
}

export function setTimesExact(t: TimesTarget, atim: TimeSpec, mtim: TimeSpec): void {
  if (atim === null && mtim === null) return;
  const cur = atim === null || mtim === null ? t.current() : null;
  const aNs = atim ?? cur!.atim;
  const mNs = mtim ?? cur!.mtim;
  const a = aNs === 'now' ? null : exactSeconds(aNs);
  const m = mNs === 'now' ? null : exactSeconds(mNs);
  if ((a !== null || atim === 'now') && (m !== null || mtim === 'now')) {
    t.set(a ?? now(), m ?? now());
    return;
  }
  // Not expressible through node:fs. First set the nearest times with node:fs
  // anyway: it needs the same permission as the exact call (explicit times:
  // the owner), and its error carries the errno, where touch has only a
  // message in the user's language. Then touch writes, exactly, each time
  // node:fs could not: a "now" (to the nanosecond), a time off the
  // microsecond grid, and an omitted time that node:fs just rounded.
  t.set(a ?? approxSeconds(aNs), m ?? approxSeconds(mNs));
  if (a === null) touch(t, '-a', aNs);
  if (m === null) touch(t, '-m', mNs);
}

/** Seconds as a double, to the nearest representable time. */
function approxSeconds(ns: bigint | 'now'): number {
  return ns === 'now' ? now() : Number(ns) / 1e9;
}

function touch(t: TimesTarget, which: '-a' | '-m', time: bigint | 'now'): void {
  const args = [which, '-c'];
  if (t.noFollow) args.push('-h');
  if (time !== 'now') {
    const sec = time / 1_000_000_000n;
    const nsec = (time % 1_000_000_000n).toString().padStart(9, '0');
    args.push('-d', `@${sec}.${nsec}`);
  }
  args.push('--', t.sharedPath);
  // Loaded on first use: child_process costs start-up time and is rarely needed.
  const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  const r = spawnSync('touch', args, { stdio: 'ignore' });
  if (r.error) throw new WasiError(Errno.NOSYS);
  // node:fs just did the same on the same file and reported nothing: only a
  // race (the file changed hands in between) gets here. Its message is never
  // parsed (it is localized): no errno to tell.
  if (r.status !== 0) throw new WasiError(Errno.IO);
}

/** /proc/PID/fd/N: our fd as a path another process can open. */
export function sharedFdPath(fd: number): string | null {
  return process.platform === 'linux' ? `/proc/${process.pid}/fd/${fd}` : null;
}

