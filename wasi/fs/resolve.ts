/**
 * The path resolver: the one place where guest path text becomes a
 * (directory handle, final name) pair. It walks one component at a time
 * through DirHandles — never handing a joined path to a backend — follows
 * symlinks itself, keeps `..` inside the sandbox and crosses mount points.
 *
 * Two sandbox rules, chosen per namespace:
 *  - 'capability' (wasmtime/cap-std, `tswasi run --dir`): the directory a call
 *    starts from is the root of that call; `..` above it, absolute paths and
 *    absolute symlink targets are refused.
 *  - 'chroot' (OCI containers): the namespace root is `/`; `..` at `/` stays
 *    at `/`, and absolute paths and symlink targets start again at `/`, as a
 *    process under chroot would see them.
 */
import { Errno, Filetype } from '../abi.js';
import { WasiError } from '../errors.js';
import type { DirHandle } from './handle.js';
import { type StatCache, fsMayHaveChanged } from './stat-cache.js';

/** Node's global `performance` is a lazy accessor, run on every use: read it once. */
const clock = globalThis.performance;

/** Linux's MAXSYMLINKS; cap-std uses the same budget. */
const MAX_SYMLINKS = 40;
/** What a path that tries to leave its sandbox gets (wasmtime: PERM). */
export const ESCAPE_ERRNO = Errno.PERM;

/** What sits at a mount point: a directory root, or a single entry `name` of `dir` (a file bind mount). */
export interface MountTarget {
  dir: DirHandle;
  name: string | null;
}

/**
 * Open intermediate directories kept for the next walk through them, so a
 * path like "dir/file" costs one syscall, not three (open "dir", act,
 * close). The guest's own renames and rmdirs clear the cache; for changes
 * made by others, an entry is re-checked (one lstat: is that entry still this
 * very directory?) once it is older than VALIDITY_MS. Safety does not rest
 * on that check: a cached handle is a directory that was inside the sandbox,
 * held open like any directory fd, and never follows a symlink put in its
 * place. Bounded: when full, the least recently used entry (with the entries
 * below it) is dropped, so a walk over more directories than fit (a tree
 * walk, depth first) keeps the directories it is in. A dropped handle may be
 * one a walk is standing in, so handles are closed only when no walk is under
 * way (enter/leave). Closed with the WASI instance.
 */
export class DirCache {
  private static readonly MAX = 128;
  private static readonly VALIDITY_MS = 20;
  private readonly entries = new Map<DirHandle, Map<string, CacheEntry>>();
  /** Every entry; the least recently used is the one with the smallest `used`. */
  private readonly all = new Set<CacheEntry>();
  /** Ticks once per hit: an entry's `used` says when it was last walked through. */
  private tick = 0;
  /** performance.now() when the outermost walk started: a walk is one instant for the re-check. */
  private now = 0;
  /** Dropped handles, closed when the last walk leaves. */
  private readonly doomed = new Set<DirHandle>();
  private walks = 0;

  /** A walk starts: nothing it may stand in is closed until it leaves. */
  enter(): void {
    if (this.walks++ === 0) this.now = clock.now();
  }

  leave(): void {
    if (--this.walks === 0 && this.doomed.size > 0) this.closeDoomed();
  }

  private closeDoomed(): void {
    for (const h of this.doomed) { try { h.close(); } catch { /* already gone */ } }
    this.doomed.clear();
  }

  /** The cached child `name` of `parent`, if the entry there is still the same directory. Only within a walk (enter). */
  get(parent: DirHandle, name: string): DirHandle | null {
    const byName = this.entries.get(parent);
    if (byName === undefined) return null;
    const hit = byName.get(name);
    if (hit === undefined) return null;
    if (this.now - hit.checked >= DirCache.VALIDITY_MS) {
      let id: string | null = null;
      try { id = parent.identity(name); } catch { /* gone */ }
      if (id !== hit.id) {
        this.drop(hit);
        return null;
      }
      hit.checked = this.now;
    }
    hit.used = ++this.tick;
    return hit.handle;
  }

