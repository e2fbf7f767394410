#!/usr/bin/env node
/** `tswasi-oci`: Wasm only for containers annotated as Wasm (module.wasm.image/variant, run.oci.handler). */
import { route } from './route.js';

process.exitCode = (await route(process.argv.slice(2), false)) ?? await (await import('./cli.js')).main(process.argv.slice(2), false);
