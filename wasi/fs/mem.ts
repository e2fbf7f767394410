/**
 * The in-memory backend: a memfs Volume, for tmpfs mounts and per-call
 * volumes. memfs has a path API only, so a MemDir holds the memfs Link of its
 * directory (which follows renames) and names one component below it. Paths
 * handed to memfs are canonical — built from Links, never from guest text —
 * and memfs runs synchronously on this thread, so nothing can change between
 * our lstat and the operation that follows it.
 */
import type { Volume } from 'memfs';
import { Errno, Filetype } from '../abi.js';
import { WasiError } from '../errors.js';
import type { DirEntry, DirHandle, FileHandle, Filestat, OpenRequest, TimeSpec } from './handle.js';
import { filestatOf, filetypeOfMode } from './stat.js';
import { DEFAULT_VOLUME_LIMIT, VolumeQuota } from './mem-quota.js';

/** The part of memfs's Link we rely on (public fields of @jsonjoy.com/fs-core's Link). */
interface MemLink {
  parent: MemLink | undefined;
  getPath(): string;
  getName(): string;
  getChild(name: string): MemLink | undefined;
}

/** The part of memfs's open file we read (public fields of @jsonjoy.com/fs-core's File). */
interface MemOpenFile {
  position: number;
  node: { getSize(): number };
}

const O = { RDONLY: 0, WRONLY: 1, RDWR: 2, CREAT: 0o100, EXCL: 0o200, TRUNC: 0o1000 } as const;

function roCheck(readonly: boolean): void {
  if (readonly) throw new WasiError(Errno.ROFS);
}

function seconds(t: TimeSpec, currentNs: bigint): number {
  if (t === 'now') return Date.now() / 1000;
  return Number((t === null ? currentNs : t) / 1000n) / 1e6;
}

class MemFile implements FileHandle {
  readonly kind = 'file';
  readonly filetype = Filetype.REGULAR_FILE;
  constructor(
    private readonly vol: Volume,
    private readonly fd: number,
    public append: boolean,
    readonly readonly: boolean,
    private readonly quota: VolumeQuota,
  ) {}

  /** memfs's open file (@jsonjoy.com/fs-core's File): its size and position without an fstat's Stats object per write. */
  private file(): MemOpenFile {
    return this.vol._core.getFileByFd(this.fd) as unknown as MemOpenFile;
  }

  private size(): number {
    return this.file().node.getSize();
  }

  read(buf: Uint8Array, off: number, len: number, position: number | null): number {
    return this.vol.readSync(this.fd, buf, off, len, position);
  }

  write(buf: Uint8Array, off: number, len: number, position: number | null): number {
    // memfs cannot change an fd's flags later, so O_APPEND is ours: one
    // thread, so "seek to end, write" is atomic here.
    const file = this.file();
    const size = file.node.getSize();
    if (this.append) position = size;
    this.quota.grow(size, (position ?? file.position) + len);
    return this.vol.writeSync(this.fd, buf, off, len, position);
  }

  stat(): Filestat {
    return filestatOf(this.vol.fstatSync(this.fd, { bigint: true }) as never);
  }

  setSize(size: number): void {
    roCheck(this.readonly);
    this.quota.grow(this.size(), size);
    this.vol.ftruncateSync(this.fd, size);
  }

  setTimes(atim: TimeSpec, mtim: TimeSpec): void {
    roCheck(this.readonly);
    const st = this.stat();
    this.vol.futimesSync(this.fd, seconds(atim, st.atim), seconds(mtim, st.mtim));
  }

  allocate(offset: number, len: number): void {
    roCheck(this.readonly);
    const size = this.size();
    if (offset + len > size) {
      this.quota.grow(size, offset + len);
      this.vol.ftruncateSync(this.fd, offset + len);
    }
  }

  setAppend(append: boolean): void {
    this.append = append;
  }

  sync(): void {}
  datasync(): void {}

  close(): void {
    this.vol.closeSync(this.fd);
  }
}

export class MemDir implements DirHandle {
  readonly kind = 'dir';
  readonly filetype = Filetype.DIRECTORY;

  constructor(
    private readonly vol: Volume,
    private readonly node: MemLink,
    readonly readonly: boolean,
    private readonly quota: VolumeQuota,
  ) {}