  /**
   * Keep `child` (just opened as `name` of `parent`); false when it cannot be
   * cached or `name` is cached already (the caller closes it).
   */
  put(parent: DirHandle, name: string, child: DirHandle): boolean {
    if (this.doomed.has(parent) || this.entries.get(parent)?.has(name)) return false;
    const id = child.identity();
    if (id === null) return false;
    if (this.all.size >= DirCache.MAX) {
      // A scan of MAX entries per eviction costs less than keeping an ordered
      // list up to date on every hit (a walk hits several entries per path).
      let oldest: CacheEntry | undefined;
      for (const e of this.all) if (oldest === undefined || e.used < oldest.used) oldest = e;
      this.drop(oldest!);
      if (this.doomed.has(parent)) return false; // the parent was below the dropped entry
    }
    let byName = this.entries.get(parent);
    if (byName === undefined) this.entries.set(parent, (byName = new Map()));
    const e: CacheEntry = { parent, name, handle: child, id, checked: clock.now(), used: ++this.tick };
    byName.set(name, e);
    this.all.add(e);
    return true;
  }

  /** Forget an entry and every cached entry below it; their handles close when no walk is under way. */
  private drop(e: CacheEntry): void {
    const byName = this.entries.get(e.parent);
    if (byName !== undefined) {
      byName.delete(e.name);
      if (byName.size === 0) this.entries.delete(e.parent);
    }
    this.all.delete(e);
    const children = this.entries.get(e.handle);
    this.entries.delete(e.handle);
    if (children !== undefined) for (const c of children.values()) this.drop(c);
    this.doomed.add(e.handle);
    if (this.walks === 0) this.closeDoomed();
  }

  clear(): void {
    for (const e of this.all) this.doomed.add(e.handle);
    this.entries.clear();
    this.all.clear();
    if (this.walks === 0) this.closeDoomed();
  }
}

interface CacheEntry {
  readonly parent: DirHandle;
  readonly name: string;
  readonly handle: DirHandle;
  readonly id: string;
  checked: number;
  used: number;
}

export interface Namespace {
  readonly mode: 'capability' | 'chroot';
  /** Open directories reused across walks (see DirCache). */
  readonly dirCache?: DirCache;
  /** Entry stats fd_readdir took, for the guest's next stat of them (see StatCache). */
  readonly statCache?: StatCache;
  /** The namespace's `/` (chroot mode). */
  readonly root: DirHandle;
  /** Mounts below the root, keyed by normalised guest path ("/data", "/etc/hosts"). */
  readonly mounts: ReadonlyMap<string, MountTarget>;
}

/** Where a directory fd is: its handle, its namespace, and its guest path from the namespace root. */
export interface DirRef {
  readonly handle: DirHandle;
  readonly ns: Namespace;
  readonly guestPath: readonly string[];
}

/**
 * The final step of a path operation. `dir` is the parent and `name` one
 * component of it ("." for the directory itself); `mustBeDir` is set when the
 * path ended in "/". To ask for a symlink at `name` to be followed, throw
 * WasiError(LOOP): the resolver follows it when the caller asked for that and
 * calls `op` again on the target.
 */
export type FinalOp<T> = (dir: DirHandle, name: string, mustBeDir: boolean, guestPath: readonly string[]) => T;

const SYMLINK = new WasiError(Errno.LOOP);
/** Throw this from a FinalOp when `name` turned out to be a symlink. */
export function symlinkHere(): never {
  throw SYMLINK;
}

/** The errors an operation on a symlink with O_NOFOLLOW (and perhaps O_DIRECTORY) gives. */
function isLoop(e: unknown): boolean {
  return e instanceof WasiError ? e.errno === Errno.LOOP : (e as { code?: string } | null)?.code === 'ELOOP';
}

function isNotDirOrLoop(e: unknown): boolean {
  if (isLoop(e)) return true;
  return e instanceof WasiError ? e.errno === Errno.NOTDIR : (e as { code?: string } | null)?.code === 'ENOTDIR';
}

/**
 * How the final component is treated:
 *  - 'follow': a symlink there is followed (LOOKUP_SYMLINK_FOLLOW);
 *  - 'lookup': followed only when the path ends in "/" (POSIX lookup: open, stat);
 *  - 'entry': never followed — the operation acts on the directory entry itself
 *    (unlink, rmdir, rename, link, readlink, symlink), so "link/" must not
 *    silently reach the link's target.
 */
export type FinalRule = 'follow' | 'lookup' | 'entry';

/** The rule for calls whose only choice is LOOKUP_SYMLINK_FOLLOW. */
export function lookupRule(follow: boolean): FinalRule {
  return follow ? 'follow' : 'lookup';
}

