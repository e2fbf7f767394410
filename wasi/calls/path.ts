/**
 * Every path_* call. Paths are decoded here and handed to the resolver with
 * the final step as a closure; no path logic lives in this file.
 */
import {
  Errno, Fdflags, Filetype, Lookupflags, OFLAGS_ALL, Oflags, Rights, RIGHTS_DIRECTORY, RIGHTS_REGULAR_FILE, RIGHTS_TTY,
} from '../abi.js';
import { WasiError } from '../errors.js';
import { DirFd, FileFd } from '../fd.js';
import type { DirHandle, Filestat, OpenRequest } from '../fs/handle.js';
import { ESCAPE_ERRNO, lookupRule, resolve, symlinkHere } from '../fs/resolve.js';
import { type StatCache, fsMayHaveChanged } from '../fs/stat-cache.js';
import { encodeUtf8 } from '../memory.js';
import { type CallContext, type WasiFunctions, rightsFromGuest } from './context.js';
import { timesFromFlags, writeFilestat } from './fd.js';

/** Rights that make path_open ask the backend for write access (as wasmtime decides). */
const WRITE_RIGHTS = Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE;

/** Final-step helper: `name` must be a directory when the path ended in "/". */
function checkDir(dir: DirHandle, name: string, mustBeDir: boolean, follow: boolean): void {
  if (!mustBeDir && !follow) return;
  const type = name === '.' ? Filetype.DIRECTORY : dir.lstat(name).filetype;
  if (type === Filetype.SYMBOLIC_LINK && follow) symlinkHere();
  if (mustBeDir && type !== Filetype.DIRECTORY) throw new WasiError(Errno.NOTDIR);
}

/** fd_readdir's lstat of `name`, if it is still what a fresh one would return (StatCache). */
function cachedLstat(cache: StatCache, dir: DirHandle, name: string): Filestat | null {
  const id = dir.identity();
  return id === null ? null : cache.get(id, name);
}

/** A trace label for a path opened relative to a directory fd. */
function joinLabel(dir: string, path: string): string {
  if (path.startsWith('/') || dir === '') return path;
  return dir.endsWith('/') ? dir + path : `${dir}/${path}`;
}

