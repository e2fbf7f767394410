/**
 * node:module for the browser build. random_get loads node:crypto on first
 * use through createRequire (wasi/calls/proc.ts); here that require gives a
 * randomFillSync made of Web Crypto, the same CSPRNG browsers give pages.
 * Nothing else may be required: anything else is a Node-only path that the
 * browser build must not reach, and it says so.
 */
const MAX = 65536; // getRandomValues fills at most 64 KiB per call

function randomFillSync<T extends ArrayBufferView>(buf: T, offset = 0, size?: number): T {
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const end = size === undefined ? bytes.length : offset + size;
  // getRandomValues refuses views of shared memory (a threaded guest's): fill a copy then.
  const shared = typeof SharedArrayBuffer !== 'undefined' && bytes.buffer instanceof SharedArrayBuffer;
  for (let at = offset; at < end; at += MAX) {
    const n = Math.min(MAX, end - at);
    if (shared) bytes.set(crypto.getRandomValues(new Uint8Array(n)), at);
    else crypto.getRandomValues(bytes.subarray(at, at + n));
  }
  return buf;
}

export function createRequire(_from: string): (id: string) => unknown {
  return (id) => {
    if (id === 'node:crypto' || id === 'crypto') return { randomFillSync };
    throw new Error(`${id} is not available in the tswasi browser build`);
  };
}
