/**
 * The container runner's worker thread, when the runner is pid 1 (runner.ts):
 * the guest (container-guest.ts), its stdout gathered in the ring the main
 * thread drains.
 */
import { workerData } from 'node:worker_threads';
import { exitWithContainerGuest } from './container-guest.js';
import { GUEST_ROOT } from './runner-root.js';
import type { GuestProcess } from './guest.js';

const { guest, traceFd, ring, root } = workerData as { guest: GuestProcess; traceFd?: number; ring?: SharedArrayBuffer; root?: string };
exitWithContainerGuest(guest, root ?? GUEST_ROOT, traceFd, ring);
