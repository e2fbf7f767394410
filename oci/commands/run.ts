/** `run`: create and start in one go — runc's own `run`, with a Wasm container's bundle rewritten as for `create`. */
import fs from 'node:fs';
import type { Invocation } from '../argv.js';
import type { Context } from '../context.js';
import { classify, createArgs, loadBundle, preservedFds, prepareWasm, runtimeOptions } from './create.js';

export async function main(ctx: Context, inv: Invocation): Promise<number> {
  const a = { ...createArgs(inv), detach: inv.options.flag('detach'), keep: inv.options.flag('keep') };
  const { dir, spec } = loadBundle(a.bundle);
  const d = classify(ctx, dir, spec);
  if (!d.wasm) return ctx.delegate();
  const { copy, fds } = await prepareWasm(ctx, a, dir, spec, d.bytes!, d.reason);
  const opts = runtimeOptions(a, copy, fds.length);
  if (a.detach) opts.push('--detach');
  if (a.keep) opts.push('--keep');
  // runc forwards the signals it gets to the container. A signal to our whole
  // process group reaches it; one to this process alone does not (spawnSync
  // keeps Node's handlers from running), as with a wrapper script.
  const code = ctx.runNative([...ctx.globalArgs, 'run', ...opts, a.id], [...preservedFds(a.preserveFds), ...fds]);
  // In the foreground without --keep runc has deleted the container; a failed
  // detached run may have left none: either way its copy goes too.
  const gone = (!a.detach && !a.keep) || (code !== 0 && ctx.nativeState(a.id).state === null);
  if (gone) fs.rmSync(copy, { recursive: true, force: true });
  return code;
}
