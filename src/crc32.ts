/**
 * CRC-32 as gzip uses it, computed in WebAssembly (./crc32.wat, assembled by
 * the build into dist/src/crc32.wasm): a recording's small blocks are
 * written as stored gzip members (record/stored-gzip.ts), which need only
 * this checksum, so a short recorded run never loads node:zlib (~3 ms on
 * Node 20, ~8 ms on Node 26 with the node:stream modules it pulls in).
 */
import { instantiateOwn } from './own-wasm.js';

/** Where the bytes go in the module's memory (the tables are below: crc32.wat). */
const DATA_AT = 8192;
/**
 * Bytes copied in and checksummed per call: within the module's one page,
 * and V8 moves a hot wasm function to optimized code only at a later call.
 */
const CHUNK = 16384;

interface Crc32Exports {
  memory: WebAssembly.Memory;
  update(crc: number, off: number, end: number): number;
}

let exports: Crc32Exports | undefined;

/** The CRC-32 of `bytes`, as an unsigned 32-bit number; with `crc`, of the bytes that gave it followed by `bytes`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  exports ??= instantiateOwn<Crc32Exports>('crc32');
  const x = exports;
  const u8 = new Uint8Array(x.memory.buffer);
  for (let at = 0; at < bytes.length; at += CHUNK) {
    const part = bytes.subarray(at, at + CHUNK);
    u8.set(part, DATA_AT);
    crc = x.update(crc, DATA_AT, DATA_AT + part.length);
  }
  return crc >>> 0;
}
