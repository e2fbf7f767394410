/**
 * Whether a call would be recorded byte for byte as its function's last
 * CALL payload, found without encoding it: the guest's inputs and the
 * call's results are compared in place with that payload (its arguments
 * the recorder compares with the values it kept). The recorder
 * (./recorder.ts) uses it for functions whose only writes are fixed-size
 * results (fd_write's nwritten, fd_seek's offset…), where it costs a
 * fraction of encoding the call and comparing the encodings; it must agree
 * with ./effects.ts's encoding exactly, so it walks the stored payload the
 * way ./effects.ts wrote it and answers "not the same" whenever it cannot
 * tell (an unreadable pointer, a region absent): the call is then encoded.
 */
import type { GuestMemory } from '../../wasi/memory.js';
import type { CallPlan } from './effects.js';
import type { Arg } from './fixed-arity.js';

/** A read position in a stored payload (one per recorder: nothing allocated per call). */
export class PayloadCursor {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;

  /** The unsigned varint at pos (payloads are the recorder's own: well formed). */
  uvar(): number {
    const buf = this.buf;
    let b = buf[this.pos++]!;
    if (b < 0x80) return b;
    let n = b & 0x7f;
    let scale = 0x80;
    do {
      b = buf[this.pos++]!;
      n += (b & 0x7f) * scale;
      scale *= 0x80;
    } while (b >= 0x80);
    return n;
  }

  skipUvar(): void {
    while (this.buf[this.pos++]! >= 0x80) { /* continuation bytes */ }
  }

  /** Whether the `len` bytes at pos are guest memory's at `at` (checked); pos moves past them. */
  sameBytes(u8: Uint8Array, at: number, len: number): boolean {
    const buf = this.buf;
    const p = this.pos;
    for (let i = 0; i < len; i++) if (buf[p + i] !== u8[at + i]) return false;
    this.pos = p + len;
    return true;
  }
}

/**
 * With `c` after the arguments: whether the inputs the guest hands in now
 * are the recorded ones. False when any differs or cannot be read.
 */
export function sameInputs(c: PayloadCursor, plan: CallPlan, mem: GuestMemory, args: readonly Arg[]): boolean {
  const inputs = plan.inputs;
  try {
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k]!;
      const ptr = args[input[1]] as number;
      const count = (args[input[1] + 1] as number) >>> 0;
      const recorded = c.uvar();
      if (input[0] === 'str') {
        if (count !== recorded) return false;
        const p = mem.check(ptr, count); // first: it refreshes mem.u8 after a memory.grow
        if (!c.sameBytes(mem.u8, p, count)) return false;
      } else {
        let total = 0;
        for (let i = 0; i < count; i++) total += mem.iovLen(ptr, i);
        if (total !== recorded) return false;
        for (let i = 0; i < count; i++) {
          const len = mem.iovLen(ptr, i);
          const p = mem.check(mem.iovBuf(ptr, i), len);
          if (!c.sameBytes(mem.u8, p, len)) return false;
        }
      }
    }
    return true;
  } catch {
    return false; // an unreadable pointer: encodeInputs records empty inputs; let it
  }
}

/**
 * With `c` after the inputs: whether errno `ret` and the fixed-size results
 * the call stored are the recorded ones, to the payload's `end`. Only for a
 * plan without other writes (`!plan.more`), whose results are all present.
 */
export function sameResults(c: PayloadCursor, end: number, ret: number, plan: CallPlan, mem: GuestMemory, args: readonly Arg[]): boolean {
  if (c.uvar() !== ret + 1) return false;
  const fixed = plan.fixed;
  if (c.uvar() !== fixed.length >> 1) return false;
  for (let i = 0; i < fixed.length; i += 2) {
    const len = fixed[i + 1]!;
    let addr: number;
    try {
      addr = mem.check(args[fixed[i]!] as number, len);
    } catch {
      return false; // a bad pointer: no region recorded for it; let encodeWrites say so
    }
    if (c.uvar() !== addr || c.uvar() !== len || !c.sameBytes(mem.u8, addr, len)) return false;
  }
  return c.pos === end;
}
