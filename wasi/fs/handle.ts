import type { Filetype } from '../abi.js';

/** filestat, as the guest sees it. Times are nanoseconds since the Unix epoch. */
export interface Filestat {
  dev: bigint;
  ino: bigint;
  filetype: Filetype;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

/** How path_open wants a file opened; already decoded from oflags/fdflags/rights. */
export interface OpenRequest {
  create: boolean;
  exclusive: boolean;
  truncate: boolean;
  directory: boolean;
  read: boolean;
  write: boolean;
  append: boolean;
  sync: boolean;
  dsync: boolean;
}

/** A directory entry as listed by readdir (without "." and ".."). */
export interface DirEntry {
  name: string;
  filetype: Filetype;
}

/** A timestamp update: a time in ns, 'now', or null to leave it unchanged. */
export type TimeSpec = bigint | 'now' | null;

/**
 * An open non-directory: a regular file, or a device reached through a file
 * path. Positions are managed by the caller (the fd), so every read and write
 * names its position; `null` means a stream without positions.
 */
export interface FileHandle {
  readonly kind: 'file';
  readonly filetype: Filetype;
  read(buf: Uint8Array, off: number, len: number, position: number | null): number;
  write(buf: Uint8Array, off: number, len: number, position: number | null): number;
  stat(): Filestat;
  setSize(size: number): void;
  setTimes(atim: TimeSpec, mtim: TimeSpec): void;
  allocate(offset: number, len: number): void;
  /** Reopen with or without O_APPEND (fd_fdstat_set_flags). */
  setAppend(append: boolean): void;
  readonly append: boolean;
  sync(): void;
  datasync(): void;
  close(): void;
}

/**
 * An open directory. Every path operation names ONE component relative to
 * this directory: `name` never contains '/', and is never "..". It may be "."
 * for the directory itself. No operation follows a symlink in `name`; the
 * resolver (resolve.ts) decides what to follow. Holding a DirHandle keeps the
 * directory reachable even if it is renamed, as an O_DIRECTORY fd does.
 */
export interface DirHandle {
  readonly kind: 'dir';
  readonly filetype: Filetype;
  /** Identifies the backend instance: link and rename only work within one. */
  readonly device: object;
  /** Mutations through this handle (and handles opened from it) fail with ROFS. */
  readonly readonly: boolean;
  stat(): Filestat;
  /** lstat of one entry. */
  lstat(name: string): Filestat;
  /** The inode number of one entry (no symlink followed), or null when it is gone: d_ino for fd_readdir. */
  inode(name: string): bigint | null;
  /** Open one entry without following a symlink there (a symlink gives LOOP). */
  open(name: string, req: OpenRequest): FileHandle | DirHandle;
  /** Open one entry that must be a directory (LOOP for a symlink, NOTDIR for a file). */
  openDir(name: string): DirHandle;
  readlink(name: string): string;
  mkdir(name: string): void;
  rmdir(name: string): void;
  unlink(name: string): void;
  symlink(target: string, name: string): void;
  link(name: string, to: DirHandle, toName: string): void;
  rename(name: string, to: DirHandle, toName: string): void;
  /** Set times of one entry, not following a symlink there. */
  setTimes(name: string, atim: TimeSpec, mtim: TimeSpec): void;
  /** Fresh objects each call: the caller may keep and extend them. */
  readdir(): DirEntry[];
  sync(): void;
  close(): void;
  /**
   * What makes a directory itself and no other, now and later (dev, inode
   * and birth time, so a recycled inode number never matches), for the
   * resolver's cache of open directories; null when the backend cannot tell
   * (then nothing is cached). `name` undefined: this directory.
   */
  identity(name?: string): string | null;
  /**
   * Another handle on the same open directory (no syscall); the directory is
   * closed when every handle is. Lets the resolver's DirCache keep a
   * directory the guest opened. Absent: the backend has nothing to share.
   */
  share?(): DirHandle;
}
