/**
 * The wasi_snapshot_preview1 ABI: every number and struct layout a WASI call
 * exchanges with the guest. Names follow the witx spec
 * (WebAssembly/WASI, legacy/preview1/witx/typenames.witx).
 */

// The enums are real (not `const enum`): embedders import them at run time
// (`Errno.NOENT`) and TypeScript users with isolatedModules cannot read an
// ambient const enum. A property load (which V8 caches) costs nothing
// next to a WASI call's boundary crossing.

/** errno: the error codes every WASI function returns. */
export enum Errno {
  SUCCESS = 0, TOOBIG = 1, ACCES = 2, ADDRINUSE = 3, ADDRNOTAVAIL = 4, AFNOSUPPORT = 5,
  AGAIN = 6, ALREADY = 7, BADF = 8, BADMSG = 9, BUSY = 10, CANCELED = 11, CHILD = 12,
  CONNABORTED = 13, CONNREFUSED = 14, CONNRESET = 15, DEADLK = 16, DESTADDRREQ = 17,
  DOM = 18, DQUOT = 19, EXIST = 20, FAULT = 21, FBIG = 22, HOSTUNREACH = 23, IDRM = 24,
  ILSEQ = 25, INPROGRESS = 26, INTR = 27, INVAL = 28, IO = 29, ISCONN = 30, ISDIR = 31,
  LOOP = 32, MFILE = 33, MLINK = 34, MSGSIZE = 35, MULTIHOP = 36, NAMETOOLONG = 37,
  NETDOWN = 38, NETRESET = 39, NETUNREACH = 40, NFILE = 41, NOBUFS = 42, NODEV = 43,
  NOENT = 44, NOEXEC = 45, NOLCK = 46, NOLINK = 47, NOMEM = 48, NOMSG = 49,
  NOPROTOOPT = 50, NOSPC = 51, NOSYS = 52, NOTCONN = 53, NOTDIR = 54, NOTEMPTY = 55,
  NOTRECOVERABLE = 56, NOTSOCK = 57, NOTSUP = 58, NOTTY = 59, NXIO = 60, OVERFLOW = 61,
  OWNERDEAD = 62, PERM = 63, PIPE = 64, PROTO = 65, PROTONOSUPPORT = 66, PROTOTYPE = 67,
  RANGE = 68, ROFS = 69, SPIPE = 70, SRCH = 71, STALE = 72, TIMEDOUT = 73, TXTBSY = 74,
  XDEV = 75, NOTCAPABLE = 76,
}

/**
 * The names of a numeric enum's members by value (TypeScript's reverse
 * mapping), for traces and error messages: the enum is the one list.
 */
function namesByValue(e: Readonly<Record<number, string>>, count: number): readonly string[] {
  return Object.freeze(Array.from({ length: count }, (_, v) => e[v]!));
}

/** The union of a flag set's bits. */
function allBits(flags: Readonly<Record<string, number>>): number {
  let all = 0;
  for (const bit of Object.values(flags)) all |= bit;
  return all;
}

/** errno names by value, for traces and error messages. */
export const ERRNO_NAMES: readonly string[] = namesByValue(Errno, Errno.NOTCAPABLE + 1);

/**
 * rights: what an fd may be used for. A u64 in the ABI, but every defined bit
 * is below 30, so the host keeps rights as plain numbers (no BigInt on hot paths).
 */
