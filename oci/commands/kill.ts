/**
 * `kill`: signal the container process. WASI preview1 has no signals: the
 * guest runs in the container process, whose default dispositions end it
 * (exit status 128+signal), also while the guest spins in a loop.
 */
import type { Context } from '../context.js';
import { parseSignal } from '../signals.js';
import { statusOf } from '../status.js';
import { containerAlive } from '../state-store.js';
import { ERR_NOT_RUNNING } from '../runc-errors.js';

export function kill(ctx: Context, id: string, signal: string | undefined, all: boolean): number {
  const owner = ctx.nativeOwner(id);
  if (owner !== null) return ctx.delegateTo(owner.runtime);
  const sig = parseSignal(signal);
  const rec = ctx.wasmRecord(id);
  if (statusOf(ctx.store, rec) === 'stopped') {
    // runc 1.1: `kill --all` of a stopped container succeeds (containerd's
    // shim sends `kill --all ID 9` after every task exit); a plain kill says
    // "container not running", a text the shim tolerates.
    if (all) return 0;
    throw new Error(ERR_NOT_RUNNING);
  }
  try {
    process.kill(rec.pid!, sig);
  } catch (e) {
    // It exited between the status check and the signal: stopped, as above.
    if ((e as { code?: string }).code !== 'ESRCH') throw e;
    if (all) return 0;
    throw new Error(ERR_NOT_RUNNING);
  }
  if (all) for (const pid of rec.execPids ?? []) { try { process.kill(pid, sig); } catch { /* gone */ } }
  // A stopped process only acts on the signal once it runs again.
  if (rec.paused && sig !== 0 && sig !== 19 && containerAlive(rec)) process.kill(rec.pid!, 'SIGCONT');
  ctx.log.info(`sent signal ${sig} to ${id}`);
  return 0;
}
