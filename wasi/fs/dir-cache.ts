/**
 * The resolver's cache of open directories (see DirCache below): the
 * directories a walk went through, kept open for the next walk through them.
 */
import type { DirHandle } from './handle.js';
import { nowMs } from '../now.js';


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
    if (this.walks++ === 0) this.now = nowMs();
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
    const e: CacheEntry = { parent, name, handle: child, id, checked: nowMs(), used: ++this.tick };
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
