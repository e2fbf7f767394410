/**
 * A write loop's REPEATs without reading the recording: for a function
 * shaped like fd_write (i32 arguments only, one ciovs input, one 4-byte
 * result and nothing else stored), the last call found repeating is kept
 * here flat — its arguments, the bytes it handed in, its errno and its
 * result — and the next call is compared with that copy: a few loads per
 * argument and byte, where ./same-call.ts walks the stored payload's
 * varints through GuestMemory's checked accessors. Only a call found the
 * same as its function's last CALL arms it (./recorder.ts), so a match here
 * is a REPEAT of that CALL; any call that is not a match disarms it until
 * one is found repeating again.
 */
import type { CallPlan } from './effects.js';
import { u32At } from './format.js';
import type { Arg } from './fixed-arity.js';
import { Layout } from '../../wasi/abi.js';
import type { GuestMemory } from '../../wasi/memory.js';

/** A ciovec: buf (u32) and buf_len (u32), as the ABI lays them out. */
const IOV = Layout.iovec;

/** Whether a function's calls can be kept here. */
export function writeShaped(plan: CallPlan): boolean {
  return !plan.more && !plan.i64.some(Boolean) && plan.inputs.length === 1 && plan.inputs[0]![0] === 'ciovs'
    && plan.fixed.length === 2 && plan.fixed[1] === 4;
}

export class RepeatCache {
  armed = false;
  private readonly args: number[];
  private readonly data: Uint8Array;
  private len = 0;
  private ret = 0;
  private result = 0;
  private readonly iovsArg: number;
  private readonly resultArg: number;

  constructor(plan: CallPlan, private readonly max: number) {
    this.args = new Array<number>(plan.i64.length).fill(0);
    this.data = new Uint8Array(max);
    this.iovsArg = plan.inputs[0]![1];
    this.resultArg = plan.fixed[0]!;
  }

  /** Keep the call just made (found the same as its function's last CALL); not when its bytes are more than `max`. */
  arm(A: readonly Arg[], mem: GuestMemory, ret: number): void {
    this.armed = false;
    const args = this.args;
    for (let i = 0; i < args.length; i++) args[i] = A[i] as number;
    let len = 0;
    try {
      const iovs = A[this.iovsArg] as number;
      const count = (A[this.iovsArg + 1] as number) >>> 0;
      if (count > this.max) return; // more iovecs than bytes kept: not worth it (and count * IOV.size stays in range)
      const at = mem.check(iovs, count * IOV.size);
      for (let i = 0; i < count; i++) {
        const bp = u32At(mem.u8, at + i * IOV.size + IOV.buf);
        const bl = u32At(mem.u8, at + i * IOV.size + IOV.buf_len);
        if (len + bl > this.max) return;
        const p = mem.check(bp, bl);
        this.data.set(mem.u8.subarray(p, p + bl), len);
        len += bl;
      }
      this.result = u32At(mem.u8, mem.check(A[this.resultArg] as number, 4));
    } catch {
      return; // a bad pointer: not kept
    }
    this.len = len;
    this.ret = ret;
    this.armed = true;
  }

  /** Before the call: whether its arguments and the bytes it hands in are the kept call's. Disarms when not. */
  sameBefore(A: readonly Arg[], mem: GuestMemory): boolean {
    const args = this.args;
    for (let i = 0; i < args.length; i++) if (A[i] !== args[i]) return (this.armed = false);
    try {
      // The same arguments: the same iovec array (at most `max` of them), read again (the guest may have changed it).
      const count = (A[this.iovsArg + 1] as number) >>> 0;
      const at = mem.check(A[this.iovsArg] as number, count * IOV.size);
      const data = this.data;
      let o = 0;
      for (let i = 0; i < count; i++) {
        const u8 = mem.u8;
        const bp = u32At(u8, at + i * IOV.size + IOV.buf);
        const bl = u32At(u8, at + i * IOV.size + IOV.buf_len);
        if (o + bl > this.len) return (this.armed = false);
        const p = mem.check(bp, bl);
        const m = mem.u8;
        for (let k = 0; k < bl; k++) if (m[p + k] !== data[o + k]) return (this.armed = false);
        o += bl;
      }
      if (o !== this.len) return (this.armed = false);
    } catch {
      return (this.armed = false);
    }
    return true;
  }

  /** After it: whether its errno and result are the kept call's. Disarms when not. */
  sameAfter(A: readonly Arg[], mem: GuestMemory, ret: number): boolean {
    if (ret !== this.ret) return (this.armed = false);
    try {
      if (u32At(mem.u8, mem.check(A[this.resultArg] as number, 4)) === this.result) return true;
    } catch { /* a bad pointer now */ }
    return (this.armed = false);
  }

  /** The kept bytes, which a call found the same before it handed in (to encode it as a CALL when its results differ). */
  input(): Uint8Array {
    return this.data.subarray(0, this.len);
  }
}
