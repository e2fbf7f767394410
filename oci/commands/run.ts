/** `run`: create and start in one go; in the foreground it waits and returns the exit status. */
import type { Context } from '../context.js';
import { signalNumber } from '../native.js';
import { classify, createWasm, loadBundle, type CreateArgs } from './create.js';
import { start } from './start.js';
import { ERR_EXIST } from '../runc-errors.js';

export async function run(ctx: Context, a: CreateArgs & { detach: boolean; keep: boolean }): Promise<number> {
  const { dir, spec } = loadBundle(a.bundle);
  if (ctx.nativeOwner(a.id) !== null || ctx.store.exists(a.id)) throw new Error(ERR_EXIST);
  const d = classify(ctx, dir, spec);
  if (!d.wasm) {
    const runtime = ctx.nativeRuntime();
    if (a.detach) ctx.markNative(a.id, runtime, dir, d.reason);
    return ctx.delegateTo(runtime);
  }
  const child = await createWasm(ctx, a, dir, spec, d.reason, !a.detach);
  (child.stdio[3] as { destroy?: () => void } | null)?.destroy?.();
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(signal ? 128 + (signalNumber(signal) ?? 1) : code ?? 1));
  });
  start(ctx, a.id);
  if (a.detach) {
    child.unref();
    return 0;
  }
  // Signals to `run` go to the container, as runc forwards them.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) {
    process.on(sig, () => { try { child.kill(sig); } catch { /* gone */ } });
  }
  const code = await exited;
  if (!a.keep) ctx.store.remove(a.id);
  return code;
}
