/**
 * A gzip member (RFC 1952) whose deflate data is stored blocks (RFC 1951
 * §3.2.4): the bytes as they are, in pieces of at most 65,535, framed and
 * checksummed. Any gzip reader reads it (node:zlib, the browser's
 * DecompressionStream, gunzip); writing it needs no compressor, and
 * reading a file of nothing else needs none either.
 */
import { crc32 } from '../crc32.js';
import { u32At } from './format.js';

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

/**
 * The bytes of a file that is nothing but whole members as storedGzipMember
 * writes them, each checked against its CRC-32 and length; null for
 * anything else — a deflated member, another writer's header, a cut or
 * damaged member — which node:zlib then reads (and words the error of).
 */
export function readStoredMembers(file: Uint8Array): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let total = 0;
  let at = 0;
  while (at < file.length) {
    if (at + HEADER.length > file.length) return null;
    for (let i = 0; i < HEADER.length; i++) if (file[at + i] !== HEADER[i]) return null;
    at += HEADER.length;
    let size = 0;
    let crc = 0;
    for (let final = false; !final;) {
      if (at + 5 > file.length) return null;
      const head = file[at]!;
      if (head > 1) return null; // not a stored block, or padding bits set
      final = head === 1;
      const len = file[at + 1]! | (file[at + 2]! << 8);
      if ((file[at + 3]! | (file[at + 4]! << 8)) !== (~len & 0xffff) || at + 5 + len > file.length) return null;
      const piece = file.subarray(at + 5, at + 5 + len);
      parts.push(piece);
      crc = crc32(piece, crc);
      size += len;
      at += 5 + len;
    }
    if (at + 8 > file.length) return null;
    if (u32At(file, at) !== crc || u32At(file, at + 4) !== size >>> 0) return null;
    at += 8;
    total += size;
  }
  return concat(parts, total);
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
