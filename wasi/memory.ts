import { Errno, Layout } from './abi.js';
import { WasiError } from './errors.js';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();
/** Typed arrays use host byte order; wasm memory is little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const IOV = Layout.iovec;

/**
 * The only door to guest linear memory. Every access is bounds-checked and a
 * bad pointer becomes WasiError(FAULT) — never a host exception. The views are
 * refreshed when `memory.grow` detaches the old ArrayBuffer.
 */
export class GuestMemory {
  u8: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(new ArrayBuffer(0));
  /** Aligned u64 view for the clock hot path; empty on big-endian hosts (typed arrays use host order). */
  u64view: BigUint64Array = new BigUint64Array(0);
  /** Aligned u32 view (the recorder reads clock values back through it); empty on big-endian hosts. */
  u32view: Uint32Array = new Uint32Array(0);
  private memory: WebAssembly.Memory | null = null;

  attach(memory: WebAssembly.Memory): void {
    this.memory = memory;
    this.refresh();
  }

  /** Re-derive views if the buffer changed (grow detaches it: its length drops to 0). */
  refresh(): void {
    const m = this.memory;
    if (m === null) throw new WasiError(Errno.FAULT);
    const buf = m.buffer;
    if (this.u8.buffer !== buf || this.u8.byteLength !== buf.byteLength) {
      this.u8 = new Uint8Array(buf);
      this.view = new DataView(buf);
      this.u64view = LITTLE_ENDIAN ? new BigUint64Array(buf, 0, buf.byteLength >>> 3) : new BigUint64Array(0);
      this.u32view = LITTLE_ENDIAN ? new Uint32Array(buf, 0, buf.byteLength >>> 2) : new Uint32Array(0);
    }
  }

  /**
   * The u64view index of an 8-aligned u64 at `ptr` inside memory, or -1:
   * unaligned, out of bounds, memory grown since the views were made (the
   * old view is then empty) or a big-endian host — store through setU64,
   * which checks and refreshes. The clock's hot path: a typed-array store
   * V8 compiles inline, no DataView call.
   */
  u64Index(ptr: number): number {
    const p = ptr >>> 0;
    return (p & 7) === 0 && p >>> 3 < this.u64view.length ? p >>> 3 : -1;
  }

  /** Check that [ptr, ptr+len) is inside memory; returns ptr. */
  check(ptr: number, len: number): number {
    // ptr/len arrive as i32 from the guest; >>> 0 makes them the u32 the ABI means.
    // `length`, not `byteLength` (the same for a Uint8Array): Node 20's V8
    // does not inline a typed array's byteLength (~14 ns a read, against ~1.5
    // ns for length), and this check guards every access to guest memory.
    ptr >>>= 0; len >>>= 0;
    if (ptr + len > this.u8.length) {
      this.refresh();
      if (ptr + len > this.u8.length) throw new WasiError(Errno.FAULT);
    }
    return ptr;
  }

  u32(ptr: number): number {
    const p = this.check(ptr, 4);
    return this.view.getUint32(p, true);
  }
  /** The buffer pointer of iovec (or ciovec) `i` of the array at `iovs`. */
  iovBuf(iovs: number, i: number): number {
    return this.u32(iovs + i * IOV.size + IOV.buf);
  }
  /** The length of iovec (or ciovec) `i` of the array at `iovs`. */
  iovLen(iovs: number, i: number): number {
    return this.u32(iovs + i * IOV.size + IOV.buf_len);
  }
  setU8(ptr: number, v: number): void {
    const p = this.check(ptr, 1);
    this.view.setUint8(p, v);
  }
  setU16(ptr: number, v: number): void {
    const p = this.check(ptr, 2);
    this.view.setUint16(p, v, true);
  }
  setU32(ptr: number, v: number): void {
    const p = this.check(ptr, 4);
    this.view.setUint32(p, v, true);
  }
  u64(ptr: number): bigint {
    const p = this.check(ptr, 8);
    return this.view.getBigUint64(p, true);
  }
  setU64(ptr: number, v: bigint): void {
    const p = this.check(ptr, 8);
    this.view.setBigUint64(p, v, true);
  }
  /** Write a non-negative integer known to fit in 53 bits as a u64 without a BigInt. */
  setU64n(ptr: number, v: number): void {
    const p = this.check(ptr, 8);
    this.view.setUint32(p, v >>> 0, true);
    this.view.setUint32(p + 4, Math.floor(v / 0x100000000), true);
  }

  /** A view (not a copy) of guest bytes; valid until the next memory.grow. */
  bytes(ptr: number, len: number): Uint8Array {
    const p = this.check(ptr, len);
    return this.u8.subarray(p, p + (len >>> 0));
  }

  /** Decode a UTF-8 string; invalid UTF-8 is EILSEQ as in wasmtime. */
  string(ptr: number, len: number): string {
    const p = this.check(ptr, len);
    len >>>= 0;
    // Fast path for short ASCII (most paths): avoids TextDecoder's setup cost.
    if (len <= 64) {
      const u8 = this.u8;
      for (let i = p, end = p + len; i < end; i++) if (u8[i]! >= 0x80) return this.decodeUtf8(p, len);
      // One flat string (a += per byte builds a rope the first Map lookup has to flatten).
      return String.fromCharCode.apply(null, u8.subarray(p, p + len) as unknown as number[]);
    }
    return this.decodeUtf8(p, len);
  }

  private decodeUtf8(p: number, len: number): string {
    try {
      return utf8Decoder.decode(this.u8.subarray(p, p + len));
    } catch {
      throw new WasiError(Errno.ILSEQ);
    }
  }

  /** Copy bytes into guest memory; returns the number of bytes written. */
  write(ptr: number, data: Uint8Array): number {
    const p = this.check(ptr, data.length);
    this.u8.set(data, p);
    return data.length;
  }
}

export function encodeUtf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}
