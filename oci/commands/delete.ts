/** `delete`: the native runtime deletes; a Wasm container's rewritten bundle copy goes with it. */
import type { Context } from '../context.js';
import { removeCopies } from './create.js';

export function del(ctx: Context, id: string): number {
  const code = ctx.delegate();
  // Once the native runtime has no state for the id, no copy of it is in use.
  if (code === 0 && ctx.nativeState(id).state === null) removeCopies(ctx, id);
  return code;
}
