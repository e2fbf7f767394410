/** `delete`: the native runtime deletes; a Wasm container's rewritten bundle copy goes with it. */
import { removeCopies } from '../bundle-copies.js';
import { delegate } from '../native.js';

export function del(runtime: string, nativeArgs: readonly string[], root: string | undefined, id: string): number {
  const code = delegate(runtime, nativeArgs);
  // Deleted (or never there): no copy of this id is in use any more.
  if (code === 0) removeCopies(root, id);
  return code;
}
