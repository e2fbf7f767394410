import { ERRNO_NAMES, Errno } from './abi.js';

/**
 * Thrown inside the host to abort a WASI call with an errno. Not an Error
 * subclass on purpose: no stack trace is captured, so failing calls stay cheap.
 */
export class WasiError {
  constructor(readonly errno: Errno) {}

  /** For the rare case one reaches a person: "NOENT". */
  get message(): string {
    return `WASI error ${ERRNO_NAMES[this.errno] ?? this.errno}`;
  }
}

/** Thrown by proc_exit; unwinds the guest and carries the exit code to start(). */
export class WasiExit {
  constructor(readonly code: number) {}
}

/** node's errno codes (from libuv) to WASI errno. */
const CODE_TO_ERRNO: Record<string, Errno> = {
  E2BIG: Errno.TOOBIG, EACCES: Errno.ACCES, EADDRINUSE: Errno.ADDRINUSE,
  EADDRNOTAVAIL: Errno.ADDRNOTAVAIL, EAFNOSUPPORT: Errno.AFNOSUPPORT, EAGAIN: Errno.AGAIN,
  EALREADY: Errno.ALREADY, EBADF: Errno.BADF, EBUSY: Errno.BUSY, ECANCELED: Errno.CANCELED,
  ECONNABORTED: Errno.CONNABORTED, ECONNREFUSED: Errno.CONNREFUSED, ECONNRESET: Errno.CONNRESET,
  EEXIST: Errno.EXIST, EFAULT: Errno.FAULT, EFBIG: Errno.FBIG, EHOSTUNREACH: Errno.HOSTUNREACH,
  EINTR: Errno.INTR, EINVAL: Errno.INVAL, EIO: Errno.IO, EISCONN: Errno.ISCONN, EISDIR: Errno.ISDIR,
  ELOOP: Errno.LOOP, EMFILE: Errno.MFILE, EMLINK: Errno.MLINK, EMSGSIZE: Errno.MSGSIZE,
  ENAMETOOLONG: Errno.NAMETOOLONG, ENETDOWN: Errno.NETDOWN, ENETUNREACH: Errno.NETUNREACH,
  ENFILE: Errno.NFILE, ENOBUFS: Errno.NOBUFS, ENODEV: Errno.NODEV, ENOENT: Errno.NOENT,
  ENOMEM: Errno.NOMEM, ENOSPC: Errno.NOSPC, ENOSYS: Errno.NOSYS, ENOTCONN: Errno.NOTCONN,
  ENOTDIR: Errno.NOTDIR, ENOTEMPTY: Errno.NOTEMPTY, ENOTSOCK: Errno.NOTSOCK, ENOTSUP: Errno.NOTSUP,
  EOPNOTSUPP: Errno.NOTSUP, ENOTTY: Errno.NOTTY, ENXIO: Errno.NXIO, EOVERFLOW: Errno.OVERFLOW,
  EPERM: Errno.PERM, EPIPE: Errno.PIPE, EPROTO: Errno.PROTO, ERANGE: Errno.RANGE, EROFS: Errno.ROFS,
  ESPIPE: Errno.SPIPE, ESRCH: Errno.SRCH, ETIMEDOUT: Errno.TIMEDOUT, ETXTBSY: Errno.TXTBSY,
  EXDEV: Errno.XDEV, EDQUOT: Errno.DQUOT, EILSEQ: Errno.ILSEQ, ENOLCK: Errno.NOLCK,
};

/**
 * Any exception raised while serving a WASI call, as an errno. Host exceptions
 * must never reach the guest or the embedder: anything unexpected becomes EIO.
 * RangeError comes from DataView/TypedArray bounds checks on guest memory.
 */
export function errnoOf(err: unknown): Errno {
  if (err instanceof WasiError) return err.errno;
  if (err instanceof RangeError) return Errno.FAULT;
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string' && code in CODE_TO_ERRNO) return CODE_TO_ERRNO[code]!;
    if (code === 'ERR_OUT_OF_RANGE' || code === 'ERR_INVALID_ARG_VALUE') return Errno.INVAL;
  }
  return Errno.IO;
}
