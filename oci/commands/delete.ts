/** `delete`: the native runtime deletes; for a Wasm container the rewritten bundle copy goes too. */
import fs from 'node:fs';
import type { Context } from '../context.js';
import { isWasmState } from '../wasm-state.js';
import { isCopyDir } from './create.js';

export function del(ctx: Context, id: string): number {
  const { state } = ctx.nativeState(id);
  const code = ctx.delegate();
  if (code === 0 && state !== null && isWasmState(state) && isCopyDir(state.bundle)) {
    fs.rmSync(state.bundle, { recursive: true, force: true });
  }
  return code;
}