/** Resolve `path` from `start` and run `op` on its final component. */
export function resolve<T>(start: DirRef, path: string, rule: FinalRule, op: FinalOp<T>): T {
  const follow = rule === 'follow';
  if (path.length === 0) throw new WasiError(Errno.NOENT);
  if (path.includes('\0')) throw new WasiError(Errno.INVAL);
  // Fast path: one plain component, no mounts to consult, no symlink to follow.
  if (start.ns.mounts.size === 0 && path.indexOf('/') < 0 && path !== '..') {
    try {
      return op(start.handle, path, false, start.guestPath);
    } catch (e) {
      if (!follow || !isNotDirOrLoop(e) || start.handle.lstat(path).filetype !== Filetype.SYMBOLIC_LINK) throw e;
    }
  } else if (start.ns.mounts.size === 0 && start.ns.dirCache !== undefined) {
    const r = throughCache(start, start.ns.dirCache, path, follow, op);
    if (r !== MISS) return r;
  }
  return new Walk(start).run(path, rule, op);
}

const MISS: unique symbol = Symbol('miss');

/**
 * Fast path for a path of plain components ("d1/d2/file") whose directories
 * the DirCache holds, as a tree walk's paths are: the same lookups the Walk
 * makes (DirCache.get of each directory, then `op`), without building one.
 * Anything else -- "", ".", "..", "//", a trailing "/", an absolute path, a
 * directory not cached, a symlink to follow at the end -- is a MISS, and the
 * caller walks the whole path again with a Walk.
 */
function throughCache<T>(start: DirRef, cache: DirCache, path: string, follow: boolean, op: FinalOp<T>): T | typeof MISS {
  cache.enter();
  try {
    let dir = start.handle;
    const comps: string[] = [];
    let i = 0;
    for (let j = path.indexOf('/'); j >= 0; j = path.indexOf('/', i)) {
      const name = path.slice(i, j);
      if (name === '' || name === '.' || name === '..') return MISS;
      const next = cache.get(dir, name);
      if (next === null) return MISS;
      dir = next;
      comps.push(name);
      i = j + 1;
    }
    const name = path.slice(i);
    if (name === '' || name === '.' || name === '..') return MISS;
    try {
      return op(dir, name, false, start.guestPath.length === 0 ? comps : start.guestPath.concat(comps));
    } catch (e) {
      if (!follow || !isNotDirOrLoop(e) || dir.lstat(name).filetype !== Filetype.SYMBOLIC_LINK) throw e;
      return MISS; // the Walk follows it
    }
  } finally {
    cache.leave();
  }
}

class Walk {
  /** Open directories from the walk's start (index 0, not ours to close) to the current one. */
  private readonly stack: DirHandle[];
  private readonly owned: boolean[];
  /** Guest path of the current directory, from the namespace root. */
  private guest: string[];
  /** Components still to walk, and the index of the next one. */
  private pending: string[] = [];
  private next = 0;
  private links = 0;
  private readonly ns: Namespace;

  constructor(start: DirRef) {
    this.ns = start.ns;
    this.stack = [start.handle];
    this.owned = [false];
    this.guest = start.guestPath.slice();
  }

  run<T>(path: string, rule: FinalRule, op: FinalOp<T>): T {
    this.ns.dirCache?.enter();
    try {
      this.load(path, []);
      for (;;) {
        const { name, mustBeDir } = this.walkToFinal();
        const top = this.stack[this.stack.length - 1]!;
        if (name === '.') return op(top, '.', true, this.guest);
        const mount = this.mountAt(name);
        if (mount !== null) {
          if (mount.name === null) return op(mount.dir, '.', true, [...this.guest, name]);
          return op(mount.dir, mount.name, mustBeDir, this.guest);
        }
        try {
          return op(top, name, mustBeDir, this.guest);
        } catch (e) {
          // A lookup through "link/" follows the link, as POSIX says, even without SYMLINK_FOLLOW.
          // (O_NOFOLLOW|O_DIRECTORY on a symlink fails with NOTDIR, not LOOP, on Linux.)
          if (!(rule === 'follow' || (rule === 'lookup' && mustBeDir)) || !isNotDirOrLoop(e)) throw e;
          if (top.lstat(name).filetype !== Filetype.SYMBOLIC_LINK) throw e;
          this.load(this.readlink(top, name), mustBeDir ? [''] : []);
        }
      }
    } finally {
      this.release(0);
      this.ns.dirCache?.leave();
    }
  }

