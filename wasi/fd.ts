/**
 * Open file descriptions as the guest sees them. Each fd of the table is one
 * of these objects; syscalls decode guest memory, check rights, and call one
 * method here (browser_wasi_shim's Fd split). Methods throw WasiError.
 */
import { Errno, Filetype, Whence } from './abi.js';
import { WasiError } from './errors.js';
import type { DirEntry, DirHandle, FileHandle, Filestat, TimeSpec } from './fs/handle.js';
import type { DirRef } from './fs/resolve.js';

export abstract class Fd {
  /** rights (plain numbers: every defined bit is below 30). */
  rightsBase: number;
  rightsInheriting: number;
  abstract readonly filetype: Filetype;
  /** What this fd is, for traces: its guest path, or <stdout> and the like. */
  label = '';

  constructor(rightsBase: number, rightsInheriting: number) {
    this.rightsBase = rightsBase;
    this.rightsInheriting = rightsInheriting;
  }

  /** fdflags as fd_fdstat_get reports them. */
  get fdflags(): number {
    return 0;
  }
  setFdflags(_flags: number): void {
    throw new WasiError(Errno.NOTSUP);
  }

  read(_buf: Uint8Array, _off: number, _len: number): number {
    throw new WasiError(Errno.BADF);
  }
  write(_buf: Uint8Array, _off: number, _len: number): number {
    throw new WasiError(Errno.BADF);
  }
  pread(_buf: Uint8Array, _off: number, _len: number, _position: number): number {
    throw new WasiError(Errno.SPIPE);
  }
  pwrite(_buf: Uint8Array, _off: number, _len: number, _position: number): number {
    throw new WasiError(Errno.SPIPE);
  }
  seek(_offset: number, _whence: Whence): number {
    throw new WasiError(Errno.SPIPE);
  }
  tell(): number {
    throw new WasiError(Errno.SPIPE);
  }
  abstract filestat(): Filestat;
  setSize(_size: number): void {
    throw new WasiError(Errno.INVAL);
  }
  setTimes(_atim: TimeSpec, _mtim: TimeSpec): void {
    throw new WasiError(Errno.BADF);
  }
  allocate(_offset: number, _len: number): void {
    throw new WasiError(Errno.BADF);
  }
  sync(): void {}
  datasync(): void {}
  /** Bytes readable without blocking, for poll_oneoff (regular files: what is left). */
  readable(): number {
    return 0;
  }
  close(): void {}

  // Sockets (./sockets/guest-side.ts). Any other fd is not a socket.
  accept(_nonblocking: boolean): Fd {
    throw new WasiError(Errno.NOTSOCK);
  }
  /** One recv(2): waits for at least one byte unless non-blocking; `flags` are riflags. */
  recv(_buf: Uint8Array, _off: number, _len: number, _flags: number): number {
    throw new WasiError(Errno.NOTSOCK);
  }
  send(_buf: Uint8Array, _off: number, _len: number): number {
    throw new WasiError(Errno.NOTSOCK);
  }
  shutdown(_how: number): void {
    throw new WasiError(Errno.NOTSOCK);
  }

  /**
   * poll_oneoff: -1 if a read (or write) would block now, else the event's
   * nbytes. Files, directories and stdio never block (poll(2) on regular
   * files; a synchronous call cannot wait on stdin's event loop).
   */
  readiness(write: boolean): number {
    return write ? 0 : this.readable();
  }
  /** poll_oneoff's FD_READWRITE_HANGUP for a read (or write) subscription: that direction has ended. */
  hungUp(_write: boolean): boolean {
    return false;
  }
  /** The word a thread waits on (Atomics.wait) for this fd's readiness to change, or null if it never waits. */
  waitCell(): Int32Array | null {
    return null;
  }
  /** A socket (sock_* calls answer NOTSOCK for any other fd). */
  get isSocket(): boolean {
    return false;
  }
  /** A socket the host preopened (fd_prestat_get tells wasi-libc and Go to skip it, not to stop). */
  get isPreopenedSocket(): boolean {
    return false;
  }
}

/** A regular file (or device) opened by path_open. Owns its position. */
export class FileFd extends Fd {
  private position = 0;
  /** After an O_APPEND write the position is the end of file, known only after a stat. */
  private positionAtEnd = false;

  constructor(readonly handle: FileHandle, rightsBase: number, rightsInheriting: number, private flags: number) {
    super(rightsBase, rightsInheriting);
  }

  get filetype(): Filetype {
    return this.handle.filetype;
  }

  override get fdflags(): number {
    return this.flags;
  }

  override setFdflags(flags: number): void {
    // APPEND is the only flag that can change after open (as on Linux's F_SETFL).
    this.handle.setAppend((flags & 1) !== 0);
    this.flags = (this.flags & ~1) | (flags & 1);
  }

  private pos(): number {
    if (this.positionAtEnd) {
      this.position = Number(this.handle.stat().size);
      this.positionAtEnd = false;
    }
    return this.position;
  }

  override read(buf: Uint8Array, off: number, len: number): number {
    const n = this.handle.read(buf, off, len, this.pos());
    this.position += n;
    return n;
  }

