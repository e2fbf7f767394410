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
import type { DirCache } from './dir-cache.js';
import type { DirHandle } from './handle.js';
import { type StatCache, fsMayHaveChanged } from './stat-cache.js';

export { DirCache } from './dir-cache.js';

/** Linux's MAXSYMLINKS; cap-std uses the same budget. */
const MAX_SYMLINKS = 40;
/** What a path that tries to leave its sandbox gets (wasmtime: PERM). */
export const ESCAPE_ERRNO = Errno.PERM;

/** What sits at a mount point: a directory root, or a single entry `name` of `dir` (a file bind mount). */
export interface MountTarget {
  dir: DirHandle;
  name: string | null;
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
  if (path.length === 0) throw new WasiError(Errno.NOENT);
  if (path.includes('\0')) throw new WasiError(Errno.INVAL);
  if (start.ns.mounts.size === 0) {
    const r = plainPath(start, path, rule === 'follow', op);
    if (r !== MISS) return r;
  }
  return new Walk(start).run(path, rule, op);
}

const MISS: unique symbol = Symbol('miss');

/**
 * The common case without building a Walk: a path of plain components
 * ("file", "d1/d2/file") whose directories, if any, the DirCache holds, as
 * most calls' and a tree walk's paths are — the same lookups the Walk makes
 * (DirCache.get of each directory, then `op`). Anything else — "", ".",
 * "..", "//", a trailing "/", an absolute path, a directory not cached, a
 * symlink to follow at the end — is a MISS, and the caller walks the whole
 * path with a Walk (a MISS has run nothing but lookups and the final `op`
 * that found a symlink to follow).
 */
function plainPath<T>(start: DirRef, path: string, follow: boolean, op: FinalOp<T>): T | typeof MISS {
  let slash = path.indexOf('/');
  if (slash < 0) {
    // One component: no directory to walk through ("." is the start itself).
    if (path === '..') return MISS;
    return finalOrMiss(start.handle, path, follow, start.guestPath, op);
  }
  const cache = start.ns.dirCache;
  if (cache === undefined) return MISS;
  cache.enter();
  try {
    let dir = start.handle;
    const comps: string[] = [];
    let i = 0;
    for (; slash >= 0; slash = path.indexOf('/', i)) {
      const name = path.slice(i, slash);
      if (name === '' || name === '.' || name === '..') return MISS;
      const next = cache.get(dir, name);
      if (next === null) return MISS;
      dir = next;
      comps.push(name);
      i = slash + 1;
    }
    const name = path.slice(i);
    if (name === '' || name === '.' || name === '..') return MISS;
    return finalOrMiss(dir, name, follow, start.guestPath.length === 0 ? comps : start.guestPath.concat(comps), op);
  } finally {
    cache.leave();
  }
}

/** `op` on the final component; MISS when it is a symlink the caller asked to follow (the Walk follows it). */
function finalOrMiss<T>(dir: DirHandle, name: string, follow: boolean, guestPath: readonly string[], op: FinalOp<T>): T | typeof MISS {
  try {
    return op(dir, name, false, guestPath);
  } catch (e) {
    if (follow && isSymlinkRefusal(e, dir, name)) return MISS;
    throw e;
  }
}

/**
 * Did an operation on `name` fail because it is a symlink (ELOOP, or
 * ENOTDIR from O_NOFOLLOW|O_DIRECTORY on Linux)? The one rule every path
 * to the final component uses before following a link there.
 */
function isSymlinkRefusal(e: unknown, dir: DirHandle, name: string): boolean {
  return isNotDirOrLoop(e) && dir.lstat(name).filetype === Filetype.SYMBOLIC_LINK;
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
          if (!(rule === 'follow' || (rule === 'lookup' && mustBeDir)) || !isSymlinkRefusal(e, top, name)) throw e;
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
