/**
 * The host filesystem backend (node:fs).
 *
 * node:fs has no openat(2). On Linux we get the same guarantee through
 * procfs: `/proc/self/fd/N/NAME` walks from the directory that fd N holds —
 * wherever it has been moved — and then one component, NAME. With O_NOFOLLOW
 * (and our own single-component, symlink-aware resolver above this layer) no
 * path the guest names is ever interpreted by the kernel beyond one component
 * of a directory we hold open, so swapping a directory for a symlink between
 * check and use cannot redirect an operation outside the sandbox.
 *
 * Elsewhere (no procfs) we fall back to joined host paths, and verify opens
 * afterwards with fstat (dev, ino) against an lstat taken before; that closes
 * the open race for existing files but not for every other operation.
 * docs/security.md "The sandbox" says what holds where.
 */
import fs from 'node:fs';
import { Errno, Filetype } from '../abi.js';
import { WasiError } from '../errors.js';
import type { DirEntry, DirHandle, FileHandle, Filestat, OpenRequest, TimeSpec } from './handle.js';
import { setTimesExact, sharedFdPath } from './host-times.js';
import { filestatOf, filetypeOfMode } from './stat.js';

// Pure stat conversions live in stat.ts (the browser build has no node:fs); re-exported for stdio.
export { filestatOf, filetypeOfMode } from './stat.js';

const C = fs.constants;
const PROC_FD = process.platform === 'linux' && fs.existsSync('/proc/self/fd');
/**
 * Our own fd directory as /proc/<pid>/fd: the kernel then skips resolving the
 * /proc/self symlink on every lookup, ~11 % of an lstat through it (4.5 ->
 * 4.0 us of CPU, measured in a loop). The pid is read from /proc/self itself,
 * so it is ours as that procfs mount numbers it (another pid namespace's
 * procfs would give another number than process.pid); it never changes, as
 * Node does not fork without exec. Where it cannot be read, /proc/self.
 */
const PROC_FD_DIR = ((): string => {
  if (!PROC_FD) return '';
  try {
    const pid = fs.readlinkSync('/proc/self');
    if (/^[1-9][0-9]*$/.test(pid) && fs.statSync(`/proc/${pid}/fd`).ino === fs.statSync('/proc/self/fd').ino) return `/proc/${pid}/fd`;
  } catch { /* below */ }
  return '/proc/self/fd';
})();
/** One object identifies "the host filesystem" for link/rename (the kernel reports EXDEV itself). */
const HOST_DEVICE = Object.freeze({ backend: 'host' });

function roCheck(readonly: boolean): void {
  if (readonly) throw new WasiError(Errno.ROFS);
}

export class HostFile implements FileHandle {
  readonly kind = 'file';
  constructor(
    private fd: number,
    readonly filetype: Filetype,
    private flags: number,
    readonly readonly: boolean,
  ) {}

  get append(): boolean {
    return (this.flags & C.O_APPEND) !== 0;
  }

  read(buf: Uint8Array, off: number, len: number, position: number | null): number {
    return fs.readSync(this.fd, buf, off, len, position);
  }

  write(buf: Uint8Array, off: number, len: number, position: number | null): number {
    return fs.writeSync(this.fd, buf, off, len, position);
  }

  stat(): Filestat {
    return filestatOf(fs.fstatSync(this.fd, { bigint: true }));
  }

  setSize(size: number): void {
    roCheck(this.readonly);
    fs.ftruncateSync(this.fd, size);
  }

  setTimes(atim: TimeSpec, mtim: TimeSpec): void {
    roCheck(this.readonly);
    const fd = this.fd;
    setTimesExact({
      sharedPath: sharedFdPath(fd) ?? '',
      noFollow: false,
      current: () => {
        const st = fs.fstatSync(fd, { bigint: true });
        return { atim: st.atimeNs, mtim: st.mtimeNs };
      },
      set: (a, m) => fs.futimesSync(fd, a, m),
    }, atim, mtim);
  }

  allocate(offset: number, len: number): void {
    roCheck(this.readonly);
    // node:fs has no fallocate; posix_fallocate's visible effect is the size.
    const size = Number(fs.fstatSync(this.fd).size);
    if (offset + len > size) fs.ftruncateSync(this.fd, offset + len);
  }

