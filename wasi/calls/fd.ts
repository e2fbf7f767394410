/** Every fd_* call. Each decodes guest memory, checks rights, and delegates to the Fd. */
import { ADVICE_MAX, Errno, FDFLAGS_ALL, FSTFLAGS_ALL, Fdflags, Fstflags, Layout, PREOPENTYPE_SOCKET, Rights, Whence } from '../abi.js';
import { WasiError } from '../errors.js';
import { DirFd, type Fd } from '../fd.js';
import type { Filestat, TimeSpec } from '../fs/handle.js';
import type { GuestMemory } from '../memory.js';
import { encodeUtf8 } from '../memory.js';
import { type CallContext, type WasiFunctions, rightsFromGuest, u64ToNumber } from './context.js';
import { recvIovecs } from './sock.js';

/** Small multi-iovec writes are gathered into one syscall (wasi-libc's stdio writes 2 iovecs). */
const GATHER_LIMIT = 16 * 1024;
const gather = new Uint8Array(GATHER_LIMIT);
/** One dirent header, built here and copied out (its padding stays zero). */
const dirent = new Uint8Array(Layout.dirent.size);
const direntView = new DataView(dirent.buffer);

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** The filetype byte with its 7 bytes of padding as one u64, without a BigInt per call. */
const FILETYPE_WORD: readonly bigint[] = [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n];

export function writeFilestat(mem: GuestMemory, ptr: number, st: Filestat): void {
  const L = Layout.filestat;
  // One bounds check for the whole struct, then the views directly (a walk writes one per entry).
  const p = mem.check(ptr, L.size);
  const u64 = mem.u64view;
  if ((p & 7) === 0 && u64.length !== 0) {
    // Aligned (as wasi-libc's struct is) on a little-endian host: typed-array stores,
    // which V8 compiles inline; DataView's setBigUint64 is a builtin call each (~4x the cost).
    const i = p >>> 3;
    u64[i + L.dev / 8] = st.dev;
    u64[i + L.ino / 8] = st.ino;
    u64[i + L.filetype / 8] = FILETYPE_WORD[st.filetype] ?? BigInt(st.filetype); // the byte and its zero padding
    u64[i + L.nlink / 8] = st.nlink;
    u64[i + L.size_ / 8] = st.size;
    u64[i + L.atim / 8] = st.atim;
    u64[i + L.mtim / 8] = st.mtim;
    u64[i + L.ctim / 8] = st.ctim;
    return;
  }
  const v = mem.view;
  v.setBigUint64(p + L.dev, st.dev, true);
  v.setBigUint64(p + L.ino, st.ino, true);
  v.setUint8(p + L.filetype, st.filetype);
  mem.u8.fill(0, p + L.filetype + 1, p + L.nlink);
  v.setBigUint64(p + L.nlink, st.nlink, true);
  v.setBigUint64(p + L.size_, st.size, true);
  v.setBigUint64(p + L.atim, st.atim, true);
  v.setBigUint64(p + L.mtim, st.mtim, true);
  v.setBigUint64(p + L.ctim, st.ctim, true);
}

/** fst_flags → the two TimeSpecs; INVAL when a time is both given and NOW. */
export function timesFromFlags(atim: bigint, mtim: bigint, fst: number): [TimeSpec, TimeSpec] {
  if (fst & ~FSTFLAGS_ALL) throw new WasiError(Errno.INVAL);
  if ((fst & Fstflags.ATIM) && (fst & Fstflags.ATIM_NOW)) throw new WasiError(Errno.INVAL);
  if ((fst & Fstflags.MTIM) && (fst & Fstflags.MTIM_NOW)) throw new WasiError(Errno.INVAL);
  const a: TimeSpec = fst & Fstflags.ATIM_NOW ? 'now' : fst & Fstflags.ATIM ? BigInt.asUintN(64, atim) : null;
  const m: TimeSpec = fst & Fstflags.MTIM_NOW ? 'now' : fst & Fstflags.MTIM ? BigInt.asUintN(64, mtim) : null;
  return [a, m];
}

