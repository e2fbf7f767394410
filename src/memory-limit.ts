/**
 * A memory limit for a guest: rewrite the module's memory section so its
 * maximum is at most the limit. `memory.grow` past it then fails inside the
 * guest (returns -1: malloc gives NULL) instead of growing the host — the
 * only way to cap one instance's linear memory; V8's flag is per process.
 */
import { UserError } from './errors.js';

export const WASM_PAGE = 65536;

function readU32(b: Uint8Array, at: number): [value: number, next: number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = b[at++];
    if (byte === undefined) throw new UserError('malformed module: truncated LEB128');
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [result, at];
    shift += 7;
    if (shift > 35) throw new UserError('malformed module: LEB128 too long');
  }
}

function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** The module with every defined memory's maximum lowered to `maxPages`. */
export function limitMemory(bytes: Uint8Array, maxPages: number): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at]!;
    const [size, start] = readU32(bytes, at + 1);
    const end = start + size;
    if (end > bytes.length) throw new UserError('malformed module: section past the end');
    if (id === 2) assertNoImportedMemory(bytes, start);
    if (id === 5) {
      const body: number[] = [];
      let [count, p] = readU32(bytes, start);
      body.push(...u32(count));
      for (let i = 0; i < count; i++) {
        const flags = bytes[p++]!;
        if (flags & 0x04) throw new UserError('memoryLimit: 64-bit memories are not supported');
        const [min, q] = readU32(bytes, p);
        p = q;
        let max = Infinity;
        if (flags & 0x01) [max, p] = readU32(bytes, p);
        if (min > maxPages) {
          throw new UserError(`memory limit exceeded: the module needs ${min * WASM_PAGE} bytes of memory at start, the limit is ${maxPages * WASM_PAGE}`);
        }
        body.push(flags | 0x01, ...u32(min), ...u32(Math.min(max, maxPages)));
      }
      const content = Uint8Array.from(body);
      parts.push(Uint8Array.from([5, ...u32(content.length)]), content);
    } else {
      parts.push(bytes.subarray(at, end));
    }
    at = end;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function assertNoImportedMemory(bytes: Uint8Array, start: number): void {
  let [count, p] = readU32(bytes, start);
  for (let i = 0; i < count; i++) {
    let len: number;
    [len, p] = readU32(bytes, p); p += len;
    [len, p] = readU32(bytes, p); p += len;
    const kind = bytes[p++];
    if (kind === 0x02) throw new UserError('memoryLimit: modules that import their memory are not supported');
    if (kind === 0x00) [, p] = readU32(bytes, p);
    else if (kind === 0x01) { p++; const f = bytes[p++]!; [, p] = readU32(bytes, p); if (f & 1) [, p] = readU32(bytes, p); }
    else if (kind === 0x03) p += 2;
    else if (kind === 0x04) { p++; [, p] = readU32(bytes, p); }
  }
}
