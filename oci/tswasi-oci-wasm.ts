#!/usr/bin/env node
/** `tswasi-oci-wasm`: every container whose entrypoint is Wasm runs as Wasm, annotated or not. */
import { passThrough } from './route.js';

process.exitCode = passThrough(process.argv.slice(2)) ?? await (await import('./cli.js')).main(process.argv.slice(2), true);