export function pathCalls(ctx: CallContext): WasiFunctions {
  const { mem, fds } = ctx;

  function dirFd(fd: number, rights: number): DirFd {
    const f = fds.get(fd, rights);
    if (!(f instanceof DirFd)) throw new WasiError(Errno.NOTDIR);
    return f;
  }

  function path(ptr: number, len: number): string {
    return mem.string(ptr, len);
  }

  return {
    path_create_directory(fd: number, pathPtr: number, pathLen: number): number {
      const d = dirFd(fd, Rights.PATH_CREATE_DIRECTORY);
      resolve(d.ref, path(pathPtr, pathLen), 'entry', (dir, name) => {
        if (name === '.') throw new WasiError(Errno.EXIST);
        dir.mkdir(name);
      });
      return Errno.SUCCESS;
    },

    path_filestat_get(fd: number, flags: number, pathPtr: number, pathLen: number, bufPtr: number): number {
      const d = dirFd(fd, Rights.PATH_FILESTAT_GET);
      const follow = (flags & Lookupflags.SYMLINK_FOLLOW) !== 0;
      const cache = d.ref.ns.statCache;
      const st = resolve(d.ref, path(pathPtr, pathLen), lookupRule(follow), (dir, name, mustBeDir) => {
        const s = name === '.' ? dir.stat() : (cache?.active && cachedLstat(cache, dir, name)) || dir.lstat(name);
        if (s.filetype === Filetype.SYMBOLIC_LINK && (follow || mustBeDir)) symlinkHere();
        if (mustBeDir && s.filetype !== Filetype.DIRECTORY) throw new WasiError(Errno.NOTDIR);
        return s;
      });
      writeFilestat(mem, bufPtr, st);
      return Errno.SUCCESS;
    },

    path_filestat_set_times(fd: number, flags: number, pathPtr: number, pathLen: number, atim: bigint, mtim: bigint, fst: number): number {
      const d = dirFd(fd, Rights.PATH_FILESTAT_SET_TIMES);
      const [a, m] = timesFromFlags(atim, mtim, fst);
      const follow = (flags & Lookupflags.SYMLINK_FOLLOW) !== 0;
      resolve(d.ref, path(pathPtr, pathLen), lookupRule(follow), (dir, name, mustBeDir) => {
        checkDir(dir, name, mustBeDir, follow);
        dir.setTimes(name, a, m);
      });
      return Errno.SUCCESS;
    },

    path_link(oldFd: number, oldFlags: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number): number {
      const from = dirFd(oldFd, Rights.PATH_LINK_SOURCE);
      const to = dirFd(newFd, Rights.PATH_LINK_TARGET);
      const follow = (oldFlags & Lookupflags.SYMLINK_FOLLOW) !== 0;
      const oldPath = path(oldPtr, oldLen);
      const newPath = path(newPtr, newLen);
      resolve(from.ref, oldPath, follow ? 'follow' : 'entry', (srcDir, srcName, srcMustBeDir) => {
        checkDir(srcDir, srcName, false, follow);
        if (srcMustBeDir || srcName === '.') throw new WasiError(srcName === '.' ? Errno.PERM : Errno.NOTDIR);
        resolve(to.ref, newPath, 'entry', (dstDir, dstName, dstMustBeDir) => {
          if (dstName === '.') throw new WasiError(Errno.EXIST);
          if (dstMustBeDir) throw new WasiError(Errno.NOENT);
          srcDir.link(srcName, dstDir, dstName);
        });
      });
      return Errno.SUCCESS;
    },

    path_open(
      fd: number, dirflags: number, pathPtr: number, pathLen: number, oflags: number,
      rightsBase: bigint, rightsInheriting: bigint, fdflags: number, fdPtr: number,
    ): number {
      let needed = Rights.PATH_OPEN;
      if (oflags & Oflags.CREAT) needed |= Rights.PATH_CREATE_FILE;
      if (oflags & Oflags.TRUNC) needed |= Rights.PATH_FILESTAT_SET_SIZE;
      const d = dirFd(fd, needed);
      if (oflags & ~OFLAGS_ALL) return Errno.INVAL;
      if ((oflags & Oflags.DIRECTORY) && (oflags & (Oflags.CREAT | Oflags.TRUNC))) return Errno.INVAL;
      // Rights beyond what the directory may hand down are dropped, not refused:
      // wasi-libc asks for every right and expects to get what applies.
      const base = rightsFromGuest(rightsBase) & d.rightsInheriting;
      const inheriting = rightsFromGuest(rightsInheriting) & d.rightsInheriting;
      const req: OpenRequest = {
        create: (oflags & Oflags.CREAT) !== 0,
        exclusive: (oflags & Oflags.EXCL) !== 0,
        truncate: (oflags & Oflags.TRUNC) !== 0,
        directory: (oflags & Oflags.DIRECTORY) !== 0,
        read: (base & (Rights.FD_READ | Rights.FD_READDIR)) !== 0,
        write: (base & WRITE_RIGHTS) !== 0,
        append: (fdflags & Fdflags.APPEND) !== 0,
        sync: (fdflags & (Fdflags.SYNC | Fdflags.RSYNC)) !== 0,
        dsync: (fdflags & Fdflags.DSYNC) !== 0,
      };
      const follow = (dirflags & Lookupflags.SYMLINK_FOLLOW) !== 0;
      const pathText = path(pathPtr, pathLen);
      // path_open is one of the calls that keep fd_readdir's stats (wasi.ts): an open
      // without O_CREAT or O_TRUNC changes no file. With them it does.
      if (req.create || req.truncate) fsMayHaveChanged();
      const opened = resolve(d.ref, pathText, lookupRule(follow), (dir, name, mustBeDir, guestPath) => {
        if (mustBeDir && !req.directory) return openOne(dir, name, { ...req, directory: true }, guestPath);
        return openOne(dir, name, req, guestPath);
      });
      function openOne(dir: DirHandle, name: string, r: OpenRequest, guestPath: readonly string[]) {
        const h = dir.open(name, r);
        if (h.kind === 'dir') {
          // The resolver keeps this directory too: a walk opens a directory, then
          // stats its entries through paths that end in it (opendir, readdir, stat "d/e").
          const cache = d.ref.ns.dirCache;
          if (cache !== undefined && h.share !== undefined && name !== '.') {
            const shared = h.share();
            if (!cache.put(dir, name, shared)) shared.close();
          }
          const ref = { handle: h, ns: d.ref.ns, guestPath: name === '.' ? guestPath : [...guestPath, name] };
          return new DirFd(ref, base & RIGHTS_DIRECTORY, inheriting);
        }
        // Opening a FIFO waits for the other end, a device may act on open: news from outside.
        if (h.filetype !== Filetype.REGULAR_FILE) fsMayHaveChanged();
        const max = h.filetype === Filetype.REGULAR_FILE ? RIGHTS_REGULAR_FILE : RIGHTS_TTY;
        return new FileFd(h, base & max, inheriting, fdflags & (Fdflags.APPEND | Fdflags.DSYNC | Fdflags.SYNC | Fdflags.RSYNC | Fdflags.NONBLOCK));
      }
      try {
        mem.check(fdPtr, 4);
      } catch (e) {
        opened.close();
        throw e;
      }
      opened.label = joinLabel(d.label, pathText);
      mem.setU32(fdPtr, fds.insert(opened));
      return Errno.SUCCESS;
    },

    path_readlink(fd: number, pathPtr: number, pathLen: number, buf: number, bufLen: number, bufusedPtr: number): number {
      const d = dirFd(fd, Rights.PATH_READLINK);
      const target = resolve(d.ref, path(pathPtr, pathLen), 'entry', (dir, name, mustBeDir) => {
        if (name === '.' || mustBeDir) throw new WasiError(Errno.INVAL);
        return dir.readlink(name);
      });
      const bytes = encodeUtf8(target);
      const n = Math.min(bytes.length, bufLen >>> 0);
      mem.write(buf, bytes.subarray(0, n));
      mem.setU32(bufusedPtr, n);
      return Errno.SUCCESS;
    },

    path_remove_directory(fd: number, pathPtr: number, pathLen: number): number {
      const d = dirFd(fd, Rights.PATH_REMOVE_DIRECTORY);
      resolve(d.ref, path(pathPtr, pathLen), 'entry', (dir, name) => {
        if (name === '.') throw new WasiError(Errno.INVAL);
        dir.rmdir(name);
      });
      d.ref.ns.dirCache?.clear(); // a cached directory may be the one removed
      return Errno.SUCCESS;
    },

    path_rename(fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number): number {
      const from = dirFd(fd, Rights.PATH_RENAME_SOURCE);
      const to = dirFd(newFd, Rights.PATH_RENAME_TARGET);
      const oldPath = path(oldPtr, oldLen);
      const newPath = path(newPtr, newLen);
      resolve(from.ref, oldPath, 'entry', (srcDir, srcName, srcMustBeDir) => {
        if (srcName === '.') throw new WasiError(Errno.BUSY);
        const srcType = srcDir.lstat(srcName).filetype;
        if (srcMustBeDir && srcType !== Filetype.DIRECTORY) throw new WasiError(Errno.NOTDIR);
        resolve(to.ref, newPath, 'entry', (dstDir, dstName, dstMustBeDir) => {
          if (dstName === '.') throw new WasiError(Errno.BUSY);
          if (dstMustBeDir && srcType !== Filetype.DIRECTORY) throw new WasiError(Errno.NOTDIR);
          srcDir.rename(srcName, dstDir, dstName);
        });
      });
      // A cached directory may have moved or been replaced.
      from.ref.ns.dirCache?.clear();
      to.ref.ns.dirCache?.clear();
      return Errno.SUCCESS;
    },

    path_symlink(oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number): number {
      const d = dirFd(fd, Rights.PATH_SYMLINK);
      const target = path(oldPtr, oldLen);
      if (target.includes('\0')) throw new WasiError(Errno.INVAL);
      // Under wasmtime's rules a symlink may not point at an absolute path: it
      // could never be followed inside the sandbox. A container's `/` is a root, so there it may.
      if (target.startsWith('/') && d.ref.ns.mode === 'capability') throw new WasiError(ESCAPE_ERRNO);
      resolve(d.ref, path(newPtr, newLen), 'entry', (dir, name, mustBeDir) => {
        if (name === '.') throw new WasiError(Errno.EXIST);
        if (mustBeDir) {
          // "link/" can only name an existing directory, never a new symlink.
          let exists = true;
          try { dir.lstat(name); } catch { exists = false; }
          throw new WasiError(exists ? Errno.EXIST : Errno.NOENT);
        }
        dir.symlink(target, name);
      });
      return Errno.SUCCESS;
    },

    path_unlink_file(fd: number, pathPtr: number, pathLen: number): number {
      const d = dirFd(fd, Rights.PATH_UNLINK_FILE);
      resolve(d.ref, path(pathPtr, pathLen), 'entry', (dir, name, mustBeDir) => {
        if (name === '.') throw new WasiError(Errno.ISDIR);
        if (mustBeDir) {
          throw new WasiError(dir.lstat(name).filetype === Filetype.DIRECTORY ? Errno.ISDIR : Errno.NOTDIR);
        }
        dir.unlink(name);
      });
      return Errno.SUCCESS;
    },
  };
}