export const Rights = {
  FD_DATASYNC: 1 << 0,
  FD_READ: 1 << 1,
  FD_SEEK: 1 << 2,
  FD_FDSTAT_SET_FLAGS: 1 << 3,
  FD_SYNC: 1 << 4,
  FD_TELL: 1 << 5,
  FD_WRITE: 1 << 6,
  FD_ADVISE: 1 << 7,
  FD_ALLOCATE: 1 << 8,
  PATH_CREATE_DIRECTORY: 1 << 9,
  PATH_CREATE_FILE: 1 << 10,
  PATH_LINK_SOURCE: 1 << 11,
  PATH_LINK_TARGET: 1 << 12,
  PATH_OPEN: 1 << 13,
  FD_READDIR: 1 << 14,
  PATH_READLINK: 1 << 15,
  PATH_RENAME_SOURCE: 1 << 16,
  PATH_RENAME_TARGET: 1 << 17,
  PATH_FILESTAT_GET: 1 << 18,
  PATH_FILESTAT_SET_SIZE: 1 << 19,
  PATH_FILESTAT_SET_TIMES: 1 << 20,
  FD_FILESTAT_GET: 1 << 21,
  FD_FILESTAT_SET_SIZE: 1 << 22,
  FD_FILESTAT_SET_TIMES: 1 << 23,
  PATH_SYMLINK: 1 << 24,
  PATH_REMOVE_DIRECTORY: 1 << 25,
  PATH_UNLINK_FILE: 1 << 26,
  POLL_FD_READWRITE: 1 << 27,
  SOCK_SHUTDOWN: 1 << 28,
  SOCK_ACCEPT: 1 << 29,
} as const;
export type RightName = keyof typeof Rights;
export const RIGHTS_ALL = allBits(Rights);

/** Rights a regular file can have at most (uvwasi's UVWASI__RIGHTS_REGULAR_FILE_BASE). */
export const RIGHTS_REGULAR_FILE =
  Rights.FD_DATASYNC | Rights.FD_READ | Rights.FD_SEEK | Rights.FD_FDSTAT_SET_FLAGS |
  Rights.FD_SYNC | Rights.FD_TELL | Rights.FD_WRITE | Rights.FD_ADVISE | Rights.FD_ALLOCATE |
  Rights.FD_FILESTAT_GET | Rights.FD_FILESTAT_SET_SIZE | Rights.FD_FILESTAT_SET_TIMES |
  Rights.POLL_FD_READWRITE;

/** Rights a directory can have at most. */
export const RIGHTS_DIRECTORY =
  Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_SYNC | Rights.FD_ADVISE | Rights.PATH_CREATE_DIRECTORY |
  Rights.PATH_CREATE_FILE | Rights.PATH_LINK_SOURCE | Rights.PATH_LINK_TARGET | Rights.PATH_OPEN |
  Rights.FD_READDIR | Rights.PATH_READLINK | Rights.PATH_RENAME_SOURCE |
  Rights.PATH_RENAME_TARGET | Rights.PATH_FILESTAT_GET | Rights.PATH_FILESTAT_SET_SIZE |
  Rights.PATH_FILESTAT_SET_TIMES | Rights.FD_FILESTAT_GET | Rights.FD_FILESTAT_SET_TIMES |
  Rights.PATH_SYMLINK | Rights.PATH_REMOVE_DIRECTORY | Rights.PATH_UNLINK_FILE |
  Rights.POLL_FD_READWRITE | Rights.FD_DATASYNC;

/** Rights inherited by files opened through a directory: everything a file or directory may have. */
export const RIGHTS_DIRECTORY_INHERITING = RIGHTS_DIRECTORY | RIGHTS_REGULAR_FILE;

/** Rights of a character device or pipe (stdio): no seek/tell, no sizes. */
export const RIGHTS_TTY =
  Rights.FD_READ | Rights.FD_WRITE | Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_FILESTAT_GET |
  Rights.POLL_FD_READWRITE | Rights.FD_DATASYNC | Rights.FD_SYNC | Rights.FD_ADVISE;

/** filetype */
export enum Filetype {
  UNKNOWN = 0, BLOCK_DEVICE = 1, CHARACTER_DEVICE = 2, DIRECTORY = 3, REGULAR_FILE = 4,
  SOCKET_DGRAM = 5, SOCKET_STREAM = 6, SYMBOLIC_LINK = 7,
}
export const FILETYPE_NAMES: readonly string[] = namesByValue(Filetype, Filetype.SYMBOLIC_LINK + 1);

