/** `delete`: the native runtime deletes; a Wasm container's rewritten bundle copy goes with it. */
import type { Invocation } from '../argv.js';
import { removeCopies } from '../bundle-copies.js';
import type { Context } from '../context.js';

export function main(ctx: Context, inv: Invocation): number {
  const code = ctx.delegate();
  // Deleted (or never there): no copy of this id is in use any more.
  if (code === 0) removeCopies(ctx.root, inv.id!);
  return code;
}
