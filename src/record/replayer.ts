/**
 * Replaying a recording: a WASIOptions.wrapImport that replaces every WASI
 * function with one answering from the recording. Each call the guest makes
 * is checked against the next recorded one (name, arguments, and the bytes
 * it hands in: paths and written data); then the recorded memory writes are
 * made and the recorded errno returned. Nothing of the host is touched but
 * stdout and stderr, which get what the guest writes to them.
 *
 * Writes are checked, not performed into a scratch filesystem: every read
 * answers from the recording, so a scratch copy would never be read back,
 * and a check finds a guest that writes differently at the first byte.
 */
import type { CallContext, RepeatShortcut, WasiFunction } from '../../wasi/calls/context.js';
import { Errno } from '../../wasi/abi.js';
import { WasiExit } from '../../wasi/errors.js';
import { WASI_FUNCTIONS } from '../../wasi/functions.js';
import { callInputs, callPlan, inputsMatch, type CallPlan } from './effects.js';
import { answering, MAX_ARGS, type Arg } from './fixed-arity.js';
import { ByteReader, RecordingError, RepeatRun, Tag, callShape, readCall, readRepeat, u32At, type RecordedCall } from './format.js';
import { NextValue, nextShaped } from './next.js';
import { NextDiffs, isNextTag, readNextStart } from './next-reader.js';
import type { RecordingFile } from './reader.js';
import { arm, newShortcut } from './shortcut.js';

/** Why replay stopped before the guest's end: one line (without `error: `). */
export class ReplayStop extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayStop';
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Where stdout and stderr bytes go during replay. */
export interface ReplayOutput {
  write(stream: 1 | 2, buf: Uint8Array, offset: number, length: number): void;
  /** Write out what is gathered (./session.ts): before every call but fd_write, and when replay ends. */
  flush(): void;
}

export class Replayer {
  /** The next recorded call to match (0-based). */
  next = 0;
  /** Set when replay stopped: the line to print. The guest was stopped by a ReplayStop thrown from its call. */
  stopped: string | undefined;
  /** Guest fds that are the run's stdout / stderr (fd_renumber moves them, fd_close ends them). */
  private readonly stdio = new Map<number, 1 | 2>([[1, 1], [2, 2]]);
  /** The recorded calls, read one at a time as the guest makes them. */
  private readonly r: ByteReader;
  /** Reads the call in progress's CALL record (the next record, or the one a REPEAT names). */
  private readonly c: ByteReader;
  /** Where each function's last CALL record starts (what a REPEAT of it means). */
  private readonly lastCall: Array<number | undefined> = [];
  /** The REPEAT record last read; while `runLeft` > 0, the next calls are more of it, at `runAt`. */
  private readonly run = new RepeatRun();
  private runLeft = 0;
  private runAt = 0;
  /** While > 0, the next calls are the differences left in the NEXT record at `r` (./next.ts), each continuing the CALL at `runAt`. */
  private nextLeft = 0;
  /** The NEXT record in progress's differences. */
  private readonly diffs = new NextDiffs();
  /**
   * Once a NEXT's first call was checked against its CALL in full: that
   * CALL's plan, function number, arguments and write, so the NEXT's other
   * calls compare arguments only (undefined: not yet, or the NEXT ended).
   */
  private nextPlan: CallPlan | undefined;
  private nextFi = 0;
  private readonly nextArgs: Arg[] = new Array<Arg>(MAX_ARGS).fill(0);
  private nextAddr = 0;
  private nextLen = 0;
  /** Each function's last value (./next.ts), and whether it must first be read from its last CALL (1: its last call was that CALL, or a REPEAT of it). */
  private readonly values: NextValue[];
  private readonly fresh: Uint8Array;
  /** clock_time_get's plan and its RepeatShortcut (./shortcut.ts), once the guest's imports are made. */
  private clockPlan: CallPlan | undefined;
  private shortcut: RepeatShortcut | null = null;
  /** The recording's function numbers, as plans of this tswasi's functions (undefined: a name it does not know). */
  private readonly plans: Array<CallPlan | undefined>;
  /** The arguments of the call in progress (./fixed-arity.ts). */
  private readonly A: Arg[] = new Array<Arg>(MAX_ARGS).fill(0);

  readonly wrap: (name: string, fn: WasiFunction, ctx: CallContext) => WasiFunction;

