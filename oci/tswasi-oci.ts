#!/usr/bin/env node
/** `tswasi-oci`: Wasm only for containers annotated as Wasm (module.wasm.image/variant, run.oci.handler). */
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2), false);
