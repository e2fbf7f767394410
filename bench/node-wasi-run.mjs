#!/usr/bin/env node
// The node:wasi side of the whole-process benchmark: the few lines a user of
// node:wasi writes to run a WASI command (read, compile, instantiate, start),
// taking the arguments `tswasi run` takes, so that both are timed from spawn
// to exit doing the same work:
//
//   node bench/node-wasi-run.mjs [--dir HOST::GUEST]... [--env NAME=VALUE]... MODULE [ARGS...]
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
while (argv[0] === '--dir' || argv[0] === '--env') {
  const [flag, value] = argv.splice(0, 2);
  if (flag === '--dir') {
    const [host, guest = host] = value.split('::');
    preopens[guest] = host;
  } else {
    const eq = value.indexOf('=');
    env[value.slice(0, eq)] = value.slice(eq + 1);
  }
}
const [module, ...args] = argv;
if (!module) {
  process.stderr.write('usage: node bench/node-wasi-run.mjs [--dir HOST::GUEST]... [--env NAME=VALUE]... MODULE [ARGS...]\n');
  process.exit(2);
}
const wasi = new WASI({ version: 'preview1', args: [module, ...args], env, preopens, returnOnExit: true });
const instance = await WebAssembly.instantiate(await WebAssembly.compile(readFileSync(module)), wasi.getImportObject());
process.exitCode = wasi.start(instance);