  constructor(private readonly rec: RecordingFile, private readonly output: ReplayOutput, private readonly moduleNote = '') {
    this.r = new ByteReader(rec.raw, rec.callsEnd);
    this.c = new ByteReader(rec.raw, rec.callsEnd);
    this.r.pos = rec.callsStart;
    this.scratch = new ByteReader(rec.raw, rec.callsEnd);
    this.plans = rec.header.functions.map((n) => (WASI_FUNCTIONS[n] !== undefined ? callPlan(n) : undefined));
    this.values = this.plans.map(() => new NextValue());
    this.fresh = new Uint8Array(this.plans.length).fill(1);
    this.wrap = (name, _fn, ctx) => {
      const plan = callPlan(name);
      const wrapped = answering(plan.i64.length, this.A, () => this.answer(plan, ctx));
      if (name !== 'clock_time_get') return wrapped;
      // A NEXT run of clock reads through the trampoline's shortcut (RepeatShortcut): no BigInt per call, no argument array.
      const shortcut = newShortcut((id, ptr) => this.answerShortcut(id, ptr, ctx));
      this.clockPlan = plan;
      this.shortcut = shortcut;
      return Object.assign(wrapped, { shortcut });
    };
  }

  /** Where the call in progress's recorded inputs start in the recording, and a reader to go there. */
  private inputsAt = 0;
  private readonly scratch: ByteReader;

  /** The guest's call as a divergence line shows it (made only when replay stops: most calls match). */
  private made(plan: CallPlan, ctx: CallContext): string {
    return callShape(plan.name, this.A.slice(0, plan.i64.length), callInputs(plan, ctx, this.A));
  }

  private stop(message: string): never {
    if (this.shortcut !== null) this.shortcut.armed.value = 0;
    this.stopped ??= message + this.moduleNote;
    throw new ReplayStop(this.stopped);
  }

  /** The REPEAT record at `r` (call #`n`): where the CALL record it repeats starts; `r` is then past it. */
  private repeated(r: ByteReader, n: number): number {
    readRepeat(r, n, this.run);
    const at = this.lastCall[this.run.index];
    if (at === undefined) throw new RecordingError('it repeats a call never made');
    return at;
  }

  /** The NEXT record at `r` (call #`n`): where the CALL record it continues starts; `r` is then at its first difference. */
  private nexts(r: ByteReader, n: number): number {
    const s = readNextStart(r, n);
    const at = this.lastCall[s.index];
    const plan = this.plans[s.index];
    if (at === undefined || plan === undefined || !nextShaped(plan)) throw new RecordingError('it continues a call never made');
    this.nextLeft = s.count;
    this.diffs.begin(r, s);
    this.nextPlan = undefined;
    return at;
  }

  /** The next difference of the NEXT record in progress. */
  private difference(): number {
    this.nextLeft--;
    return this.diffs.take();
  }

  /** The recorded call at `at` (a CALL record, or a REPEAT or NEXT of one), decoded (for a divergence line). */
  private recordedAt(at: number): RecordedCall {
    const r = new ByteReader(this.rec.raw, this.rec.callsEnd);
    r.pos = at;
    if (this.rec.raw[at] === Tag.Repeat) r.pos = this.repeated(r, this.next + 1);
    else if (isNextTag(this.rec.raw[at])) r.pos = this.lastCall[readNextStart(r, this.next + 1).index] ?? r.pos;
    return readCall(r, this.rec.header.functions, this.next + 1);
  }

  /** Whether the call in progress has the arguments of the NEXT whose first call was checked. */
  private sameAsNext(plan: CallPlan): boolean {
    if (plan !== this.nextPlan) return false;
    const A = this.A;
    const args = this.nextArgs;
    for (let i = 0; i < plan.i64.length; i++) if (A[i] !== args[i]) return false;
    return true;
  }

  /** A further call of the NEXT in progress, its arguments found the same: the value moved by the next difference. */
  private answerNext(ctx: CallContext): number {
    const index = this.next + 1;
    let d: number;
    try {
      d = this.difference();
    } catch (e) {
      if (e instanceof RecordingError) this.stop(`the recording is corrupt at call #${index} (${e.message})`);
      throw e;
    }
    this.next++;
    const v = this.values[this.nextFi]!;
    const len = this.nextLen;
    v.add(d, len);
    // Written before where the first call wrote it: memory only grows, so it is there still.
    const p = ctx.mem.check(this.nextAddr, len);
    v.write(ctx.mem.u8, p, len);
    return 0;
  }

