/**
 * SHA-256 (FIPS 180-4) without node:crypto, in hex, as node:crypto's
 * digest('hex') gives it. Loading node:crypto costs a process 3.5 ms on
 * Node 20 and 5–10 ms on Node 26 (it pulls in node:stream and the cipher
 * classes), more than what is hashed here: the run directory's names
 * (oci/bundle-copies.ts, oci/runner-root.ts: a few dozen bytes, on every
 * tswasi-oci call) and a recorded run's module (`tswasi run --record`, once,
 * at start-up).
 *
 * One padding, two engines for the compression function: TypeScript for a
 * message of up to TS_BLOCKS blocks (nothing to compile), and WebAssembly
 * (./sha256.wat, assembled by the build into dist/src/sha256.wasm) beyond
 * it, which runs at once from V8's baseline compiler where TypeScript
 * runs interpreted until V8 optimizes it (17 KB: ~10 ms against 1.5–2.5 ms
 * on Node 20, the wasm's compilation included). Above SMALL bytes
 * module-cache.ts uses node:crypto (OpenSSL is faster per byte; at 1 MiB
 * both take ~9 ms, its load included). Checked against node:crypto in
 * test/sha256.test.mjs.
 */
import { instantiateOwn } from './own-wasm.js';

/** The most bytes sha256Hex takes. */
export const SMALL = 1 << 20;
/** Messages of up to this many 64-byte blocks are hashed in TypeScript. */
const TS_BLOCKS = 16;

/** The round constants (also copied into the wasm's memory). */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

/** The TypeScript engine: fold the padded message's blocks into `h`. */
function compress(h: Int32Array, msg: Uint8Array): void {
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const w = new Int32Array(64);
  for (let off = 0; off < msg.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const w15 = w[i - 15]!, w2 = w[i - 2]!;
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = h[0]! + a; h[1] = h[1]! + b; h[2] = h[2]! + c; h[3] = h[3]! + d;
    h[4] = h[4]! + e; h[5] = h[5]! + f; h[6] = h[6]! + g; h[7] = h[7]! + hh;
  }
}

/** The wasm engine's memory layout (sha256.wat): K at 0, the state at 512, the message from 1024. */
const K_AT = 0;
const H_AT = 512;
const MESSAGE_AT = 1024;
const PAGE = 65536;
/** Bytes per call into the wasm: V8 moves a hot wasm function to optimized code only at a later call. */
const CHUNK = 4096;

interface Sha256Exports {
  memory: WebAssembly.Memory;
  blocks(off: number, end: number): void;
}

let wasm: Sha256Exports | undefined;

function wasmEngine(): Sha256Exports {
  if (wasm === undefined) {
    const x = instantiateOwn<Sha256Exports>('sha256');
    const view = new DataView(x.memory.buffer);
    for (let i = 0; i < 64; i++) view.setInt32(K_AT + 4 * i, K[i]!, true); // wasm memory is little-endian
    wasm = x;
  }
  return wasm;
}

/** The padded message: `bytes`, 0x80, zeros, and the length in bits as a big-endian u64, written into `out` at `at`. */
function pad(out: Uint8Array, at: number, bytes: Uint8Array, padded: number): void {
  const n = bytes.length;
  out.set(bytes, at);
  out.fill(0, at + n, at + padded);
  out[at + n] = 0x80;
  const view = new DataView(out.buffer, out.byteOffset + at, padded);
  const bits = n * 8;
  view.setUint32(padded - 8, Math.floor(bits / 0x100000000));
  view.setUint32(padded - 4, bits >>> 0);
}

const hexOf = (word: number): string => (word >>> 0).toString(16).padStart(8, '0');

/** The SHA-256 of `bytes` (at most SMALL of them), as 64 lowercase hex digits. */
export function sha256Hex(bytes: Uint8Array): string {
  if (bytes.length > SMALL) throw new RangeError(`sha256Hex hashes at most ${SMALL} bytes`);
  const padded = Math.ceil((bytes.length + 9) / 64) * 64;
  let hex = '';
  if (padded / 64 <= TS_BLOCKS) {
    const msg = new Uint8Array(padded);
    pad(msg, 0, bytes, padded);
    const h = Int32Array.from(H0);
    compress(h, msg);
    for (const word of h) hex += hexOf(word);
    return hex;
  }
  const x = wasmEngine();
  const end = MESSAGE_AT + padded;
  const pages = Math.ceil(end / PAGE) - x.memory.buffer.byteLength / PAGE;
  if (pages > 0) x.memory.grow(pages);
  pad(new Uint8Array(x.memory.buffer), MESSAGE_AT, bytes, padded);
  const state = new DataView(x.memory.buffer, H_AT, 32);
  for (let i = 0; i < 8; i++) state.setInt32(4 * i, H0[i]!, true);
  for (let at = MESSAGE_AT; at < end; at += CHUNK) x.blocks(at, Math.min(at + CHUNK, end));
  for (let i = 0; i < 8; i++) hex += hexOf(state.getInt32(4 * i, true));
  return hex;
}

/** The SHA-256 of a string's UTF-8 bytes. */
export const sha256HexOfText = (text: string): string => sha256Hex(new TextEncoder().encode(text));
