/**
 * sock_accept, sock_recv, sock_send, sock_shutdown. tswasi preopens no
 * sockets, so no fd is ever a socket: a valid fd is NOTSOCK, any other BADF.
 */
import { Errno } from '../abi.js';
import type { CallContext, WasiFunctions } from './context.js';

export function sockCalls({ fds }: CallContext): WasiFunctions {
  const notSocket = (fd: number): number => (fds.has(fd) ? Errno.NOTSOCK : Errno.BADF);
  return {
    sock_accept: (fd: number, _flags: number, _fdPtr: number) => notSocket(fd),
    sock_recv: (fd: number, _riData: number, _riLen: number, _riFlags: number, _roLen: number, _roFlags: number) => notSocket(fd),
    sock_send: (fd: number, _siData: number, _siLen: number, _siFlags: number, _soLen: number) => notSocket(fd),
    sock_shutdown: (fd: number, _how: number) => notSocket(fd),
  };
}