  /**
   * clock_time_get's shortcut, armed while a NEXT run of it is in progress
   * with its arguments checked (answer() arms it): the trampoline found
   * this call's arguments the run's, so it is answered as answer() would.
   */
  private answerShortcut(id: number, ptr: number, ctx: CallContext): number {
    if (this.nextLeft === 0) { // not armed then; answered the long way all the same
      const A = this.A;
      A[0] = id; A[1] = this.nextArgs[1]!; A[2] = ptr;
      return this.answer(this.clockPlan!, ctx);
    }
    this.output.flush();
    const ret = this.answerNext(ctx);
    if (this.nextLeft === 0) this.shortcut!.armed.value = 0;
    return ret;
  }
  private answer(plan: CallPlan, ctx: CallContext): number {
    if (this.stopped !== undefined) throw new ReplayStop(this.stopped);
    // Gathered output goes out before any call but a write, as the guest's own coalesced stdout does.
    if (plan.name !== 'fd_write') this.output.flush();
    if (this.nextLeft > 0 && this.sameAsNext(plan)) return this.answerNext(ctx);
    const A = this.A;
    const n = plan.i64.length;
    const index = this.next + 1;
    const r = this.r;
    if (r.done && this.runLeft === 0 && this.nextLeft === 0) {
      if (this.rec.truncated !== undefined) this.stop(`the recording stops after call #${this.next}: ${this.rec.truncated}; the guest went on with ${this.made(plan, ctx)}`);
      this.stop(`replay diverged at call #${index}: the recorded run made no more calls (it ended with exit code ${this.rec.end?.exitCode}), the guest called ${this.made(plan, ctx)}`);
    }
    let ret: number;
    try {
      // The call's record: the next one, or for a REPEAT the function's last CALL. `c` reads it (effects() too); `r` moves on.
      const c = this.c;
      let repeat = true;
      // A NEXT's call: the value its function last received moved by this difference.
      let d = NaN;
      if (this.runLeft > 0) {
        this.runLeft--;
        c.pos = this.runAt;
      } else if (this.nextLeft > 0) {
        c.pos = this.runAt;
        d = this.difference();
      } else if (r.buf[r.pos] === Tag.Repeat) {
        c.pos = this.runAt = this.repeated(r, index);
        this.runLeft = this.run.times - 1;
      } else if (isNextTag(r.buf[r.pos])) {
        c.pos = this.runAt = this.nexts(r, index);
        d = this.difference();
      } else {
        repeat = false;
        c.pos = r.pos;
      }
      const start = c.pos;
      c.u8();
      const end = c.uvar() + c.pos;
      if (end > c.end) throw new RecordingError('ends in the middle of a record', true);
      const fi = c.uvar();
      let same = this.plans[fi] === plan;
      const { i64 } = plan;
      for (let i = 0; same && i < n; i++) same = i64[i] ? c.svar64Is(A[i] as bigint) : c.svar32() === A[i];
      if (same && plan.inputs.length > 0) {
        const at = c.pos;
        this.inputsAt = at;
        if (inputsMatch(c, plan, ctx.mem, A) !== true) {
          // Compared again as the recorder took them: a pointer that turns out bad after the first difference made them all empty.
          c.pos = at;
          for (const b of callInputs(plan, ctx, A)) same &&= sameBytes(b, c.blob());
        }
      }
      if (!same) {
        const rc = this.recordedAt(start);
        this.stop(`replay diverged at call #${index}: recorded ${callShape(rc.name, rc.args, rc.inputs)}, the guest called ${this.made(plan, ctx)}`);
      }
      this.next++;
      ret = c.uvar() - 1;
      if (ret > 0xffff) throw new RecordingError(`a call returns errno ${ret}`);
      if (d === d) {
        this.nextEffect(fi, ctx, ret, d);
        this.nextPlan = plan;
        this.nextFi = fi;
        for (let i = 0; i < n; i++) this.nextArgs[i] = A[i]!;
        if (plan === this.clockPlan && this.nextLeft > 0) arm(this.shortcut!, A[0]!, A[1]!, A[2]!);
      } else {
        this.effects(plan, ctx, ret);
        this.fresh[fi] = 1;
      }
      if (c.pos !== end) throw new RecordingError(`is corrupt (call #${index} is longer than its contents)`);
      if (!repeat) {
        this.lastCall[fi] = start;
        r.pos = end;
      }
    } catch (e) {
      if (e instanceof RecordingError) this.stop(`the recording is corrupt at call #${index} (${e.message})`);
      throw e;
    }
    if (ret < 0) {
      if (plan.name === 'proc_exit') throw new WasiExit((A[0] as number) >>> 0);
      this.stop(`call #${index} (${this.made(plan, ctx)}) did not return in the recorded run; replay cannot go past it`);
    }
    return ret;
  }

