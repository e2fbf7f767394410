/** `update`, `checkpoint`, `restore`, `events`: the native runtime's business; for Wasm a clear no. */
import type { Context } from '../context.js';
import { ERR_NOT_EXIST } from '../runc-errors.js';

export function nativeOnly(ctx: Context, command: string, id: string | undefined): number {
  const owner = id === undefined ? null : ctx.nativeOwner(id);
  if (owner !== null) return ctx.delegateTo(owner.runtime);
  if (id !== undefined && ctx.store.exists(id)) throw new Error(`${command} is not supported for Wasm container ${id}`);
  if (id !== undefined) throw new Error(ERR_NOT_EXIST);
  throw new Error(`${command} needs a container id`);
}
