/**
 * `pause` / `resume`: a Wasm container is one host process, so SIGSTOP and
 * SIGCONT really freeze and thaw the guest (runc uses the cgroup freezer to
 * the same effect).
 */
import type { Context } from '../context.js';
import { statusOf } from '../status.js';
import { ERR_NOT_PAUSED, ERR_NOT_RUNNING } from '../runc-errors.js';

export function pause(ctx: Context, id: string, resume: boolean): number {
  const owner = ctx.nativeOwner(id);
  if (owner !== null) return ctx.delegateTo(owner.runtime);
  return ctx.store.withLock(id, () => {
    const rec = ctx.wasmRecord(id);
    const status = statusOf(ctx.store, rec);
    if (!resume && status !== 'running') throw new Error(ERR_NOT_RUNNING);
    if (resume && status !== 'paused') throw new Error(ERR_NOT_PAUSED);
    for (const pid of [rec.pid!, ...(rec.execPids ?? [])]) {
      try { process.kill(pid, resume ? 'SIGCONT' : 'SIGSTOP'); } catch { /* gone */ }
    }
    rec.paused = !resume;
    ctx.store.write(rec);
    return 0;
  });
}