  /** Make `path` (then `rest`) the components to walk; an absolute path restarts at the root. */
  private load(path: string, rest: string[]): void {
    if (path.startsWith('/')) this.restartAtRoot();
    const comps = path.split('/');
    for (const c of rest) comps.push(c);
    this.pending = comps;
    this.next = 0;
  }

  /** The components after the next one, for a restart. */
  private remaining(): string[] {
    return this.pending.slice(this.next);
  }

  /**
   * Walk every component but the last one; return the last, or "." when the
   * path names the current directory itself ("a/..", ".", "a/.").
   * `mustBeDir` is set when only slashes follow the last component.
   */
  private walkToFinal(): { name: string; mustBeDir: boolean } {
    for (;;) {
      let name: string | undefined;
      while ((name = this.pending[this.next++]) !== undefined && (name === '' || name === '.'));
      if (name === undefined) return { name: '.', mustBeDir: true };
      let k = this.next;
      while (k < this.pending.length && this.pending[k] === '') k++;
      const last = k === this.pending.length;
      if (name === '..') {
        this.up();
        continue;
      }
      if (last) return { name, mustBeDir: k > this.next };
      this.descend(name);
    }
  }

  private descend(name: string): void {
    const top = this.stack[this.stack.length - 1]!;
    const mount = this.mountAt(name);
    if (mount !== null) {
      if (mount.name !== null) throw new WasiError(Errno.NOTDIR);
      this.push(mount.dir, false, name);
      return;
    }
    const cache = this.ns.dirCache;
    const cached = cache?.get(top, name) ?? null;
    if (cached !== null) {
      this.push(cached, false, name);
      return;
    }
    let child: DirHandle;
    try {
      child = top.openDir(name);
    } catch (e) {
      if (!isNotDirOrLoop(e)) throw e;
      if (top.lstat(name).filetype !== Filetype.SYMBOLIC_LINK) throw new WasiError(Errno.NOTDIR);
      // A symlink in the middle of the path: walk its target, then the rest.
      this.load(this.readlink(top, name), ['', ...this.remaining()]);
      return;
    }
    // Cached handles belong to the cache; only uncached ones are ours to close.
    this.push(child, !(cache?.put(top, name, child) ?? false), name);
  }

  /** `..`: pop, or at the walk's start apply the namespace's rule. */
  private up(): void {
    if (this.stack.length > 1) {
      this.release(this.stack.length - 1);
      this.guest.pop();
      return;
    }
    if (this.ns.mode === 'capability') throw new WasiError(ESCAPE_ERRNO);
    if (this.guest.length === 0) return; // `..` at `/` is `/`
    // Above the start but inside the namespace: walk again from the root.
    const again = [...this.guest.slice(0, -1), ...this.remaining()];
    this.restartAtRoot();
    this.pending = again.length > 0 ? again : ['.'];
    this.next = 0;
  }

  private restartAtRoot(): void {
    if (this.ns.mode === 'capability') throw new WasiError(ESCAPE_ERRNO);
    this.release(1);
    this.stack[0] = this.ns.root;
    this.owned[0] = false;
    this.guest = [];
  }

  private readlink(dir: DirHandle, name: string): string {
    if (++this.links > MAX_SYMLINKS) throw new WasiError(Errno.LOOP);
    fsMayHaveChanged(); // readlink(2) sets the link's atime
    const target = dir.readlink(name);
    if (target.length === 0) throw new WasiError(Errno.NOENT);
    return target;
  }

  private push(dir: DirHandle, owned: boolean, name: string): void {
    this.stack.push(dir);
    this.owned.push(owned);
    this.guest.push(name);
  }

  /** Close owned handles from index `from` up, and drop them from the stack. */
  private release(from: number): void {
    for (let j = this.stack.length - 1; j >= from; j--) {
      if (this.owned[j]) {
        try { this.stack[j]!.close(); } catch { /* already gone */ }
      }
    }
    this.stack.length = from;
    this.owned.length = from;
  }

  private mountAt(name: string): MountTarget | null {
    if (this.ns.mounts.size === 0) return null;
    return this.ns.mounts.get('/' + [...this.guest, name].join('/')) ?? null;
  }
}