/** fdflags (u16) */
export const Fdflags = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;
/** oflags (u16) */
export const Oflags = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
/** lookupflags (u32) */
export const Lookupflags = { SYMLINK_FOLLOW: 1 } as const;
/** fstflags (u16) */
export const Fstflags = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;
/** Every defined bit of each flag set: a guest argument with any other bit is INVAL. */
export const FDFLAGS_ALL = allBits(Fdflags);
export const OFLAGS_ALL = allBits(Oflags);
export const FSTFLAGS_ALL = allBits(Fstflags);
/** whence (u8) */
export enum Whence { SET = 0, CUR = 1, END = 2 }
export const WHENCE_NAMES: readonly string[] = namesByValue(Whence, Whence.END + 1);
/** advice (u8) */
export enum Advice { NORMAL = 0, SEQUENTIAL = 1, RANDOM = 2, WILLNEED = 3, DONTNEED = 4, NOREUSE = 5 }
export const ADVICE_MAX = Advice.NOREUSE;
export const ADVICE_NAMES: readonly string[] = namesByValue(Advice, ADVICE_MAX + 1);
/** clockid (u32) */
export enum Clockid { REALTIME = 0, MONOTONIC = 1, PROCESS_CPUTIME_ID = 2, THREAD_CPUTIME_ID = 3 }
export const CLOCKID_NAMES: readonly string[] = namesByValue(Clockid, Clockid.THREAD_CPUTIME_ID + 1);
/** eventtype (u8) */
export enum Eventtype { CLOCK = 0, FD_READ = 1, FD_WRITE = 2 }
/** eventrwflags (u16) */
export const EVENTRWFLAGS_FD_READWRITE_HANGUP = 1;
/** subclockflags (u16) */
export const SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME = 1;
/** sdflags (u8) */
export const Sdflags = { RD: 1, WR: 2 } as const;
/** riflags (u16): sock_recv's flags. */
export const Riflags = { RECV_PEEK: 1, RECV_WAITALL: 2 } as const;
/** roflags (u16): what sock_recv reports. */
export const Roflags = { RECV_DATA_TRUNCATED: 1 } as const;
/** preopentype (u8) */
export const PREOPENTYPE_DIR = 0;
/**
 * fd_prestat_get's tag for a socket the host preopened (tswasi's; witx
 * defines only DIR). wasi-libc's preopen scan skips an fd whose tag is not
 * DIR and stops at the first BADF; Go's skips a non-DIR tag too. So
 * listeners at fds 3… and directories after them are all found (wasmtime's
 * BADF for a socket ends both scans there: its issue #3936).
 */
export const PREOPENTYPE_SOCKET = 1;

/** Struct sizes and field offsets (wasm32). */
export const Layout = {
  iovec: { size: 8, buf: 0, buf_len: 4 },
  fdstat: { size: 24, fs_filetype: 0, fs_flags: 2, fs_rights_base: 8, fs_rights_inheriting: 16 },
  filestat: { size: 64, dev: 0, ino: 8, filetype: 16, nlink: 24, size_: 32, atim: 40, mtim: 48, ctim: 56 },
  dirent: { size: 24, d_next: 0, d_ino: 8, d_namlen: 16, d_type: 20 },
  prestat: { size: 8, tag: 0, pr_name_len: 4 },
  subscription: { size: 48, userdata: 0, tag: 8, clock_id: 16, clock_timeout: 24, clock_precision: 32, clock_flags: 40, fd: 16 },
  event: { size: 32, userdata: 0, error: 8, type: 10, nbytes: 16, flags: 24 },
} as const;

/** Names of a bit set, for traces: `CREAT|TRUNC`. */
export function flagNames(value: number | bigint, table: Readonly<Record<string, number | bigint>>): string {
  const v = BigInt(value);
  if (v === 0n) return '0';
  const parts: string[] = [];
  let rest = v;
  for (const [name, bit] of Object.entries(table)) {
    const b = BigInt(bit);
    if ((v & b) !== 0n) { parts.push(name); rest &= ~b; }
  }
  if (rest !== 0n) parts.push('0x' + rest.toString(16));
  return parts.join('|');
}
