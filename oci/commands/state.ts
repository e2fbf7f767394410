/** `state`: the native runtime's, shown for a Wasm container as the engine's bundle describes it (not the copy's). */
import type { Invocation } from '../argv.js';
import type { Context } from '../context.js';
import { engineState, nativeState } from '../wasm-state.js';
import { writeErr, writeOut } from '../../src/stdio.js';

export function main(ctx: Context, inv: Invocation): number {
  // With the engine's own --log: an unknown id is the native runtime's error, in its words, there.
  const { state, error } = nativeState(ctx.nativeRuntime(), ctx.globalArgs, ctx.runcRoot(), inv.id!);
  if (state === null) { writeErr(error); return 1; }
  writeOut(JSON.stringify(engineState(state), null, 2) + '\n');
  return 0;
}
