/**
 * What tswasi-oci and `tswasi --version` print, written straight to fds 1 and 2. process.stdout
 * and process.stderr are streams whose first use loads node:net, node:tty
 * and the stream modules (~2 ms on Node 26) — a cost every `state` an
 * engine polls with would pay for one write. A runtime call ends right
 * after it prints, so the writes are synchronous anyway.
 */
import { writeAll } from '../wasi/host-stdio.js';

function write(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  writeAll(fd, bytes, 0, bytes.length);
}

export const writeOut = (text: string): void => write(1, text);
export const writeErr = (text: string): void => write(2, text);
