/** `ps`: the processes of a container (its container process and exec'ed ones). */
import { spawnSync } from 'node:child_process';
import type { Context } from '../context.js';
import { pidAlive } from '../state-store.js';
import { statusOf } from '../status.js';

export function ps(ctx: Context, id: string, format: string, psArgs: string[]): number {
  const owner = ctx.nativeOwner(id);
  if (owner !== null) return ctx.delegateTo(owner.runtime);
  const rec = ctx.wasmRecord(id);
  const pids = statusOf(ctx.store, rec) === 'stopped' ? [] : [rec.pid!, ...(rec.execPids ?? []).filter(pidAlive)];
  if (format === 'json') {
    process.stdout.write(JSON.stringify(pids) + '\n');
    return 0;
  }
  if (pids.length === 0) {
    process.stdout.write('PID\n');
    return 0;
  }
  const r = spawnSync('ps', [...(psArgs.length > 0 ? psArgs : ['-f']), '-p', pids.join(',')], { stdio: 'inherit' });
  return r.status ?? 1;
}
