/** `run`: create and start in one go — runc's own `run`, with a Wasm container's bundle rewritten as for `create`. */
import fs from 'node:fs';
import type { Invocation } from '../argv.js';
import type { Context } from '../context.js';
import { COMMANDS } from '../command-table.js';
import { handOn } from '../native.js';
import { optionArgs, optionValues } from '../options.js';
import { classify, loadBundle, prepareWasm } from './create.js';

export async function main(ctx: Context, inv: Invocation): Promise<number> {
  const id = inv.id!;
  const o = optionValues(COMMANDS.run.options, inv.options);
  const { dir, spec } = loadBundle(o.bundle);
  const d = classify(ctx, dir, spec);
  if (!d.wasm) return ctx.delegate();
  const { copy, fds } = await prepareWasm(ctx, { id, preserveFds: o.preserveFds }, dir, spec, d.bytes!, d.reason);
  const handed = handOn(o.preserveFds, fds);
  const options = optionArgs(COMMANDS.run.options, { ...o, bundle: copy, preserveFds: handed.count });
  // runc forwards the signals it gets to the container. A signal to our whole
  // process group reaches it; one to this process alone does not (spawnSync
  // keeps Node's handlers from running), as with a wrapper script.
  const code = ctx.runNative([...ctx.globalArgs, 'run', ...options, id], handed.fds);
  // In the foreground without --keep runc has deleted the container; a failed
  // detached run may have left none: either way its copy goes too.
  const gone = (!o.detach && !o.keep) || (code !== 0 && ctx.nativeState(id).state === null);
  if (gone) fs.rmSync(copy, { recursive: true, force: true });
  return code;
}
