#!/usr/bin/env node
// One measured run of one workload on one engine, in a fresh process.
//
//   node bench/runner.mjs <engine> <workload> [--stdout-inherit | --check-stdout] [--wasm FILE] [-- guest args...]
//
// engine: tswasi | node   (node == node:wasi)
// Prints a single JSON line on stdout. The guest's stdout goes to /dev/null
// (so small-writes measures the host write path, not a terminal), unless
// --stdout-inherit is given. --check-stdout sends it to a temp file instead and
// fails the run unless exactly the expected output arrived (catches
// a host that buffers stdout and loses it, or a guest that didn't run). The guest gets a fresh temp dir preopened as
// /sandbox (under $BENCH_TMPDIR, default /dev/shm if it is a tmpfs, else
// os.tmpdir()), removed afterwards (outside the timed region).
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { GUEST_DIR, ROOT_DIR, buildWorkload, getWorkload, scratchBase, stdoutProblem } from './lib/workloads.mjs';

const bootMs = performance.now(); // time since process start, before our own work

function usage(msg) {
  if (msg) process.stderr.write(`runner: ${msg}\n`);
  process.stderr.write('usage: node bench/runner.mjs <tswasi|node> <workload> [--stdout-inherit] [--wasm FILE] [-- guest args...]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
const dd = argv.indexOf('--');
const opts = dd >= 0 ? argv.slice(0, dd) : argv;
const guestOverride = dd >= 0 ? argv.slice(dd + 1) : null;
// --wasm FILE: use this prebuilt module (run.mjs passes it so the measured
// process doesn't spend time hashing sources / asking clang for its version).
let wasmOverride = null;
const wi = opts.indexOf('--wasm');
if (wi >= 0) {
  wasmOverride = opts[wi + 1];
  if (!wasmOverride) usage('--wasm needs a file');
  opts.splice(wi, 2);
}
const positional = opts.filter((a) => !a.startsWith('--'));
const flags = new Set(opts.filter((a) => a.startsWith('--')));
for (const f of flags) if (f !== '--stdout-inherit' && f !== '--check-stdout') usage(`unknown option ${f}`);
if (positional.length !== 2) usage();
const [engine, workloadName] = positional;

let workload;
try {
  workload = getWorkload(workloadName);
} catch (e) {
  usage(e.message);
}
const wasmPath = wasmOverride ?? buildWorkload(workload);
const guestArgs = guestOverride ?? workload.args;

async function loadEngine(name) {
  switch (name) {
    case 'tswasi':
      return (await import(pathToFileURL(join(ROOT_DIR, 'dist', 'wasi', 'index.js')).href)).WASI;
    case 'node':
    case 'node:wasi':
      return (await import('node:wasi')).WASI;
    default:
      usage(`unknown engine '${name}'`);
  }
}

const t0 = performance.now();
const WASI = await loadEngine(engine);
const t1 = performance.now();
const module = await WebAssembly.compile(readFileSync(wasmPath));
const t2 = performance.now();

const sandbox = mkdtempSync(join(scratchBase(), `tswasi-bench-${workload.name}-`));
const checkStdout = flags.has('--check-stdout');
const stdoutFd = flags.has('--stdout-inherit')
  ? 1
  : checkStdout
    ? openSync(join(sandbox + '.stdout'), 'w+')
    : openSync('/dev/null', 'w');
let stdoutError = null;
let exitCode;
let times;
try {
  const t3 = performance.now();
  const wasi = new WASI({
    version: 'preview1',
    args: [workload.name, ...guestArgs],
    env: { BENCH: '1' },
    preopens: { [GUEST_DIR]: sandbox },
    returnOnExit: true,
    stdin: 0,
    stdout: stdoutFd,
    stderr: 2,
    // node:wasi writes every fd_write at once; tswasi's class does too unless
    // asked to gather (what `tswasi run` and the pool do, with a time bound).
    ...(engine === 'tswasi' ? { coalesceStdout: true } : {}),
  });
  const t4 = performance.now();
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  const t5 = performance.now();
  exitCode = wasi.start(instance);
  const t6 = performance.now();
  times = {
    ms: t6 - t4, // the headline number: instantiate + start
    instantiateMs: t5 - t4,
    startMs: t6 - t5,
    setupMs: t4 - t3, // new WASI(...)
    compileMs: t2 - t1, // WebAssembly.compile (not timed in ms)
    importMs: t1 - t0, // import of the engine module
    bootMs, // node process boot up to runner's first line
  };
  if (checkStdout) {
    const got = readFileSync(sandbox + '.stdout');
    stdoutError = stdoutProblem(workload, guestArgs, got);
    times.stdoutBytes = got.length;
  }
} finally {
  if (stdoutFd !== 1) closeSync(stdoutFd);
  rmSync(sandbox, { recursive: true, force: true });
  if (checkStdout) rmSync(sandbox + '.stdout', { force: true });
}

const result = { engine, workload: workload.name, exitCode, ...times };
process.stdout.write(JSON.stringify(result) + '\n');
if (exitCode !== 0) {
  process.stderr.write(`runner: ${engine}/${workload.name} exited with code ${exitCode}\n`);
  process.exitCode = 1;
}
if (stdoutError) {
  process.stderr.write(`runner: ${engine}/${workload.name}: ${stdoutError}\n`);
  process.exitCode = 1;
}
