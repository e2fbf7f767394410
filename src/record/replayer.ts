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
import type { CallContext, WasiFunction } from '../../wasi/calls/context.js';
import { Errno } from '../../wasi/abi.js';
import { WasiExit } from '../../wasi/errors.js';
import { callInputs } from './effects.js';
import { callShape, type RecordedCall } from './format.js';
import type { Recording } from './parse.js';

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
export type ReplayOutput = (stream: 1 | 2, bytes: Uint8Array) => void;

export class Replayer {
  /** The next recorded call to match. */
  next = 0;
  /** Set when replay stopped: the line to print. The guest was stopped by a ReplayStop thrown from its call. */
  stopped: string | undefined;
  /** Guest fds that are the run's stdout / stderr (fd_renumber moves them, fd_close ends them). */
  private readonly stdio = new Map<number, 1 | 2>([[1, 1], [2, 2]]);

  readonly wrap: (name: string, fn: WasiFunction, ctx: CallContext) => WasiFunction;

  constructor(private readonly rec: Recording, private readonly output: ReplayOutput, private readonly moduleNote = '') {
    this.wrap = (name, _fn, ctx) => ((...args: Array<number | bigint>) => this.answer(name, ctx, args)) as WasiFunction;
  }

  private stop(message: string): never {
    this.stopped ??= message + this.moduleNote;
    throw new ReplayStop(this.stopped);
  }

  private answer(name: string, ctx: CallContext, args: Array<number | bigint>): number {
    if (this.stopped !== undefined) throw new ReplayStop(this.stopped);
    const index = this.next + 1;
    const inputs = callInputs(name, ctx, args);
    // Formatted only when replay stops: most calls match.
    const made = (): string => callShape(name, args, inputs);
    const c = this.rec.calls[this.next];
    if (c === undefined) {
      if (this.rec.truncated !== undefined) this.stop(`the recording stops after call #${this.next}: ${this.rec.truncated}; the guest went on with ${made()}`);
      this.stop(`replay diverged at call #${index}: the recorded run made no more calls (it ended with exit code ${this.rec.end?.exitCode}), the guest called ${made()}`);
    }
    if (c.name !== name || c.args.length !== args.length || c.args.some((v, i) => v !== args[i])
      || c.inputs.length !== inputs.length || c.inputs.some((b, i) => !sameBytes(b, inputs[i]!))) {
      this.stop(`replay diverged at call #${index}: recorded ${callShape(c.name, c.args, c.inputs)}, the guest called ${made()}`);
    }
    this.next++;
    this.effects(c, ctx);
    if (c.ret < 0) {
      if (name === 'proc_exit') throw new WasiExit((args[0] as number) >>> 0);
      this.stop(`call #${index} (${made()}) did not return in the recorded run; replay cannot go past it`);
    }
    return c.ret;
  }

  /** The recorded call's effects: its memory writes, and what it wrote to stdout/stderr. */
  private effects(c: RecordedCall, ctx: CallContext): void {
    for (const w of c.writes) {
      try {
        ctx.mem.write(w.addr, w.data);
      } catch {
        this.stop(`replay diverged at call #${this.next}: the recorded ${c.name} wrote ${w.data.length} bytes at ${w.addr}, beyond the guest's memory`);
      }
    }
    const fd = c.args[0] as number;
    if (c.name === 'fd_write' && (c.ret === 0 || c.ret === Errno.FAULT)) {
      const stream = this.stdio.get(fd);
      // FAULT with readable data: the data went out and storing nwritten failed (the host writes first, as wasmtime).
      const n = c.ret !== 0 ? c.inputs[0]!.length : c.writes.length > 0 ? new DataView(c.writes[0]!.data.buffer, c.writes[0]!.data.byteOffset).getUint32(0, true) : 0;
      if (stream !== undefined) this.output(stream, c.inputs[0]!.subarray(0, n));
    }
    if (c.ret !== 0) return;
    if (c.name === 'fd_renumber') {
      const to = c.args[1] as number;
      const s = this.stdio.get(fd);
      this.stdio.delete(to);
      this.stdio.delete(fd);
      if (s !== undefined) this.stdio.set(to, s);
    } else if (c.name === 'fd_close') {
      this.stdio.delete(fd);
    } else if (c.name === 'path_open' || c.name === 'sock_accept') {
      // A new fd takes a number that may have been stdout's.
      const w = c.writes[0];
      if (w !== undefined) this.stdio.delete(new DataView(w.data.buffer, w.data.byteOffset).getUint32(0, true));
    }
  }

  /** After the guest ended with `exitCode`: the line saying how it differs from the recording, or undefined. */
  finish(exitCode: number, error: string | undefined): string | undefined {
    if (this.stopped !== undefined) return this.stopped;
    const rest = this.rec.calls.length - this.next;
    if (rest > 0) {
      const c = this.rec.calls[this.next]!;
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
