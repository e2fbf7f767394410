#!/usr/bin/env node
/** `tswasi-oci-wasm`: every container whose entrypoint is Wasm runs as Wasm, annotated or not. */
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2), true);
