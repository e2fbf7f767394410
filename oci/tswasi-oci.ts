#!/usr/bin/env node
/** `tswasi-oci`: Wasm only for containers annotated as Wasm (module.wasm.image/variant, run.oci.handler). */
import { passThrough } from './route.js';

process.exitCode = passThrough(process.argv.slice(2)) ?? await (await import('./cli.js')).main(process.argv.slice(2), false);
