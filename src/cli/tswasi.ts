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
// No top-level await: the build bundles this entry as CommonJS, to run it from V8's code cache.
void import('./main.js').then(({ main }) => main(argv));
