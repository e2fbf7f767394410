/**
 * The container runner's worker thread, when the runner is pid 1 (runner.ts):
 * the guest (container-guest.ts), its stdout gathered in the ring the main
 * thread drains.
 */
import fs from 'node:fs';
import { workerData } from 'node:worker_threads';
import { failureLine } from '../src/errors.js';
import { runContainerGuest } from './container-guest.js';
import { GUEST_ROOT } from './runner-root.js';
import type { GuestProcess } from './guest.js';

const { guest, traceFd, ring, root } = workerData as { guest: GuestProcess; traceFd?: number; ring?: SharedArrayBuffer; root?: string };
// No top-level await: the build bundles this entry as CommonJS, to run it from V8's code cache.
void runContainerGuest(guest, root ?? GUEST_ROOT, traceFd, ring).then((code) => code, (e: unknown) => {
  // Before the guest ran: its module is missing or malformed.
  fs.writeSync(2, failureLine(e) + '\n');
  return 1;
}).then((code) => {
  // Ends this thread with the guest's status; the main thread exits with it.
  process.exit(code);
});
