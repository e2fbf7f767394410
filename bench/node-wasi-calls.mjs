#!/usr/bin/env node
// node:wasi in-process on the main thread, for bench/pool.mjs: compile once,
// then a fresh WASI + instance per call, as an embedder without a pool does.
// Runs in its own process because Node 20's node:wasi can crash (SIGSEGV)
// after some thousands of instances; pool.mjs reports that and retries.
//
//   node bench/node-wasi-calls.mjs MODULE CALLS ARGV0
// stdin is /dev/null, one fd for every call. Prints one JSON line:
// { rate (calls/s), cpuUsPerCall }.
import fs from 'node:fs';
import { WASI } from 'node:wasi';

const [wasm, callsArg, argv0] = process.argv.slice(2);
const calls = Number(callsArg);
const module = new WebAssembly.Module(fs.readFileSync(wasm));
const devnull = fs.openSync('/dev/null', 'w');
const stdin = fs.openSync('/dev/null', 'r');
const once = () => {
  const wasi = new WASI({ version: 'preview1', args: [argv0], env: {}, stdin, stdout: devnull, returnOnExit: true });
  return wasi.start(new WebAssembly.Instance(module, wasi.getImportObject()));
};
for (let i = 0; i < 50; i++) once();
const c0 = process.cpuUsage();
const t = performance.now();
for (let i = 0; i < calls; i++) if (once() !== 0) throw new Error('a node:wasi call failed');
const ms = performance.now() - t;
const c = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ rate: calls / (ms / 1000), cpuUsPerCall: (c.user + c.system) / calls }) + '\n');
