/** The thread of `tswasi run --max-wasm-stack` (./run.ts): the guest with the stack it asked for, its outcome back. */
import { parentPort, workerData } from 'node:worker_threads';
import { runCliGuest, type CliGuest } from './run.js';

parentPort!.postMessage(runCliGuest(workerData as CliGuest));
