/**
 * POSIX stat results (node:fs's or memfs's, which share node's shape) as WASI
 * filestats. Pure: the memfs backend uses it in the browser too.
 */
import { Filetype } from '../abi.js';
import type { Filestat } from './handle.js';

/** The file-type bits of st_mode (Linux values; memfs uses the same). */
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFSOCK = 0o140000;

/** The part of a BigInt stat result a filestat needs. */
export interface BigIntStatLike {
  dev: bigint; ino: bigint; mode: bigint; nlink: bigint; size: bigint;
  atimeNs: bigint; mtimeNs: bigint; ctimeNs: bigint;
}

export function filetypeOfMode(mode: number): Filetype {
  switch (mode & S_IFMT) {
    case S_IFREG: return Filetype.REGULAR_FILE;
    case S_IFDIR: return Filetype.DIRECTORY;
    case S_IFLNK: return Filetype.SYMBOLIC_LINK;
    case S_IFCHR: return Filetype.CHARACTER_DEVICE;
    case S_IFBLK: return Filetype.BLOCK_DEVICE;
    case S_IFSOCK: return Filetype.SOCKET_STREAM;
    default: return Filetype.UNKNOWN;
  }
}

export function filestatOf(st: BigIntStatLike): Filestat {
  return {
    dev: st.dev,
    ino: st.ino,
    filetype: filetypeOfMode(Number(st.mode)),
    nlink: st.nlink,
    size: st.size,
    atim: st.atimeNs,
    mtim: st.mtimeNs,
    ctim: st.ctimeNs,
  };
}
