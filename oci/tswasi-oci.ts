#!/usr/bin/env node
/** `tswasi-oci`: Wasm only for containers annotated as Wasm (module.wasm.image/variant, run.oci.handler). */
import { main } from './cli.js';

// No top-level await: the build bundles this entry as CommonJS, to run it from V8's code cache.
void main(process.argv.slice(2), false).then((code) => { process.exitCode = code; });
