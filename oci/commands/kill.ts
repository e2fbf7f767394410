/**
 * `kill`: signal the container process. WASI preview1 has no signals: the
 * guest runs in the container process, whose default dispositions end it
 * (exit status 128+signal), also while the guest spins in a loop.
 */
import type { Context } from '../context.js';
import { parseSignal } from '../signals.js';
import { statusOf } from '../status.js';
import { containerAlive } from '../state-store.js';

export function kill(ctx: Context, id: string, signal: string | undefined, all: boolean): number {
  const owner = ctx.nativeOwner(id);
  if (owner !== null) return ctx.delegateTo(owner.runtime);
  const sig = parseSignal(signal);
  const rec = ctx.wasmRecord(id);
  if (statusOf(ctx.store, rec) === 'stopped') throw new Error(`container ${id} is not running`);
  process.kill(rec.pid!, sig);
  if (all) for (const pid of rec.execPids ?? []) { try { process.kill(pid, sig); } catch { /* gone */ } }
  // A stopped process only acts on the signal once it runs again.
  if (rec.paused && sig !== 19 && containerAlive(rec)) process.kill(rec.pid!, 'SIGCONT');
  ctx.log.info(`sent signal ${sig} to ${id}`);
  return 0;
}
