/**
 * Setting file times on the host exactly to the nanosecond.
 *
 * node:fs takes times as double seconds and libuv truncates them to whole
 * microseconds (uv__fs_to_timespec), so `futimes`/`lutimes` can only set
 * times that are whole microseconds; it also has no UTIME_OMIT. WASI asks for
 * nanoseconds and for "leave this one alone", and wasmtime honours both.
 * So: when every time we must write is a whole microsecond (the common case:
 * utimes(), touch, "now"), node:fs does it; otherwise coreutils' `touch`
 * sets the exact timespec (utimensat with UTIME_OMIT for the other time),
 * reaching the file through our own held fd in /proc — never a guest path.
 */
import { createRequire } from 'node:module';
import { Errno } from '../abi.js';
import { WasiError } from '../errors.js';
import type { TimeSpec } from './handle.js';

/** "now" for node:fs (which has no UTIME_NOW): the current time, read here. */
const now = (): number => Date.now() / 1000;

/** The double seconds libuv turns back into exactly `ns`, or null if there is none. */
function exactSeconds(ns: bigint): number | null {
  if (ns < 0n || ns % 1000n !== 0n) return null;
  const sec = ns / 1_000_000_000n;
  const nsec = Number(ns % 1_000_000_000n);
  const d = Number(sec) + nsec / 1e9;
  // Replay libuv: tv_sec = (time_t)d; tv_nsec = (d - tv_sec) * 1e9, truncated to µs.
  const s = Math.trunc(d);
  let n = Math.trunc((d - s) * 1e9);
  n -= n % 1000;
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
  const a = atim === 'now' ? now() : exactSeconds(atim ?? cur!.atim);
  const m = mtim === 'now' ? now() : exactSeconds(mtim ?? cur!.mtim);
  if (a !== null && m !== null) {
    t.set(a, m);
    return;
  }
  // Not expressible through node:fs: one `touch` per time to set, the other omitted.
  if (atim !== null) touch(t, '-a', atim);
  if (mtim !== null) touch(t, '-m', mtim);
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
  const r = spawnSync('touch', args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error) throw new WasiError(Errno.NOSYS);
  if (r.status !== 0) {
    const msg = r.stderr ?? '';
    throw new WasiError(/Permission denied/.test(msg) ? Errno.ACCES
      : /Read-only/.test(msg) ? Errno.ROFS
      : /No such file/.test(msg) ? Errno.NOENT
      : /Operation not permitted/.test(msg) ? Errno.PERM
      : Errno.IO);
  }
}

/** /proc/PID/fd/N: our fd as a path another process can open. */
export function sharedFdPath(fd: number): string | null {
  return process.platform === 'linux' ? `/proc/${process.pid}/fd/${fd}` : null;
}