  /** A directory of a memfs volume as a preopen or mount root. */
  static open(vol: Volume, path = '/', readonly = false, limit = DEFAULT_VOLUME_LIMIT): MemDir {
    const link = vol._core.getResolvedLinkOrThrow(path) as unknown as MemLink;
    const dir = new MemDir(vol, link, readonly, new VolumeQuota(vol, limit));
    if (dir.stat().filetype !== Filetype.DIRECTORY) throw new WasiError(Errno.NOTDIR);
    return dir;
  }

  get device(): object {
    return this.vol;
  }

  /** The canonical path of this directory now; NOENT once it has been removed. */
  private path(): string {
    const l = this.node;
    // memfs's root link is its own parent.
    if (l.parent !== undefined && l.parent !== l && l.parent.getChild(l.getName()) !== l) {
      throw new WasiError(Errno.NOENT);
    }
    return l.getPath() || '/';
  }

  private at(name: string): string {
    const p = this.path();
    if (name === '.') return p;
    return p === '/' ? '/' + name : p + '/' + name;
  }

  stat(): Filestat {
    return filestatOf(this.vol.statSync(this.path(), { bigint: true }) as never);
  }

  lstat(name: string): Filestat {
    const path = this.at(name);
    const st = filestatOf(this.vol.lstatSync(path, { bigint: true }) as never);
    // memfs reports 0 for a symlink; POSIX (and the host) report the target's length.
    if (st.filetype === Filetype.SYMBOLIC_LINK) st.size = BigInt(Buffer.byteLength(String(this.vol.readlinkSync(path))));
    return st;
  }

  inode(name: string): bigint | null {
    const st = this.vol.lstatSync(this.at(name), { bigint: true, throwIfNoEntry: false }) as { ino: bigint } | undefined;
    return st === undefined ? null : st.ino;
  }

  /** The entry's own type (a symlink is not followed); memfs's ENOENT when there is none. */
  private typeAt(path: string): Filetype {
    return filetypeOfMode(Number(this.vol.lstatSync(path).mode));
  }

  /** The entry's type, or null when there is none. */
  private typeOf(path: string): Filetype | null {
    try {
      return this.typeAt(path);
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return null;
      throw e;
    }
  }

  open(name: string, req: OpenRequest): FileHandle | DirHandle {
    const path = this.at(name);
    const type = this.typeOf(path);
    // O_CREAT|O_EXCL never follows a final symlink: the name exists (as on Linux).
    if (type === Filetype.SYMBOLIC_LINK) throw new WasiError(req.create && req.exclusive ? Errno.EXIST : Errno.LOOP);
    if (type === null) {
      if (!req.create) throw new WasiError(Errno.NOENT);
      if (req.directory) throw new WasiError(Errno.NOENT);
    } else {
      if (req.create && req.exclusive) throw new WasiError(Errno.EXIST);
      if (type === Filetype.DIRECTORY) {
        if (req.write || req.truncate) throw new WasiError(Errno.ISDIR);
        return this.subdir(path);
      }
      if (req.directory) throw new WasiError(Errno.NOTDIR);
    }
    if (req.write || req.create || req.truncate) roCheck(this.readonly);
    let flags = req.write ? (req.read ? O.RDWR : O.WRONLY) : O.RDONLY;
    if (req.create) flags |= O.CREAT;
    if (req.exclusive) flags |= O.EXCL;
    if (req.truncate) flags |= O.TRUNC;
    const fd = this.vol.openSync(path, flags, 0o666);
    return new MemFile(this.vol, fd, req.append, this.readonly, this.quota);
  }

  private subdir(path: string): MemDir {
    return new MemDir(this.vol, this.vol._core.getLinkOrThrow(path) as unknown as MemLink, this.readonly, this.quota);
  }

  openDir(name: string): DirHandle {
    const path = this.at(name);
    const type = this.typeAt(path);
    if (type === Filetype.SYMBOLIC_LINK) throw new WasiError(Errno.LOOP);
    if (type !== Filetype.DIRECTORY) throw new WasiError(Errno.NOTDIR);
    return this.subdir(path);
  }

  readlink(name: string): string {
    return String(this.vol.readlinkSync(this.at(name)));
  }

  mkdir(name: string): void {
    roCheck(this.readonly);
    this.vol.mkdirSync(this.at(name));
  }

