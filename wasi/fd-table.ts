import { Errno } from './abi.js';
import { WasiError } from './errors.js';
import type { Fd } from './fd.js';

/**
 * fd number → open file description. New fds take the lowest free number,
 * as wasmtime and POSIX do.
 */
export class FdTable {
  private readonly fds: Array<Fd | undefined> = [];
  private lowestFree = 0;

  /** The fd, if it exists and holds every right in `rights`. */
  get(fd: number, rights: number): Fd {
    const entry = this.fds[fd];
    if (entry === undefined) throw new WasiError(Errno.BADF);
    if ((entry.rightsBase & rights) !== rights) throw new WasiError(Errno.NOTCAPABLE);
    return entry;
  }

  /** The fd without a rights check (fdstat, close). */
  lookup(fd: number): Fd {
    const entry = this.fds[fd];
    if (entry === undefined) throw new WasiError(Errno.BADF);
    return entry;
  }

  has(fd: number): boolean {
    return this.fds[fd] !== undefined;
  }

  insert(entry: Fd): number {
    let fd = this.lowestFree;
    while (this.fds[fd] !== undefined) fd++;
    this.fds[fd] = entry;
    this.lowestFree = fd + 1;
    return fd;
  }

  /** Put `entry` at exactly `fd` (stdio and preopens at start-up). */
  set(fd: number, entry: Fd): void {
    this.fds[fd] = entry;
  }

  /** Remove fd from the table and return what it held. */
  remove(fd: number): Fd {
    const entry = this.lookup(fd);
    this.fds[fd] = undefined;
    if (fd < this.lowestFree) this.lowestFree = fd;
    return entry;
  }

  /** fd_renumber: `to` is closed and replaced by `from`'s description. */
  renumber(from: number, to: number): Fd | undefined {
    const entry = this.lookup(from);
    const old = this.lookup(to);
    if (from === to) return undefined;
    this.fds[to] = entry;
    this.fds[from] = undefined;
    if (from < this.lowestFree) this.lowestFree = from;
    return old;
  }

  *entries(): IterableIterator<[number, Fd]> {
    for (let fd = 0; fd < this.fds.length; fd++) {
      const e = this.fds[fd];
      if (e !== undefined) yield [fd, e];
    }
  }
}
