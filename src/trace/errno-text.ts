/**
 * What each WASI errno means, in the words of the witx spec
 * (legacy/preview1/witx/typenames.witx), for people reading a trace.
 */
const MEANING: Readonly<Record<string, string>> = {
  SUCCESS: 'No error occurred. System call completed successfully.',
  TOOBIG: 'Argument list too long.', ACCES: 'Permission denied.', ADDRINUSE: 'Address in use.',
  ADDRNOTAVAIL: 'Address not available.', AFNOSUPPORT: 'Address family not supported.',
  AGAIN: 'Resource unavailable, or operation would block.', ALREADY: 'Connection already in progress.',
  BADF: 'Bad file descriptor.', BADMSG: 'Bad message.', BUSY: 'Device or resource busy.',
  CANCELED: 'Operation canceled.', CHILD: 'No child processes.', CONNABORTED: 'Connection aborted.',
  CONNREFUSED: 'Connection refused.', CONNRESET: 'Connection reset.', DEADLK: 'Resource deadlock would occur.',
  DESTADDRREQ: 'Destination address required.', DOM: 'Mathematics argument out of domain of function.',
  DQUOT: 'Reserved.', EXIST: 'File exists.', FAULT: 'Bad address.', FBIG: 'File too large.',
  HOSTUNREACH: 'Host is unreachable.', IDRM: 'Identifier removed.', ILSEQ: 'Illegal byte sequence.',
  INPROGRESS: 'Operation in progress.', INTR: 'Interrupted function.', INVAL: 'Invalid argument.',
  IO: 'I/O error.', ISCONN: 'Socket is connected.', ISDIR: 'Is a directory.',
  LOOP: 'Too many levels of symbolic links.', MFILE: 'File descriptor value too large.',
  MLINK: 'Too many links.', MSGSIZE: 'Message too large.', MULTIHOP: 'Reserved.',
  NAMETOOLONG: 'Filename too long.', NETDOWN: 'Network is down.', NETRESET: 'Connection aborted by network.',
  NETUNREACH: 'Network unreachable.', NFILE: 'Too many files open in system.', NOBUFS: 'No buffer space available.',
  NODEV: 'No such device.', NOENT: 'No such file or directory.', NOEXEC: 'Executable file format error.',
  NOLCK: 'No locks available.', NOLINK: 'Reserved.', NOMEM: 'Not enough space.',
  NOMSG: 'No message of the desired type.', NOPROTOOPT: 'Protocol not available.',
  NOSPC: 'No space left on device.', NOSYS: 'Function not supported.', NOTCONN: 'The socket is not connected.',
  NOTDIR: 'Not a directory or a symbolic link to a directory.', NOTEMPTY: 'Directory not empty.',
  NOTRECOVERABLE: 'State not recoverable.', NOTSOCK: 'Not a socket.',
  NOTSUP: 'Not supported, or operation not supported on socket.', NOTTY: 'Inappropriate I/O control operation.',
  NXIO: 'No such device or address.', OVERFLOW: 'Value too large to be stored in data type.',
  OWNERDEAD: 'Previous owner died.', PERM: 'Operation not permitted.', PIPE: 'Broken pipe.',
  PROTO: 'Protocol error.', PROTONOSUPPORT: 'Protocol not supported.', PROTOTYPE: 'Protocol wrong type for socket.',
  RANGE: 'Result too large.', ROFS: 'Read-only file system.', SPIPE: 'Invalid seek.',
  SRCH: 'No such process.', STALE: 'Reserved.', TIMEDOUT: 'Connection timed out.',
  TXTBSY: 'Text file busy.', XDEV: 'Cross-device link.', NOTCAPABLE: 'Extension: Capabilities insufficient.',
  exit: 'The guest called proc_exit (or trapped): the call does not return.',
};

/** The spec's one-line meaning of an errno name, or '' when unknown. */
export function errnoMeaning(name: string): string {
  return MEANING[name] ?? '';
}
