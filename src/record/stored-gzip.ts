/**
 * A gzip member (RFC 1952) whose deflate data is stored blocks (RFC 1951
 * §3.2.4): the bytes as they are, in pieces of at most 65,535, framed and
 * checksummed. Any gzip reader reads it (node:zlib, the browser's
 * DecompressionStream, gunzip); writing it needs no compressor.
 */
import { crc32 } from '../crc32.js';

/** A stored block's most bytes (LEN is 16 bits). */
const MAX_STORED = 65535;
/** ID1 ID2, CM = deflate, FLG = 0, MTIME = 0, XFL = 0, OS = 3 (Unix), as zlib writes them. */
const HEADER = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];

export function storedGzipMember(data: Uint8Array): Uint8Array {
  const n = data.length;
  const pieces = Math.max(1, Math.ceil(n / MAX_STORED));
  const out = new Uint8Array(HEADER.length + pieces * 5 + n + 8);
  out.set(HEADER);
  let o = HEADER.length;
  for (let i = 0; i < pieces; i++) {
    const len = Math.min(MAX_STORED, n - i * MAX_STORED);
    // BFINAL on the last piece, BTYPE 00 (stored); the rest of the byte pads to a byte boundary.
    out[o++] = i === pieces - 1 ? 1 : 0;
    out[o++] = len & 0xff; out[o++] = len >>> 8;
    out[o++] = ~len & 0xff; out[o++] = (~len >>> 8) & 0xff;
    out.set(data.subarray(i * MAX_STORED, i * MAX_STORED + len), o);
    o += len;
  }
  const crc = crc32(data);
  out[o++] = crc & 0xff; out[o++] = (crc >>> 8) & 0xff; out[o++] = (crc >>> 16) & 0xff; out[o++] = crc >>> 24;
  out[o++] = n & 0xff; out[o++] = (n >>> 8) & 0xff; out[o++] = (n >>> 16) & 0xff; out[o++] = (n >>> 24) & 0xff;
  return out;
}
