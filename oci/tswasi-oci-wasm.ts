#!/usr/bin/env node
/** `tswasi-oci-wasm`: every container whose entrypoint is Wasm runs as Wasm, annotated or not. */
import { route } from './route.js';

// No top-level await: the build bundles this entry as CommonJS, to run it from V8's code cache.
const argv = process.argv.slice(2);
void route(argv, true)
  .then(async (code) => code ?? (await import('./cli.js')).main(argv, true))
  .then((code) => { process.exitCode = code; });
