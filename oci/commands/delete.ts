/**
 * `delete`: runc's. A stopped container runc's files show plain is deleted
 * here as runc deletes it (../runc-delete.ts); any other goes to the native
 * runtime as it came. A Wasm container's rewritten bundle copy goes with it.
 */
import type { Invocation } from '../argv.js';
import { removeCopies } from '../bundle-copies.js';
import type { Context } from '../context.js';
import { deleteStoppedContainer } from '../runc-delete.js';

function deletedHere(ctx: Context, id: string): boolean {
  const root = ctx.runcRoot();
  // --debug: runc's own debug lines are what the caller asked for.
  return root !== undefined && !ctx.log.debugEnabled && deleteStoppedContainer(root, id);
}

export function main(ctx: Context, inv: Invocation): number {
  const code = deletedHere(ctx, inv.id!) ? 0 : ctx.delegate();
  // Deleted (or never there): no copy of this id is in use any more.
  if (code === 0) removeCopies(ctx.root, inv.id!);
  return code;
}