  /** A NEXT's call's one effect: its CALL's one write, of the function's last value moved by `d`. */
  private nextEffect(fi: number, ctx: CallContext, ret: number, d: number): void {
    const c = this.c;
    if (ret !== 0 || c.uvar() !== 1) throw new RecordingError('it continues a call that did not store one value');
    const addr = c.uvar();
    const len = c.uvar();
    const at = c.pos;
    c.skip(len);
    if (len !== 4 && len !== 8) throw new RecordingError('it continues a call that did not store one value');
    this.nextAddr = addr;
    this.nextLen = len;
    const v = this.values[fi]!;
    if (this.fresh[fi] === 1) {
      v.read(c.buf, at, len);
      this.fresh[fi] = 0;
    }
    v.add(d, len);
    let p: number;
    try {
      p = ctx.mem.check(addr, len);
    } catch {
      this.stop(`replay diverged at call #${this.next}: the recorded ${this.plans[fi]!.name} wrote ${len} bytes at ${addr}, beyond the guest's memory`);
    }
    v.write(ctx.mem.u8, p, len);
  }

  /** The recorded call's effects, read from the recording: its memory writes, and what it wrote to stdout/stderr. */
  private effects(plan: CallPlan, ctx: CallContext, ret: number): void {
    const r = this.c;
    const raw = r.buf;
    const mem = ctx.mem;
    const name = plan.name;
    // The first write's bytes: fd_write's nwritten, path_open's new fd.
    let first = -1;
    for (let k = r.uvar(); k > 0; k--) {
      const addr = r.uvar();
      const len = r.uvar();
      const at = r.pos;
      r.skip(len);
      if (first < 0 && len >= 4) first = at;
      let p: number;
      try {
        p = mem.check(addr, len);
      } catch {
        this.stop(`replay diverged at call #${this.next}: the recorded ${name} wrote ${len} bytes at ${addr}, beyond the guest's memory`);
      }
      const u8 = mem.u8;
      if (len <= 32) for (let i = 0; i < len; i++) u8[p + i] = raw[at + i]!;
      else u8.set(raw.subarray(at, at + len), p);
    }
    const fd = this.A[0] as number;
    if (name === 'fd_write' && (ret === 0 || ret === Errno.FAULT)) {
      const stream = this.stdio.get(fd);
      if (stream !== undefined) {
        // The recorded data, the guest's own as checked. FAULT with readable data: it went out and storing nwritten failed (the host writes first, as wasmtime).
        const d = this.scratch;
        d.pos = this.inputsAt;
        const len = d.uvar();
        const n = Math.min(len, ret !== 0 ? len : first >= 0 ? u32At(raw, first) : 0);
        this.output.write(stream, raw, d.pos, n);
      }
    }
    if (ret !== 0) return;
    if (name === 'fd_renumber') {
      const to = this.A[1] as number;
      const s = this.stdio.get(fd);
      this.stdio.delete(to);
      this.stdio.delete(fd);
      if (s !== undefined) this.stdio.set(to, s);
    } else if (name === 'fd_close') {
      this.stdio.delete(fd);
    } else if ((name === 'path_open' || name === 'sock_accept') && first >= 0) {
      // A new fd takes a number that may have been stdout's.
      this.stdio.delete(u32At(raw, first));
    }
  }

  /** After the guest ended with `exitCode`: the line saying how it differs from the recording, or undefined. */
  finish(exitCode: number, error: string | undefined): string | undefined {
    this.output.flush();
    if (this.stopped !== undefined) return this.stopped;
    if (!this.r.done || this.runLeft > 0 || this.nextLeft > 0) {
      let c: RecordedCall;
      try {
        c = this.recordedAt(this.runLeft > 0 || this.nextLeft > 0 ? this.runAt : this.r.pos);
      } catch (e) {
        if (e instanceof RecordingError) return `the recording is corrupt at call #${this.next + 1} (${e.message})`;
        throw e;
      }
      return `replay diverged at call #${this.next + 1}: recorded ${callShape(c.name, c.args, c.inputs)}, the guest ended (exit code ${exitCode})${this.moduleNote}`;
    }
    const end = this.rec.end;
    if (end === undefined) return `the recording stops after call #${this.next}: ${this.rec.truncated ?? 'it has no end'}; the guest then ended with exit code ${exitCode}`;
    if (end.exitCode !== exitCode || (end.error ?? '') !== (error ?? '')) {
      return `replay diverged at the end: the recorded run ended with exit code ${end.exitCode}${end.error ? ` (${end.error})` : ''}, the guest with ${exitCode}${error ? ` (${error})` : ''}${this.moduleNote}`;
    }
    return undefined;
  }
}