export function fdCalls(ctx: CallContext): WasiFunctions {
  const { mem, fds } = ctx;

  /** Read into the iovec array (at `position`, or the fd's own position when negative); stop at the first short transfer. */
  function readv(f: Fd, iovs: number, iovsLen: number, position: number): number {
    let total = 0;
    for (let i = 0; i < iovsLen; i++) {
      const ptr = mem.iovBuf(iovs, i);
      const len = mem.iovLen(iovs, i);
      const p = mem.check(ptr, len);
      const n = position < 0 ? f.read(mem.u8, p, len) : f.pread(mem.u8, p, len, position + total);
      total += n;
      if (n < len) break;
    }
    return total;
  }

  function writev(f: Fd, iovs: number, iovsLen: number, position: number): number {
    if (iovsLen === 1) {
      const ptr = mem.iovBuf(iovs, 0);
      const len = mem.iovLen(iovs, 0);
      const p = mem.check(ptr, len);
      return position < 0 ? f.write(mem.u8, p, len) : f.pwrite(mem.u8, p, len, position);
    }
    // Gather small vectors: one syscall instead of one per iovec.
    let size = 0;
    mem.check(iovs, iovsLen * Layout.iovec.size);
    for (let i = 0; i < iovsLen && size <= GATHER_LIMIT; i++) size += mem.iovLen(iovs, i);
    if (size <= GATHER_LIMIT) {
      let at = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = mem.iovBuf(iovs, i);
        const len = mem.iovLen(iovs, i);
        const p = mem.check(ptr, len);
        gather.set(mem.u8.subarray(p, p + len), at);
        at += len;
      }
      return position < 0 ? f.write(gather, 0, size) : f.pwrite(gather, 0, size, position);
    }
    let total = 0;
    for (let i = 0; i < iovsLen; i++) {
      const ptr = mem.iovBuf(iovs, i);
      const len = mem.iovLen(iovs, i);
      const p = mem.check(ptr, len);
      const n = position < 0 ? f.write(mem.u8, p, len) : f.pwrite(mem.u8, p, len, position + total);
      total += n;
      if (n < len) break;
    }
    return total;
  }

  /** The guest path of a preopened directory, UTF-8; BADF for any other fd (NOTDIR for a preopened socket). */
  function preopenName(fd: number): Uint8Array {
    const f = fds.lookup(fd);
    if (f.isPreopenedSocket) throw new WasiError(Errno.NOTDIR);
    if (!(f instanceof DirFd) || f.preopenPath === null) throw new WasiError(Errno.BADF);
    return encodeUtf8(f.preopenPath);
  }

  function offsetArg(v: bigint): number {
    const n = u64ToNumber(v);
    if (n < 0) throw new WasiError(Errno.INVAL);
    return n;
  }

  return {
    fd_advise(fd: number, offset: bigint, len: bigint, advice: number): number {
      fds.get(fd, Rights.FD_ADVISE);
      offsetArg(offset);
      offsetArg(len);
      if (advice > ADVICE_MAX) return Errno.INVAL;
      return Errno.SUCCESS; // advisory only; node:fs has no posix_fadvise
    },

    fd_allocate(fd: number, offset: bigint, len: bigint): number {
      const f = fds.get(fd, Rights.FD_ALLOCATE);
      const o = offsetArg(offset);
      const l = offsetArg(len);
      if (l === 0) return Errno.INVAL;
      f.allocate(o, l);
      return Errno.SUCCESS;
    },

    fd_close(fd: number): number {
      fds.remove(fd).close();
      return Errno.SUCCESS;
    },

    fd_datasync(fd: number): number {
      fds.get(fd, Rights.FD_DATASYNC).datasync();
      return Errno.SUCCESS;
    },

    fd_fdstat_get(fd: number, ptr: number): number {
      const f = fds.lookup(fd);
      const L = Layout.fdstat;
      mem.check(ptr, L.size);
      mem.setU8(ptr + L.fs_filetype, f.filetype);
      mem.setU8(ptr + 1, 0);
      mem.setU16(ptr + L.fs_flags, f.fdflags);
      mem.setU32(ptr + 4, 0);
      mem.setU64n(ptr + L.fs_rights_base, f.rightsBase);
      mem.setU64n(ptr + L.fs_rights_inheriting, f.rightsInheriting);
      return Errno.SUCCESS;
    },

    fd_fdstat_set_flags(fd: number, flags: number): number {
      const f = fds.get(fd, Rights.FD_FDSTAT_SET_FLAGS);
      if (flags & ~FDFLAGS_ALL) return Errno.INVAL;
      // Linux cannot change O_SYNC/O_DSYNC after open; wasmtime says INVAL too. NONBLOCK matters
      // to sockets only (files never block, and ignore it).
      if (flags & (Fdflags.SYNC | Fdflags.DSYNC | Fdflags.RSYNC)) return Errno.INVAL;
      f.setFdflags(flags & (Fdflags.APPEND | Fdflags.NONBLOCK));
      return Errno.SUCCESS;
    },

    fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint): number {
      const f = fds.lookup(fd);
      const b = rightsFromGuest(base);
      const i = rightsFromGuest(inheriting);
      // Rights only ever shrink.
      if ((b & ~f.rightsBase) !== 0 || (i & ~f.rightsInheriting) !== 0) return Errno.NOTCAPABLE;
      f.rightsBase = b;
      f.rightsInheriting = i;
      return Errno.SUCCESS;
    },

    fd_filestat_get(fd: number, ptr: number): number {
      writeFilestat(mem, ptr, fds.get(fd, Rights.FD_FILESTAT_GET).filestat());
      return Errno.SUCCESS;
    },

    fd_filestat_set_size(fd: number, size: bigint): number {
      fds.get(fd, Rights.FD_FILESTAT_SET_SIZE).setSize(offsetArg(size));
      return Errno.SUCCESS;
    },

    fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, fst: number): number {
      const f = fds.get(fd, Rights.FD_FILESTAT_SET_TIMES);
      const [a, m] = timesFromFlags(atim, mtim, fst);
      f.setTimes(a, m);
      return Errno.SUCCESS;
    },

    fd_pread(fd: number, iovs: number, iovsLen: number, offset: bigint, nreadPtr: number): number {
      const f = fds.get(fd, Rights.FD_READ | Rights.FD_SEEK);
      mem.setU32(nreadPtr, readv(f, iovs, iovsLen, offsetArg(offset)));
      return Errno.SUCCESS;
    },

    fd_prestat_get(fd: number, ptr: number): number {
      if (fds.lookup(fd).isPreopenedSocket) {
        mem.check(ptr, Layout.prestat.size);
        mem.setU8(ptr + Layout.prestat.tag, PREOPENTYPE_SOCKET);
        mem.setU32(ptr + Layout.prestat.pr_name_len, 0);
        return Errno.SUCCESS;
      }
      const name = preopenName(fd);
      mem.setU8(ptr + Layout.prestat.tag, 0);
      mem.setU32(ptr + Layout.prestat.pr_name_len, name.length);
      return Errno.SUCCESS;
    },

    fd_prestat_dir_name(fd: number, pathPtr: number, pathLen: number): number {
      const name = preopenName(fd);
      if ((pathLen >>> 0) < name.length) return Errno.NAMETOOLONG;
      mem.write(pathPtr, name);
      return Errno.SUCCESS;
    },

    fd_pwrite(fd: number, iovs: number, iovsLen: number, offset: bigint, nwrittenPtr: number): number {
      const f = fds.get(fd, Rights.FD_WRITE | Rights.FD_SEEK);
      mem.setU32(nwrittenPtr, writev(f, iovs, iovsLen, offsetArg(offset)));
      return Errno.SUCCESS;
    },

    fd_read(fd: number, iovs: number, iovsLen: number, nreadPtr: number): number {
      const f = fds.get(fd, Rights.FD_READ);
      // A socket read takes what has come, once: it never waits again for a second iovec.
      mem.setU32(nreadPtr, f.isSocket ? recvIovecs(mem, iovs, iovsLen, (b, o, l) => f.read(b, o, l)) : readv(f, iovs, iovsLen, -1));
      return Errno.SUCCESS;
    },

    fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, bufusedPtr: number): number {
      const f = fds.get(fd, Rights.FD_READDIR);
      if (!(f instanceof DirFd)) return Errno.NOTDIR;
      bufLen >>>= 0;
      const start = mem.check(buf, bufLen);
      const c = u64ToNumber(cookie);
      const list = f.entries(c < 0 ? 0 : c);
      const D = Layout.dirent;
      const u8 = mem.u8; // current after mem.check above; nothing below grows memory
      let used = 0;
      for (let i = c < 0 ? list.length : c; i < list.length && used < bufLen; i++) {
        const e = list[i]!;
        // An ASCII name (most are) is its own UTF-8: copied by a loop, no encoder's buffer per entry.
        const name = e.utf8 ?? (isAscii(e.name) ? null : (e.utf8 = encodeUtf8(e.name)));
        const namlen = name === null ? e.name.length : name.length;
        direntView.setUint32(D.d_next, i + 1, true); // d_next's high word stays 0
        direntView.setBigUint64(D.d_ino, f.inoOf(e), true);
        direntView.setUint32(D.d_namlen, namlen, true);
        direntView.setUint8(D.d_type, e.filetype);
        // An entry that does not fit is written in part: bufused == buf_len tells the guest to come back.
        const h = Math.min(D.size, bufLen - used);
        u8.set(h === D.size ? dirent : dirent.subarray(0, h), start + used);
        used += h;
        const n = Math.min(namlen, bufLen - used);
        if (name !== null) {
          u8.set(n === namlen ? name : name.subarray(0, n), start + used);
        } else {
          const s = e.name;
          for (let k = 0, at = start + used; k < n; k++) u8[at + k] = s.charCodeAt(k);
        }
        used += n;
      }
      mem.setU32(bufusedPtr, used);
      return Errno.SUCCESS;
    },

    fd_renumber(from: number, to: number): number {
      fds.renumber(from, to)?.close();
      return Errno.SUCCESS;
    },

    fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number): number {
      // A seek that only asks where we are needs FD_TELL, not FD_SEEK (as in uvwasi).
      const rights = offset === 0n && whence === Whence.CUR ? Rights.FD_TELL : Rights.FD_SEEK;
      const f = fds.get(fd, rights);
      if (whence > Whence.END) return Errno.INVAL;
      const delta = Number(offset);
      if (!Number.isSafeInteger(delta)) return Errno.INVAL;
      mem.setU64n(newOffsetPtr, f.seek(delta, whence));
      return Errno.SUCCESS;
    },

    fd_sync(fd: number): number {
      fds.get(fd, Rights.FD_SYNC).sync();
      return Errno.SUCCESS;
    },

    fd_tell(fd: number, offsetPtr: number): number {
      mem.setU64n(offsetPtr, fds.get(fd, Rights.FD_TELL).tell());
      return Errno.SUCCESS;
    },

    fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number): number {
      const f = fds.get(fd, Rights.FD_WRITE);
      mem.setU32(nwrittenPtr, writev(f, iovs, iovsLen, -1));
      return Errno.SUCCESS;
    },
  };
}
