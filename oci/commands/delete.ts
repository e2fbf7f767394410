/** `delete`: the native runtime deletes; a Wasm container's rewritten bundle copy goes with it. */
import type { Context } from '../context.js';
import { removeCopies } from './create.js';

export function del(ctx: Context, id: string): number {
  const code = ctx.delegate();
  // Deleted (or never there): no copy of this id is in use any more.
  if (code === 0) removeCopies(ctx, id);
  return code;
}
