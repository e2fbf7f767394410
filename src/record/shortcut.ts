/**
 * clock_time_get's RepeatShortcut (wasi/calls/context.ts) for the recorder
 * and the replayer: while armed with a call's (id, precision, ptr), the
 * trampoline sends every call with those arguments to `same(id, ptr)`, so
 * a clock read in a loop makes no BigInt and no argument array.
 */
import type { RepeatShortcut } from '../../wasi/calls/context.js';
import type { Arg } from './fixed-arity.js';

/** A shortcut to `same`, disarmed. */
export function newShortcut(same: (id: number, ptr: number) => number): RepeatShortcut {
  const global = (value: 'i32' | 'i64'): WebAssembly.Global => new WebAssembly.Global({ value, mutable: true }, value === 'i64' ? 0n : 0);
  return { same, armed: global('i32'), id: global('i32'), precision: global('i64'), ptr: global('i32') };
}

/** Arm `s` with clock_time_get's arguments. */
export function arm(s: RepeatShortcut, id: Arg, precision: Arg, ptr: Arg): void {
  s.id.value = id;
  s.precision.value = precision;
  s.ptr.value = ptr;
  s.armed.value = 1;
}
