/** `state`: the OCI state JSON of a container. */
import type { Context } from '../context.js';
import { stateOf } from '../status.js';

export function state(ctx: Context, id: string): number {
  const owner = ctx.nativeOwner(id);
  if (owner !== null) return ctx.delegateTo(owner.runtime);
  process.stdout.write(JSON.stringify(stateOf(ctx.store, ctx.wasmRecord(id)), null, 2) + '\n');
  return 0;
}
