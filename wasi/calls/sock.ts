/**
 * sock_accept, sock_recv, sock_send, sock_shutdown: decode, check, and
 * delegate to the fd (../sockets/guest-side.ts for the sockets a host gave
 * the guest; any other fd answers NOTSOCK, as wasmtime and wasi-testsuite
 * expect). Flags outside the witx sets are INVAL; sock_send's si_flags has
 * no flag defined and must be 0.
 */
import { Errno, Fdflags, Layout, Riflags, Rights, Sdflags } from '../abi.js';
import { WasiError } from '../errors.js';
import type { Fd } from '../fd.js';
import type { GuestMemory } from '../memory.js';
import type { CallContext, WasiFunctions } from './context.js';

const RIFLAGS_ALL = Riflags.RECV_PEEK | Riflags.RECV_WAITALL;

/** Several iovecs take one recv: read into this, then scatter (a recv never waits between iovecs). */
const SCRATCH = new Uint8Array(64 * 1024);

export function sockCalls({ mem, fds }: CallContext): WasiFunctions {
  /**
   * A socket call's fd: BADF for none, NOTSOCK for one that is not a socket;
   * the wrong kind of socket is left to its method (accept on a connection:
   * INVAL; recv, send, shutdown on a listener: NOTCONN, as on Linux);
   * NOTCAPABLE only for a right the guest dropped.
   */
  const socket = (fd: number, rights: number): Fd => {
    const f = fds.lookup(fd);
    if (!f.isSocket) throw new WasiError(Errno.NOTSOCK);
    if ((f.kindRights & rights) !== rights) return f;
    return fds.get(fd, rights);
  };

  return {
    sock_accept(fd: number, flags: number, fdPtr: number): number {
      const f = socket(fd, Rights.SOCK_ACCEPT);
      if (flags & ~Fdflags.NONBLOCK) return Errno.INVAL;
      mem.check(fdPtr, 4);
      const conn = f.accept((flags & Fdflags.NONBLOCK) !== 0);
      mem.setU32(fdPtr, fds.insert(conn));
      return Errno.SUCCESS;
    },

    sock_recv(fd: number, iovs: number, iovsLen: number, riFlags: number, roLenPtr: number, roFlagsPtr: number): number {
      const f = socket(fd, Rights.FD_READ);
      if (riFlags & ~RIFLAGS_ALL) return Errno.INVAL;
      mem.check(roLenPtr, 4);
      mem.check(roFlagsPtr, 2);
      const n = recvIovecs(mem, iovs, iovsLen, (buf, off, len) => f.recv(buf, off, len, riFlags));
      mem.setU32(roLenPtr, n);
      mem.setU16(roFlagsPtr, 0); // RECV_DATA_TRUNCATED is for datagrams; a stream never truncates
      return Errno.SUCCESS;
    },

    sock_send(fd: number, iovs: number, iovsLen: number, siFlags: number, soLenPtr: number): number {
      const f = socket(fd, Rights.FD_WRITE);
      if (siFlags !== 0) return Errno.INVAL;
      mem.check(soLenPtr, 4);
      mem.check(iovs, (iovsLen >>> 0) * Layout.iovec.size);
      let total = 0;
      for (let i = 0; i < iovsLen >>> 0; i++) {
        const ptr = mem.iovBuf(iovs, i);
        const len = mem.iovLen(iovs, i);
        const p = mem.check(ptr, len);
        const n = f.send(mem.u8, p, len);
        total += n;
        if (n < len) break;
      }
      mem.setU32(soLenPtr, total);
      return Errno.SUCCESS;
    },

    sock_shutdown(fd: number, how: number): number {
      const f = socket(fd, Rights.SOCK_SHUTDOWN);
      if (how === 0 || how & ~(Sdflags.RD | Sdflags.WR)) return Errno.INVAL;
      f.shutdown(how);
      return Errno.SUCCESS;
    },
  };
}

/**
 * One recv into the iovecs: straight into guest memory for one, through
 * SCRATCH for several. Read once (`read`: one recv, which may wait for the first byte) into a
 * list of iovecs: fd_read and sock_recv on a stream, which must not wait
 * again for a second iovec once some bytes came.
 */
export function recvIovecs(
  mem: GuestMemory, iovs: number, iovsLen: number, read: (buf: Uint8Array, off: number, len: number) => number,
): number {
  iovsLen >>>= 0;
  mem.check(iovs, iovsLen * Layout.iovec.size);
  let total = 0;
  for (let i = 0; i < iovsLen; i++) {
    const len = mem.iovLen(iovs, i);
    mem.check(mem.iovBuf(iovs, i), len);
    total += len;
  }
  if (iovsLen === 1) {
    const p = mem.check(mem.iovBuf(iovs, 0), mem.iovLen(iovs, 0));
    return read(mem.u8, p, mem.iovLen(iovs, 0));
  }
  const n = read(SCRATCH, 0, Math.min(total, SCRATCH.length));
  // Scatter what came (memory cannot have grown: the guest is inside this call).
  let at = 0;
  for (let i = 0; i < iovsLen && at < n; i++) {
    const p = mem.iovBuf(iovs, i);
    const len = Math.min(mem.iovLen(iovs, i), n - at);
    mem.u8.set(SCRATCH.subarray(at, at + len), p);
    at += len;
  }
  return n;
}
