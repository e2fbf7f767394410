#!/usr/bin/env node
/**
 * `tswasi`. When the command runs a guest, its worker thread is started
 * first, so that the thread's boot (a second Node environment, ~20 ms)
 * overlaps loading the command line (./main.ts: yargs and the runtime),
 * parsing it and compiling the module.
 */
import { prestartWorker } from '../pool/one-shot.js';
import { runsGuest } from './command.js';

const argv = process.argv.slice(2);
if (runsGuest(argv)) prestartWorker();
const { main } = await import('./main.js');
await main(argv);
