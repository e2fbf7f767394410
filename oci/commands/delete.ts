/** `delete`: remove a container's state; `--force` kills it first. */
import type { Context } from '../context.js';
import { statusOf, waitGone } from '../status.js';
import { CorruptRecordError, containerAlive } from '../state-store.js';
import { ERR_NOT_EXIST, errCannotDelete } from '../runc-errors.js';

export function del(ctx: Context, id: string, force: boolean): number {
  const owner = ctx.nativeOwner(id);
  if (owner !== null) {
    const code = ctx.delegateTo(owner.runtime);
    if (code === 0) ctx.unmarkNative(id);
    return code;
  }
  if (!ctx.store.exists(id)) {
    if (!force) throw new Error(ERR_NOT_EXIST);
    // runc: delete --force of an unknown id succeeds. A create that died
    // before writing its record leaves only the claimed directory: remove it
    // (its container process, if any, leaves when its FIFO is gone).
    ctx.store.remove(id);
    return 0;
  }
  return ctx.store.withLock(id, () => {
    let rec;
    try {
      rec = ctx.store.read(id);
    } catch (e) {
      if (!(force && e instanceof CorruptRecordError)) throw e;
      // Nothing readable to act on: --force removes what is left.
      ctx.store.remove(id);
      ctx.log.info(`deleted ${id} (its record was corrupt)`);
      return 0;
    }
    const status = statusOf(ctx.store, rec);
    if ((status === 'running' || status === 'paused') && !force) {
      throw new Error(errCannotDelete(id, status));
    }
    if (containerAlive(rec)) {
      try { process.kill(rec.pid!, 'SIGKILL'); } catch { /* already gone */ }
      if (rec.paused) { try { process.kill(rec.pid!, 'SIGCONT'); } catch { /* gone */ } }
      if (!waitGone(rec, 10_000)) throw new Error(`container ${id} did not die`);
    }
    for (const pid of rec.execPids ?? []) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    ctx.store.remove(id);
    ctx.log.info(`deleted ${id}`);
    return 0;
  });
}
