#!/usr/bin/env node
/** `tswasi`: the command line (./main.ts) loads when it runs; a guest runs on this thread (./run.ts). */
// No top-level await: the build bundles this entry as CommonJS, to run it from V8's code cache.
void import('./main.js').then(({ main }) => main(process.argv.slice(2)));
