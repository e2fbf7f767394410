/** `start`: release a created container's process (it waits on exec.fifo). */
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { sleepMs, statusOf } from '../status.js';
import { EXEC_FIFO, containerAlive } from '../state-store.js';
import { errCannotStart } from '../runc-errors.js';

export function start(ctx: Context, id: string): number {
  const owner = ctx.nativeOwner(id);
  if (owner !== null) return ctx.delegateTo(owner.runtime);
  return ctx.store.withLock(id, () => {
    const rec = ctx.wasmRecord(id);
    const status = statusOf(ctx.store, rec);
    if (status !== 'created') throw new Error(errCannotStart(status));
    const fifo = path.join(ctx.store.dir(id), EXEC_FIFO);
    const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      const buf = Buffer.alloc(1);
      const deadline = Date.now() + 10_000;
      const readOne = (): boolean => {
        try {
          return fs.readSync(fd, buf, 0, 1, null) === 1;
        } catch (e) {
          if ((e as { code?: string }).code !== 'EAGAIN') throw e;
          return false;
        }
      };
      for (;;) {
        if (readOne()) break;
        // It may have taken the start, run and exited between our read and this check: read once more.
        if (!containerAlive(rec)) {
          if (readOne()) break;
          throw new Error(`container ${id} exited before it was started`);
        }
        if (Date.now() > deadline) throw new Error(`container ${id} did not answer start`);
        sleepMs(2);
      }
    } finally {
      fs.closeSync(fd);
      fs.rmSync(fifo, { force: true });
    }
    ctx.log.info(`started ${id}`);
    return 0;
  });
}