  override write(buf: Uint8Array, off: number, len: number): number {
    if (this.handle.append) {
      const n = this.handle.write(buf, off, len, null);
      this.positionAtEnd = true;
      return n;
    }
    const n = this.handle.write(buf, off, len, this.pos());
    this.position += n;
    return n;
  }

  override pread(buf: Uint8Array, off: number, len: number, position: number): number {
    return this.handle.read(buf, off, len, position);
  }

  override pwrite(buf: Uint8Array, off: number, len: number, position: number): number {
    // pwrite on an O_APPEND fd appends on Linux; WASI (wasmtime) writes at the offset.
    return this.handle.write(buf, off, len, position);
  }

  override seek(offset: number, whence: Whence): number {
    let base: number;
    switch (whence) {
      case Whence.SET: base = 0; break;
      case Whence.CUR: base = this.pos(); break;
      case Whence.END: base = Number(this.handle.stat().size); break;
      default: throw new WasiError(Errno.INVAL);
    }
    const next = base + offset;
    if (next < 0 || !Number.isSafeInteger(next)) throw new WasiError(Errno.INVAL);
    this.positionAtEnd = false;
    this.position = next;
    return next;
  }

  override tell(): number {
    return this.pos();
  }

  filestat(): Filestat {
    return this.handle.stat();
  }

  override setSize(size: number): void {
    this.handle.setSize(size);
  }

  override setTimes(atim: TimeSpec, mtim: TimeSpec): void {
    this.handle.setTimes(atim, mtim);
  }

  override allocate(offset: number, len: number): void {
    this.handle.allocate(offset, len);
  }

  override sync(): void {
    this.handle.sync();
  }

  override datasync(): void {
    this.handle.datasync();
  }

  override readable(): number {
    return Math.max(0, Number(this.handle.stat().size) - this.pos());
  }

  override close(): void {
    this.handle.close();
  }
}

/** One entry of a directory listing as fd_readdir hands it out. */
interface ListedEntry extends DirEntry {
  ino: bigint | null;
  /** The name in UTF-8, encoded when first handed out. */
  utf8?: Uint8Array;
}

/** A directory: a preopen or one opened by path_open. */
export class DirFd extends Fd {
  readonly filetype = Filetype.DIRECTORY;
  /**
   * The listing fd_readdir serves. A cookie is an index into it, so cookies
   * stay stable while the guest reads in small pieces; cookie 0 (rewinddir)
   * takes a fresh listing, as getdents does after lseek(0).
   */
  private listing: ListedEntry[] | null = null;

  constructor(
    readonly ref: DirRef,
    rightsBase: number,
    rightsInheriting: number,
    /** Set for preopens: the guest path fd_prestat_dir_name reports. */
    readonly preopenPath: string | null = null,
  ) {
    super(rightsBase, rightsInheriting);
  }

  get dir(): DirHandle {
    return this.ref.handle;
  }

  override setFdflags(_flags: number): void {
    // Nothing to change on a directory; accepted as wasmtime does.
  }

  filestat(): Filestat {
    return this.dir.stat();
  }

  override setTimes(atim: TimeSpec, mtim: TimeSpec): void {
    this.dir.setTimes('.', atim, mtim);
  }

  override sync(): void {
    this.dir.sync();
  }

  override datasync(): void {
    this.dir.sync();
  }

  /** The listing from `cookie` on, with "." and ".." first. */
  entries(cookie: number): ListedEntry[] {
    if (cookie === 0 || this.listing === null) {
      const self = this.dir.stat();
      const list: ListedEntry[] = [
        { name: '.', filetype: Filetype.DIRECTORY, ino: self.ino },
        // The parent's inode is not ours to reveal at a sandbox root; report ours.
        { name: '..', filetype: Filetype.DIRECTORY, ino: self.ino },
      ];
      // readdir() hands out fresh objects: each becomes a listed entry in place (no copy per entry).
      for (const e of this.dir.readdir() as ListedEntry[]) {
        e.ino = null;
        list.push(e);
      }
      // Reading a directory sets its atime: a stat of it kept from its parent's listing is stale.
      this.ref.ns.statCache?.listed(self);
      this.listing = list;
    }
    return this.listing;
  }

  /**
   * d_ino of a listed entry, looked up when the guest first reads it. Where
   * the stat cache is on, the lstat taken for it is the whole filestat, kept
   * for the guest's stat of the entry that usually follows (see StatCache).
   */
  inoOf(entry: ListedEntry): bigint {
    if (entry.ino === null) {
      let ino: bigint | null = null;
      try {
        const cache = this.ref.ns.statCache;
        const dirId = cache?.active ? this.dir.identity() : null;
        if (dirId !== null) {
          const st = this.dir.lstat(entry.name);
          cache!.put(dirId, entry.name, st);
          ino = st.ino;
        } else {
          ino = this.dir.inode(entry.name);
        }
      } catch { /* unreadable or gone */ }
      entry.ino = ino ?? 0n; // 0: removed since the listing was taken
    }
    return entry.ino;
  }

  override close(): void {
    this.dir.close();
  }
}