  setAppend(append: boolean): void {
    if (append === this.append) return;
    if (!PROC_FD) throw new WasiError(Errno.NOTSUP);
    // No fcntl(F_SETFL) in node:fs: reopen the same open file description's
    // inode through procfs with the new flag. Same inode, never a new path lookup.
    // (Without O_NOFOLLOW: the magic link itself must be followed to reach the file.)
    const flags = (this.flags & ~(C.O_APPEND | C.O_CREAT | C.O_EXCL | C.O_TRUNC | C.O_NOFOLLOW)) | (append ? C.O_APPEND : 0);
    const fd = fs.openSync(`${PROC_FD_DIR}/${this.fd}`, flags);
    fs.closeSync(this.fd);
    this.fd = fd;
    this.flags = flags;
  }

  sync(): void {
    fs.fsyncSync(this.fd);
  }

  datasync(): void {
    fs.fdatasyncSync(this.fd);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

export class HostDir implements DirHandle {
  readonly kind = 'dir';
  readonly filetype = Filetype.DIRECTORY;
  readonly device = HOST_DEVICE;
  /** Where one component of this directory is found: "/proc/<our pid>/fd/N/" on Linux. */
  private readonly prefix: string;

  constructor(
    private readonly fd: number,
    /** The host path at open time: only used where procfs is missing. */
    private readonly hostPath: string,
    readonly readonly: boolean,
    /** Shared by every handle share() made: the fd closes with the last of them; the identity is asked once. */
    private readonly open_: { handles: number; id: string | null | undefined } = { handles: 1, id: undefined },
  ) {
    this.prefix = PROC_FD ? `${PROC_FD_DIR}/${fd}/` : hostPath.replace(/\/+$/, '') + '/';
  }

  share(): HostDir {
    this.open_.handles++;
    return new HostDir(this.fd, this.hostPath, this.readonly, this.open_);
  }

  /** Open a host directory as a preopen or mount root; the only place a host path enters. */
  static open(hostPath: string, readonly = false): HostDir {
    const fd = fs.openSync(hostPath, C.O_RDONLY | C.O_DIRECTORY);
    return new HostDir(fd, fs.realpathSync(hostPath), readonly);
  }

  private at(name: string): string {
    return this.prefix + name;
  }

  stat(): Filestat {
    const st = fs.fstatSync(this.fd, { bigint: true });
    // The same fstat tells this directory's identity (asked for when its listing is cached).
    if (this.open_.id === undefined) this.open_.id = identityOf(st);
    return filestatOf(st);
  }

  lstat(name: string): Filestat {
    return filestatOf(fs.lstatSync(this.at(name), { bigint: true }));
  }

  inode(name: string): bigint | null {
    // Number stats cost less than BigIntStats (no bigints, no Dates), and an
    // inode below 2^53 is exact in a double; a larger one is asked again.
    const st = fs.lstatSync(this.at(name), { throwIfNoEntry: false });
    if (st === undefined) return null;
    return st.ino <= Number.MAX_SAFE_INTEGER ? BigInt(st.ino) : (fs.lstatSync(this.at(name), { bigint: true, throwIfNoEntry: false })?.ino ?? null);
  }

  open(name: string, req: OpenRequest): FileHandle | DirHandle {
    let flags = C.O_NOFOLLOW;
    if (req.write) {
      roCheck(this.readonly);
      flags |= req.read ? C.O_RDWR : C.O_WRONLY;
    } else {
      flags |= C.O_RDONLY;
    }
    if (req.create || req.truncate) roCheck(this.readonly);
    if (req.create) flags |= C.O_CREAT;
    if (req.exclusive) flags |= C.O_EXCL;
    if (req.truncate) flags |= C.O_TRUNC;
    if (req.directory) flags |= C.O_DIRECTORY;
    if (req.append) flags |= C.O_APPEND;
    if (req.sync) flags |= C.O_SYNC;
    if (req.dsync) flags |= C.O_DSYNC;
    const path = this.at(name);
    const before = PROC_FD || req.create ? null : fs.lstatSync(path);
    const fd = fs.openSync(path, flags, 0o666);
    // The open itself can tell the type, saving an fstat: O_DIRECTORY opens only a
    // directory, and O_CREAT|O_EXCL only a regular file it has just made (without procfs the
    // fstat also checks that the open reached what the lstat saw).
    if (req.directory && before === null) return new HostDir(fd, this.hostPath + '/' + name, this.readonly);
    if (req.create && req.exclusive) return new HostFile(fd, Filetype.REGULAR_FILE, flags, this.readonly);
    try {
      const st = fs.fstatSync(fd);
      if (before !== null && (before.dev !== st.dev || before.ino !== st.ino)) {
        throw new WasiError(Errno.NOENT); // swapped between lookup and open
      }
      const filetype = filetypeOfMode(st.mode);
      if (filetype === Filetype.DIRECTORY) {
        return new HostDir(fd, this.hostPath + '/' + name, this.readonly);
      }
      return new HostFile(fd, filetype, flags, this.readonly);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  openDir(name: string): DirHandle {
    const fd = fs.openSync(this.at(name), C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW);
    return new HostDir(fd, this.hostPath + '/' + name, this.readonly);
  }

  readlink(name: string): string {
    return fs.readlinkSync(this.at(name));
  }

  mkdir(name: string): void {
    roCheck(this.readonly);
    fs.mkdirSync(this.at(name));
  }

  rmdir(name: string): void {
    roCheck(this.readonly);
    fs.rmdirSync(this.at(name));
  }

  unlink(name: string): void {
    roCheck(this.readonly);
    fs.unlinkSync(this.at(name));
  }

  symlink(target: string, name: string): void {
    roCheck(this.readonly);
    fs.symlinkSync(target, this.at(name));
  }

  link(name: string, to: DirHandle, toName: string): void {
    roCheck(this.readonly);
    const dst = hostDir(to);
    roCheck(dst.readonly);
    // link(2) does not follow a symlink in the source on Linux: the link itself is linked.
    fs.linkSync(this.at(name), dst.at(toName));
  }

  rename(name: string, to: DirHandle, toName: string): void {
    roCheck(this.readonly);
    const dst = hostDir(to);
    roCheck(dst.readonly);
    fs.renameSync(this.at(name), dst.at(toName));
  }

  setTimes(name: string, atim: TimeSpec, mtim: TimeSpec): void {
    roCheck(this.readonly);
    const path = this.at(name);
    setTimesExact({
      sharedPath: PROC_FD ? `${sharedFdPath(this.fd)}/${name}` : path,
      noFollow: true,
      current: () => {
        const st = fs.lstatSync(path, { bigint: true });
        return { atim: st.atimeNs, mtim: st.mtimeNs };
      },
      set: (a, m) => fs.lutimesSync(path, a, m),
    }, atim, mtim);
  }

  identity(name?: string): string | null {
    // An open directory stays the same directory: its own identity is asked of the kernel once.
    if (name === undefined) {
      const o = this.open_;
      return o.id === undefined ? (o.id = identityOf(fs.fstatSync(this.fd, { bigint: true }))) : o.id;
    }
    return identityOf(fs.lstatSync(this.at(name), { bigint: true, throwIfNoEntry: false }));
  }

  readdir(): DirEntry[] {
    const entries = fs.readdirSync(PROC_FD ? `${PROC_FD_DIR}/${this.fd}` : this.hostPath, { withFileTypes: true });
    const out: DirEntry[] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      out[i] = { name: e.name, filetype: direntType(e) };
    }
    return out;
  }

  sync(): void {
    fs.fsyncSync(this.fd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (--this.open_.handles === 0) fs.closeSync(this.fd);
  }
  private closed = false;
}

function identityOf(st: fs.BigIntStats | undefined): string | null {
  if (st === undefined || !st.isDirectory() || st.birthtimeNs === 0n) return null;
  return `${st.dev}:${st.ino}:${st.birthtimeNs}`;
}

function hostDir(d: DirHandle): HostDir {
  if (!(d instanceof HostDir)) throw new WasiError(Errno.XDEV);
  return d;
}

function direntType(e: fs.Dirent): Filetype {
  if (e.isFile()) return Filetype.REGULAR_FILE;
  if (e.isDirectory()) return Filetype.DIRECTORY;
  if (e.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  if (e.isCharacterDevice()) return Filetype.CHARACTER_DEVICE;
  if (e.isBlockDevice()) return Filetype.BLOCK_DEVICE;
  if (e.isSocket()) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN;
}
