#!/usr/bin/env node
/** `tswasi-oci`: Wasm only for containers annotated as Wasm (module.wasm.image/variant, run.oci.handler). */
import { route } from './route.js';

// No top-level await: the build bundles this entry as CommonJS, to run it from V8's code cache.
const argv = process.argv.slice(2);
void route(argv, false)
  .then(async (code) => code ?? (await import('./cli.js')).main(argv, false))
  .then((code) => { process.exitCode = code; });