  rmdir(name: string): void {
    roCheck(this.readonly);
    const path = this.at(name);
    const type = this.typeAt(path);
    if (type !== Filetype.DIRECTORY) throw new WasiError(Errno.NOTDIR);
    this.vol.rmdirSync(path);
  }

  unlink(name: string): void {
    roCheck(this.readonly);
    const path = this.at(name);
    const type = this.typeAt(path);
    if (type === Filetype.DIRECTORY) throw new WasiError(Errno.ISDIR);
    this.vol.unlinkSync(path);
  }

  symlink(target: string, name: string): void {
    roCheck(this.readonly);
    this.vol.symlinkSync(target, this.at(name));
  }

  link(name: string, to: DirHandle, toName: string): void {
    roCheck(this.readonly);
    const dst = this.sameVolume(to);
    roCheck(dst.readonly);
    const src = this.at(name);
    const dstPath = dst.at(toName);
    const type = this.typeOf(src);
    if (type === null) throw new WasiError(Errno.NOENT);
    if (type === Filetype.DIRECTORY) throw new WasiError(Errno.PERM);
    if (this.typeOf(dstPath) !== null) throw new WasiError(Errno.EXIST);
    // memfs's link() follows a symlink; linkat() without AT_SYMLINK_FOLLOW links the symlink itself.
    if (type === Filetype.SYMBOLIC_LINK) this.vol.symlinkSync(String(this.vol.readlinkSync(src)), dstPath);
    else this.vol.linkSync(src, dstPath);
  }

  /** rename(2)'s checks, which memfs leaves out, then the move. */
  rename(name: string, to: DirHandle, toName: string): void {
    roCheck(this.readonly);
    const dst = this.sameVolume(to);
    roCheck(dst.readonly);
    const src = this.at(name);
    const dstPath = dst.at(toName);
    const srcType = this.typeOf(src);
    if (srcType === null) throw new WasiError(Errno.NOENT);
    if (src === dstPath) return;
    const dstType = this.typeOf(dstPath);
    if (srcType === Filetype.DIRECTORY) {
      // Not into itself or its own subtree.
      if (dstPath.startsWith(src + '/')) throw new WasiError(Errno.INVAL);
      if (dstType !== null && dstType !== Filetype.DIRECTORY) throw new WasiError(Errno.NOTDIR);
      if (dstType === Filetype.DIRECTORY && this.vol.readdirSync(dstPath).length > 0) throw new WasiError(Errno.NOTEMPTY);
    } else if (dstType === Filetype.DIRECTORY) {
      throw new WasiError(Errno.ISDIR);
    }
    if (dstType === Filetype.DIRECTORY) this.vol.rmdirSync(dstPath);
    else if (dstType !== null) this.vol.unlinkSync(dstPath);
    if (srcType === Filetype.SYMBOLIC_LINK) {
      // memfs's rename() follows a symlink source; move the link itself.
      this.vol.symlinkSync(String(this.vol.readlinkSync(src)), dstPath);
      this.vol.unlinkSync(src);
    } else {
      this.vol.renameSync(src, dstPath);
    }
  }

  setTimes(name: string, atim: TimeSpec, mtim: TimeSpec): void {
    roCheck(this.readonly);
    const path = this.at(name);
    const st = filestatOf(this.vol.lstatSync(path, { bigint: true }) as never);
    this.vol.lutimesSync(path, seconds(atim, st.atim), seconds(mtim, st.mtim));
  }

  readdir(): DirEntry[] {
    const entries = this.vol.readdirSync(this.path(), { withFileTypes: true }) as unknown as Array<{
      name: string | Buffer;
      isFile(): boolean;
      isDirectory(): boolean;
      isSymbolicLink(): boolean;
    }>;
    return entries.map((e) => ({
      name: String(e.name),
      filetype: e.isFile() ? Filetype.REGULAR_FILE
        : e.isDirectory() ? Filetype.DIRECTORY
        : e.isSymbolicLink() ? Filetype.SYMBOLIC_LINK
        : Filetype.UNKNOWN,
    }));
  }

  sync(): void {}
  close(): void {}

  /** memfs directories are opened without a syscall: nothing to cache. */
  identity(): string | null {
    return null;
  }

  private sameVolume(d: DirHandle): MemDir {
    if (!(d instanceof MemDir) || d.vol !== this.vol) throw new WasiError(Errno.XDEV);
    return d;
  }
}
