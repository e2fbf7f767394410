/** The thread of a one-shot run (./one-shot.ts): one task in, its result out, then the thread ends. */
import { parentPort } from 'node:worker_threads';
import runGuest from './guest-worker.js';
import type { GuestTask } from './task.js';

parentPort!.once('message', (task: GuestTask) => {
  parentPort!.postMessage(runGuest(task));
});
