#!/usr/bin/env node
/** `tswasi-oci-wasm`: every container whose entrypoint is Wasm runs as Wasm, annotated or not. */
import { main } from './cli.js';

// No top-level await: the build bundles this entry as CommonJS, to run it from V8's code cache.
void main(process.argv.slice(2), true).then((code) => { process.exitCode = code; });
