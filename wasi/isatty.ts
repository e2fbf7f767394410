/**
 * isatty(3) for the host fds tswasi decides on at start-up (the guest's
 * stdio, the output rings), without loading node:tty when the answer is
 * already known. node:tty loads node:net and the stream modules with it:
 * ~2 ms of every `tswasi run` and container start on Node 26, for stdio
 * that is almost always a pipe, a file or /dev/null.
 *
 * A terminal is always a character device, so anything else is not one
 * (one fstat). Of character devices, Linux's memory devices (major 1:
 * /dev/null, /dev/zero, /dev/full, /dev/random) never are; every other
 * character device — a terminal, or a rarer device that might be one —
 * is asked of node:tty, whose isatty is the ioctl itself.
 */
import { fstatSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Linux's major device number for /dev/null and the other memory devices. */
const MEM_MAJOR = 1;

/** glibc's gnu_dev_major: the major number of a Linux dev_t. */
function linuxMajor(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}

/** Is host fd `fd` a terminal? False for a closed fd, as isatty(3) says. */
export function isatty(fd: number): boolean {
  let st;
  try {
    st = fstatSync(fd);
  } catch {
    return false;
  }
  if (!st.isCharacterDevice()) return false;
  if (process.platform === 'linux' && linuxMajor(st.rdev) === MEM_MAJOR) return false;
  const tty = createRequire(import.meta.url)('node:tty') as typeof import('node:tty');
  return tty.isatty(fd);
}
