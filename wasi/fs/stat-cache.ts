/**
 * The lstat fd_readdir takes of each entry (for d_ino) kept for a moment, to
 * answer the guest's own path_filestat_get of that entry without a second
 * lstat. A directory walk (readdir, then stat every entry: nftw, du, ls -l,
 * find) makes both calls for every entry; through the race-free sandbox
 * (`/proc/<pid>/fd/N/NAME`) each lstat costs ~3.5 µs of kernel time, and
 * the two were half of a walk's host time.
 *
 * When is a kept stat what a fresh lstat would return? When nothing has
 * changed the entry since. Three sources of change, three rules:
 *
 *  1. The guest itself. Every WASI call that may change a file or its times,
 *     or waits for or reads from the outside world, calls
 *     `fsMayHaveChanged()` before it runs (WasiBase's guard; the calls that
 *     cannot are marked `keepsStatsFresh` in wasi/functions.ts): writes, reads
 *     (atime), creates, renames, truncation, set-times, poll, sockets,
 *     proc_exit... Two host syscalls of read-only calls change times as well
 *     and are handled where they happen: the resolver's readlink (the link's
 *     atime: `fsMayHaveChanged()` there too) and a fresh getdents of a
 *     directory (its own atime: `listed()` forgets that one directory's
 *     stat). The counter is one for all instances on this thread, so an
 *     instance on the same thread changing a shared directory counts too.
 *  2. Everyone else: other processes, other threads, and code outside WASI
 *     (the embedder between calls to a reactor's exports). A kept stat is
 *     used for at most MAX_AGE_MS after its lstat, and only while a command
 *     runs (`start()`): a reactor's guest runs inside calls from code we do
 *     not see, so it never gets one. Within that window a stat can miss a
 *     concurrent change by another process, as if the stat had run a few
 *     milliseconds earlier. A change the guest heard of through a read,
 *     a pipe, poll or sleep is never missed (those calls mark the stats
 *     stale, rule 1); one it infers from the stat of another entry, or from
 *     the clock alone (clock_time_get is on the read-only list: it is the
 *     hottest call there is), can be, within the window. 5 ms: a walk stats
 *     a directory's entries microseconds after listing them, so a longer
 *     window would buy nothing but staleness.
 *  3. The embedder's own imports, which the guest may call between WASI
 *     calls and which we cannot see: an embedder whose imports change files
 *     in a preopen turns the cache off (WASIOptions.statCache: false).
 *
 * Bounded: stats live in two generations of MAX_AGE_MS each, so what is
 * held is what was lstat'ed in the last 2 × MAX_AGE_MS. Keyed by the
 * directory's identity (dev, inode, birth time: DirHandle.identity), not by
 * handle: the guest lists a directory through the fd it opened, and stats
 * its entries through a path the resolver walks with other handles.
 */
import { Filetype } from '../abi.js';
import type { Filestat } from './handle.js';
import { nowMs } from '../now.js';


let epoch = 0;

/** Something may have changed a file: every kept stat is stale. */
export function fsMayHaveChanged(): void {
  epoch++;
}

interface Kept {
  readonly st: Filestat;
  /** performance.now() of the lstat; -Infinity once forgotten. */
  at: number;
}

/**
 * One generation: entry stats by directory identity, then by name, and the
 * kept stats of directories by inode. Nested maps rather than one map keyed
 * by `dirId + '/' + name`: a walk puts and gets one entry per name, and the
 * concatenated key was a new string to build and hash every time (a quarter
 * of the JS time per entry), while `dirId` is the one string the handle keeps
 * and `name` is hashed once.
 */
class Generation {
  readonly byDir = new Map<string, Map<string, Kept>>();
  /** A directory's kept stat by its inode (the dev is checked on use). */
  readonly byIno = new Map<bigint, Kept>();
  size = 0;

  entry(dirId: string, name: string): Kept | undefined {
    return this.byDir.get(dirId)?.get(name);
  }

  clear(): void {
    if (this.size === 0) return;
    this.byDir.clear();
    this.byIno.clear();
    this.size = 0;
  }
}

export class StatCache {
  /** How long a kept stat may answer (see rule 2 above). */
  static readonly MAX_AGE_MS = 5;
  /** Off outside WasiBase.start(), and when the embedder says so. */
  active = false;
  private young = new Generation();
  private old = new Generation();
  /** When `young` was started. */
  private since = 0;
  /** The epoch the kept stats belong to. */
  private epoch = -1;

  /** Keep `st`, the lstat of entry `name` of the directory whose identity is `dirId`, just taken. */
  put(dirId: string, name: string, st: Filestat): void {
    if (!this.active) return;
    const now = nowMs();
    if (this.epoch !== epoch || now - this.since >= 2 * StatCache.MAX_AGE_MS) {
      this.young.clear();
      this.old.clear();
      this.epoch = epoch;
      this.since = now;
    } else if (now - this.since >= StatCache.MAX_AGE_MS) {
      const old = this.old;
      old.clear();
      this.old = this.young;
      this.young = old; // reused: no new maps every 5 ms
      this.since = now;
    }
    const kept: Kept = { st, at: now };
    const young = this.young;
    let names = young.byDir.get(dirId);
    if (names === undefined) young.byDir.set(dirId, (names = new Map()));
    names.set(name, kept);
    young.size++;
    // A directory is found again by its inode when it is listed (see listed()).
    if (st.filetype === Filetype.DIRECTORY) {
      // One slot per inode: a stat it displaces (another device's inode of the same
      // number, or the same directory reached through a second name) could no longer
      // be found by listed(), so it is forgotten now.
      const prev = young.byIno.get(st.ino);
      if (prev !== undefined) prev.at = -Infinity;
      young.byIno.set(st.ino, kept);
    }
  }

  /** The kept lstat of `name` in the directory `dirId`, if still fresh; null otherwise. */
  get(dirId: string, name: string): Filestat | null {
    if (!this.active || this.epoch !== epoch) return null;
    const kept = this.young.entry(dirId, name) ?? this.old.entry(dirId, name);
    if (kept === undefined || nowMs() - kept.at >= StatCache.MAX_AGE_MS) return null;
    return kept.st;
  }

  /** The directory `self` (its fstat) was just read (getdents): its atime may have moved, forget its stat. */
  listed(self: Filestat): void {
    forget(this.young, self);
    forget(this.old, self);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }
}

function forget(g: Generation, self: Filestat): void {
  if (g.size === 0) return;
  const kept = g.byIno.get(self.ino);
  if (kept !== undefined && kept.st.dev === self.dev) kept.at = -Infinity;
}
