/**
 * One `create` of an id at a time. runc 1.1 checks that a container's state
 * directory is absent and then makes it with MkdirAll, so two creates of one
 * id at once can both pass the check; the loser fails on the exec fifo and,
 * cleaning up, removes the cgroup the winner's init is in (seen here: eight
 * racing creates, none left running). Engines never do this, but an id is
 * input from outside, and a runtime must not lose a container to it. Held
 * while the native runtime creates, so the second create finds the first's
 * container and gets runc's own "container with id exists".
 *
 * Node has no flock: the lock is a file made with O_EXCL holding our pid. A
 * lock whose process is gone (killed mid-create) is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sleepMs } from '../wasi/sleep.js';
import { copyPrefix } from './bundle-copies.js';
import { runSubdir } from './run-dir.js';

/** How long a create waits for another of the same id before going ahead (runc then says what it says). */
const WAIT_MS = 30_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** Run `fn` holding the lock of (root, id). */
export async function withIdLock<T>(root: string | undefined, id: string, fn: () => Promise<T>): Promise<T> {
  const dir = runSubdir('locks');
  const file = path.join(dir, `${copyPrefix(root, id)}lock`);
  const deadline = Date.now() + WAIT_MS;
  let held = false;
  while (!held && Date.now() < deadline) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      held = true;
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(fs.readFileSync(file, 'utf8') || NaN);
      } catch (r) {
        // Released between our open and this read: try again at once.
        if ((r as { code?: string }).code === 'ENOENT') continue;
        throw r;
      }
      // Empty: its owner is between creating and writing it; wait. A dead owner's: take it over.
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) fs.rmSync(file, { force: true });
      else sleepMs(5);
    }
  }
  try {
    return await fn();
  } finally {
    if (held) fs.rmSync(file, { force: true });
  }
}
