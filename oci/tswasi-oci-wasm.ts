#!/usr/bin/env node
/** `tswasi-oci-wasm`: every container whose entrypoint is Wasm runs as Wasm, annotated or not. */
import { route } from './route.js';

process.exitCode = (await route(process.argv.slice(2), true)) ?? await (await import('./cli.js')).main(process.argv.slice(2), true);
