/**
 * The protobuf wire format, the little of it the shim speaks: varints,
 * length-delimited fields and the fixed widths (skipped). Hand-written rather
 * than protobufjs: the shim's `start` subcommand runs for every container,
 * and the messages it exchanges are few and flat (messages.ts lists them,
 * field numbers from the .proto files in proto/).
 */

const TEXT = new TextEncoder();
const UTF8 = new TextDecoder();

/** A message under construction. proto3: fields at their default value are left out. */
export class Writer {
  private buf = new Uint8Array(64);
  private len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private rawVarint(v: number): void {
    this.room(10);
    // Up to 2^53: beyond 32 bits, the division keeps it exact.
    while (v > 0x7f) {
      this.buf[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  /** uint32, uint64 (below 2^53), int64 ≥ 0, enum, bool. */
  uint(field: number, v: number): this {
    if (v === 0) return this;
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`protobuf field ${field}: not an unsigned integer: ${v}`);
    this.tag(field, 0);
    this.rawVarint(v);
    return this;
  }

  /** A uint64 of field `field` as a varint; anything outside 0 … 2^64-1 is a RangeError. */
  private rawBigVarint(field: number, v: bigint): void {
    if (v < 0n || v >= 1n << 64n) throw new RangeError(`protobuf field ${field}: not a uint64: ${v}`);
    this.room(10);
    while (v > 0x7fn) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  /** uint64 of any size (a cgroup's "no limit" is near 2^63). */
  uint64(field: number, v: bigint): this {
    if (v === 0n) return this;
    this.tag(field, 0);
    this.rawBigVarint(field, v);
    return this;
  }

  /** repeated uint64, packed (proto3's encoding of a repeated scalar). */
  packedUint64(field: number, vs: readonly bigint[]): this {
    if (vs.length === 0) return this;
    const w = new Writer();
    for (const v of vs) w.rawBigVarint(field, v);
    return this.bytes(field, w.finish());
  }

  /** int32: a negative value is ten bytes (sign-extended to 64 bits). */
  int32(field: number, v: number): this {
    if (v >= 0) return this.uint(field, v);
    this.tag(field, 0);
    this.room(10);
    let b = BigInt.asUintN(64, BigInt(v));
    while (b > 0x7fn) {
      this.buf[this.len++] = Number(b & 0x7fn) | 0x80;
      b >>= 7n;
    }
    this.buf[this.len++] = Number(b);
    return this;
  }

  bool(field: number, v: boolean): this {
    return this.uint(field, v ? 1 : 0);
  }

  bytes(field: number, v: Uint8Array, always = false): this {
    if (v.length === 0 && !always) return this;
    this.tag(field, 2);
    this.rawVarint(v.length);
    this.room(v.length);
    this.buf.set(v, this.len);
    this.len += v.length;
    return this;
  }

  string(field: number, v: string): this {
    return v === '' ? this : this.bytes(field, TEXT.encode(v));
  }

  /** An embedded message: present even when empty (a set message field is not a default). */
  message(field: number, v: Uint8Array | Writer): this {
    return this.bytes(field, v instanceof Writer ? v.finish() : v, true);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class DecodeError extends Error {}

type Value = number | bigint | Uint8Array;

/** A decoded message: each field number's values, in order (a repeated field has several; the last wins for a single one). */
export class Fields {
  private constructor(private readonly map: Map<number, Value[]>) {}

  static decode(b: Uint8Array): Fields {
    const map = new Map<number, Value[]>();
    let i = 0;
    /** A varint: a number, or a bigint when past 2^53 (a negative int32 or int64 is ten bytes). */
    const varint = (): number | bigint => {
      let v = 0;
      let mul = 1;
      const start = i;
      for (let n = 0; n < 10; n++) {
        if (i >= b.length) throw new DecodeError('truncated varint');
        const byte = b[i++]!;
        v += (byte & 0x7f) * mul;
        mul *= 128;
        if ((byte & 0x80) !== 0) continue;
        if (v <= Number.MAX_SAFE_INTEGER) return v;
        let big = 0n;
        for (let k = i - 1; k >= start; k--) big = (big << 7n) | BigInt(b[k]! & 0x7f);
        return BigInt.asUintN(64, big);
      }
      throw new DecodeError('varint longer than 10 bytes');
    };
    const length = (): number => {
      const n = varint();
      if (typeof n !== 'number') throw new DecodeError('length out of range');
      return n;
    };
    while (i < b.length) {
      const key = length();
      const field = Math.floor(key / 8);
      const wire = key % 8;
      if (field === 0) throw new DecodeError('field number 0');
      let value: Value;
      switch (wire) {
        case 0: value = varint(); break;
        case 1: if ((i += 8) > b.length) throw new DecodeError('truncated fixed64'); continue;
        case 5: if ((i += 4) > b.length) throw new DecodeError('truncated fixed32'); continue;
        case 2: {
          const n = length();
          if (i + n > b.length) throw new DecodeError('truncated length-delimited field');
          value = b.subarray(i, i + n);
          i += n;
          break;
        }
        default: throw new DecodeError(`unsupported wire type ${wire}`);
      }
      const list = map.get(field);
      if (list === undefined) map.set(field, [value]);
      else list.push(value);
    }
    return new Fields(map);
  }

  private last(field: number): Value | undefined {
    const l = this.map.get(field);
    return l === undefined ? undefined : l[l.length - 1];
  }

  private varint(field: number): number | bigint {
    const v = this.last(field);
    if (v === undefined) return 0;
    if (v instanceof Uint8Array) throw new DecodeError(`field ${field}: expected a varint`);
    return v;
  }

  /** uint32, uint64, int64, enum (past 2^53, approximate). */
  uint(field: number): number {
    return Number(this.varint(field));
  }

  /** int32 (a negative one comes as a 64-bit two's complement). */
  int32(field: number): number {
    return Number(BigInt.asIntN(32, BigInt(this.varint(field))));
  }

  bool(field: number): boolean {
    return this.uint(field) !== 0;
  }

  bytes(field: number): Uint8Array {
    const v = this.last(field);
    if (v === undefined) return new Uint8Array(0);
    if (!(v instanceof Uint8Array)) throw new DecodeError(`field ${field}: expected bytes`);
    return v;
  }

  string(field: number): string {
    return UTF8.decode(this.bytes(field));
  }

  has(field: number): boolean {
    return this.map.has(field);
  }

  /** An embedded message, or null when absent. */
  message(field: number): Fields | null {
    return this.has(field) ? Fields.decode(this.bytes(field)) : null;
  }

  repeated(field: number): Fields[] {
    return (this.map.get(field) ?? []).map((v) => {
      if (!(v instanceof Uint8Array)) throw new DecodeError(`field ${field}: expected a message`);
      return Fields.decode(v);
    });
  }

  strings(field: number): string[] {
    return (this.map.get(field) ?? []).map((v) => {
      if (!(v instanceof Uint8Array)) throw new DecodeError(`field ${field}: expected a string`);
      return UTF8.decode(v);
    });
  }
}
