// Test helpers: compile the C conformance programs to wasm32-wasi and run
// them under tswasi's WASI class (in-process) or its CLI.
//
//   compileC(name)            -> path of test/.build/<name>.wasm, or null (skip)
//   runWasi(wasm, options)    -> { code, stdout, stderr, error, dir, vol, root, outside }
//   runCli(args, options)     -> { code, signal, stdout, stderr }
//
// Environment:
//   TSWASI_IMPL=node        run on Node's built-in node:wasi instead (host
//                           backend only): a sanity check of the C programs
//                           themselves; node:wasi is known to fail some checks
//   TSWASI_MEM_LAYOUT=subdir  preopen a Volume subdirectory ({ volume, path })
//                           instead of the Volume itself on the mem backend
//   TSWASI_RUN_TIMEOUT_MS   watchdog limit for one guest run (default 60000)
//   TSWASI_TRACE_RUNS=1     log each run to stderr
//   TSWASI_KEEP_TMP=1       keep the temp sandboxes
//   WASI_CC                 the compiler (default clang); CI=true makes a
//                           missing toolchain an error instead of a skip
// C programs can be built with -DTRACE_LINES (see check.h) to find a hang.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import assert from 'node:assert/strict';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const C_DIR = path.join(ROOT, 'test', 'c');
export const BUILD_DIR = path.join(ROOT, 'test', '.build');
export const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'tswasi.js');
export const WASI_MODULE = path.join(ROOT, 'dist', 'wasi', 'index.js');

export const CC = process.env.WASI_CC || 'clang';
export const CFLAGS = ['--target=wasm32-wasi', '-O2', '-Wall', '-Wno-unused-function'];
export const IMPL = process.env.TSWASI_IMPL === 'node' ? 'node' : 'tswasi';
/** Backends every program runs on. node:wasi has no in-memory backend. */
export const BACKENDS = IMPL === 'node' ? ['host'] : ['host', 'mem'];

const CI = process.env.CI === 'true';

// ---------------------------------------------------------------- compiling

let toolchain; // undefined: not probed yet; string: why it is missing; true: usable

function probeToolchain() {
  if (toolchain !== undefined) return toolchain;
  const v = spawnSync(CC, ['--version'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) {
    toolchain = `${CC} not found (${v.error?.message ?? v.stderr})`;
    return toolchain;
  }
  fs.mkdirSync(BUILD_DIR, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasi-cc-'));
  try {
    const src = path.join(dir, 'probe.c');
    fs.writeFileSync(src, '#include <stdio.h>\n#include <wasi/api.h>\nint main(void){puts("x");return 0;}\n');
    const r = spawnSync(CC, [...CFLAGS, src, '-o', path.join(dir, 'probe.wasm')], { encoding: 'utf8' });
    toolchain = r.status === 0 ? true : `${CC} cannot build for wasm32-wasi (wasi-libc missing?): ${r.stderr || r.error?.message}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return toolchain;
}

/**
 * Build `src` to `out` for wasm32-wasi with `flags`, the same bytes whatever
 * else is on PATH. clang's wasm driver runs any `wasm-opt` it finds (Debian's
 * binaryen in /usr/bin, assemblyscript's in node_modules/.bin) after linking,
 * but only in a link step given an -O option (clang 14
 * ToolChains/WebAssembly.cpp; clang 14 has no --no-wasm-opt). So compile with
 * the flags and link without -O: byte for byte what a one-step build gives
 * on a machine without wasm-opt. Returns spawnSync's result.
 */
export function buildWasm(flags, src, out) {
  const obj = `${out}.o`;
  try {
    const c = spawnSync(CC, [...flags, '-Wno-unused-command-line-argument', '-c', src, '-o', obj], { encoding: 'utf8' });
    if (c.status !== 0) return c;
    return spawnSync(CC, [...flags.filter((f) => !/^-O/.test(f)), obj, '-o', out], { encoding: 'utf8' });
  } finally {
    fs.rmSync(obj, { force: true });
  }
}

/** Why the toolchain is unusable, or null when it is usable. */
export function toolchainProblem() {
  const t = probeToolchain();
  return t === true ? null : t;
}

/**
 * Compile test/c/<name>.c (with the shared headers in test/c) to
 * test/.build/<name>.wasm, reusing the previous build when the sources, the
 * flags and the compiler version are unchanged. Returns the wasm path, or
 * null when the toolchain is missing (outside CI; in CI that throws).
 */
export function compileC(name, extraFlags = []) {
  return compileFrom(C_DIR, BUILD_DIR, name, extraFlags);
}

/** compileC for another source folder (the attack suite's guests). */
export function compileFrom(srcDir, buildDir, name, extraFlags = []) {
  const problem = toolchainProblem();
  if (problem) {
    if (CI) throw new Error(`C toolchain for wasm32-wasi is required in CI: ${problem}`);
    return null;
  }
  const src = path.join(srcDir, `${name}.c`);
  const flags = [...CFLAGS, ...extraFlags];
  const h = createHash('sha256');
  h.update(JSON.stringify(flags));
  h.update('compile, then link without -O (buildWasm)');
  h.update(spawnSync(CC, ['--version'], { encoding: 'utf8' }).stdout ?? '');
  h.update(fs.readFileSync(src));
  for (const f of fs.readdirSync(srcDir).filter((f) => f.endsWith('.h')).sort()) {
    h.update(f);
    h.update(fs.readFileSync(path.join(srcDir, f)));
  }
  const hash = h.digest('hex');
  const out = path.join(buildDir, `${name}.wasm`);
  const stamp = path.join(buildDir, `${name}.hash`);
  if (fs.existsSync(out) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash) return out;
  fs.mkdirSync(buildDir, { recursive: true });
  // Build to a private name and rename: test files run in parallel processes.
  const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
  const r = buildWasm(flags, src, tmp);
  if (r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`compiling ${name}.c failed:\n${r.stderr}${r.error?.message ?? ''}`);
  }
  fs.renameSync(tmp, out);
  fs.writeFileSync(`${stamp}.${process.pid}.tmp`, hash);
  fs.renameSync(`${stamp}.${process.pid}.tmp`, stamp);
  return out;
}

// ------------------------------------------------------------------ running

const moduleCache = new Map();
async function loadModule(wasmPath) {
  let m = moduleCache.get(wasmPath);
  if (!m) {
    m = WebAssembly.compile(fs.readFileSync(wasmPath));
    moduleCache.set(wasmPath, m);
  }
  return m;
}

let wasiClass;
async function loadWasi() {
  if (wasiClass) return wasiClass;
  if (IMPL === 'node') {
    wasiClass = (await import('node:wasi')).WASI;
  } else {
    if (!fs.existsSync(WASI_MODULE)) {
      throw new Error(`${path.relative(ROOT, WASI_MODULE)} is missing: run \`npm run build\` first`);
    }
    wasiClass = (await import(pathToFileURL(WASI_MODULE).href)).WASI;
  }
  return wasiClass;
}

let memfsMod;
async function loadMemfs() {
  memfsMod ??= await import('memfs');
  return memfsMod;
}

// ----------------------------------------------------------------- watchdog
// start() runs the guest synchronously on this thread, so a hung guest or a
// host call that blocks forever cannot be stopped by node:test's timeouts.
// A watchdog thread kills the whole test process instead, after printing
// which program hung — the test file then fails rather than hanging CI.
export const RUN_TIMEOUT_MS = Number(process.env.TSWASI_RUN_TIMEOUT_MS || 60_000);
let watchdog;
async function armWatchdog(label) {
  if (!watchdog) {
    const sab = new SharedArrayBuffer(8 + 4 + 256);
    const code = `
      const { workerData } = require('node:worker_threads');
      const fs = require('node:fs');
      const deadline = new Float64Array(workerData.sab, 0, 1);
      const labelLen = new Int32Array(workerData.sab, 8, 1);
      const labelBytes = new Uint8Array(workerData.sab, 12, 256);
      const label = () => Buffer.from(labelBytes.slice(0, labelLen[0])).toString();
      if (process.env.TSWASI_TRACE_RUNS) fs.writeSync(2, '[watchdog] up\\n');
      setInterval(() => {
        const d = deadline[0];
        if (d > 0 && Number(process.hrtime.bigint() / 1000000n) > d) {
          fs.writeSync(2, '\\n[tswasi test watchdog] a guest run did not finish within ' +
            workerData.ms + ' ms: ' + label() + '; killing the test process\\n');
          process.kill(process.pid, 'SIGKILL');
        }
      }, 250);`;
    const w = new Worker(code, { eval: true, workerData: { sab, ms: RUN_TIMEOUT_MS } });
    watchdog = {
      w,
      deadline: new Float64Array(sab, 0, 1),
      labelLen: new Int32Array(sab, 8, 1),
      labelBytes: new Uint8Array(sab, 12, 256),
    };
    // Its thread must be running before the guest can block this one.
    await new Promise((resolve, reject) => {
      w.once('online', resolve);
      w.once('error', reject);
    });
    w.on('error', (e) => process.stderr.write(`[tswasi test watchdog] failed: ${e?.stack ?? e}\n`));
    w.unref(); // only now: an unref'd worker would let the event loop end first
  }
  const bytes = Buffer.from(label).subarray(0, 256);
  watchdog.labelBytes.set(bytes);
  watchdog.labelLen[0] = bytes.length;
  // The monotonic clock (the watchdog thread reads the same): a wall-clock step is no hang.
  watchdog.deadline[0] = Number(process.hrtime.bigint() / 1000000n) + RUN_TIMEOUT_MS;
}
function disarmWatchdog() {
  if (watchdog) watchdog.deadline[0] = 0;
}

const tempRoots = [];
process.on('exit', () => {
  if (process.env.TSWASI_KEEP_TMP) return;
  for (const d of tempRoots) {
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {}
  }
});

/** A fresh temp dir, removed when the process exits. */
export function tempDir(prefix = 'tswasi-test-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempRoots.push(d);
  return d;
}

/** Write `files` ({ 'a/b.txt': 'text' | Uint8Array, 'dir': null }) under `base` of `fsApi`. */
export function populate(fsApi, base, files = {}) {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.posix.join(base, rel);
    if (content === null) {
      fsApi.mkdirSync(p, { recursive: true });
    } else {
      fsApi.mkdirSync(path.posix.dirname(p), { recursive: true });
      fsApi.writeFileSync(p, content);
    }
  }
}

class Sink {
  chunks = [];
  write(chunk) {
    // Copy: the chunk may be a view of guest memory.
    this.chunks.push(Buffer.from(chunk));
  }
  text() {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Run a WASI program in-process.
 *
 * options:
 *   backend  'host' (a temp dir) | 'mem' (a memfs Volume); preopened at '/sandbox'
 *   args     argv after argv[0] (argv[0] is the program's base name)
 *   env      environment object
 *   files    initial sandbox contents (see populate)
 *   stdin    Uint8Array | string given to the guest as stdin (default: empty)
 *   stdioFds give stdin/stdout/stderr as fd numbers of temp files instead of
 *            bytes and sinks
 *   setup    ({ backend, fs, sandbox, root, outside, vol }) => void, run after
 *            `files` are written: plant symlinks etc. `fs` is node:fs (host)
 *            or the Volume (mem); `sandbox` is the sandbox's path in it.
 *   withOutside  also create a sibling 'outside' dir (see makeOutside)
 *   imports  (res) => ({ module: { name: fn } }): more imports beside WASI's
 *   wasiOptions  more options for tswasi's WASI constructor
 *   memLayout  'root' (default: the Volume itself is the preopen, as in
 *            `preopens: { '/sandbox': vol }`) or 'subdir' (the Volume's
 *            /sandbox is preopened with `{ volume: vol, path: '/sandbox' }`)
 *
 * Host layout: <tmp>/sandbox (the preopen) and <tmp>/outside.
 * Mem layout 'root': the Volume's '/' is the preopen; with withOutside,
 * '/outside' and '/etc/passwd' are created in the volume: that is where a
 * sandbox that clamps `..` at the root, or resolves absolute symlinks in the
 * volume, would land. Mem layout 'subdir': '/sandbox' is the preopen and
 * '/outside', '/etc/passwd' are its siblings in the volume. <tmp>/outside on
 * the host exists in every case.
 *
 * setup() also gets `outsideInFs` (outside's path in `fs`) and `absOutside`
 * (an absolute symlink target naming it: the host path, or '/outside').
 */
export async function runWasi(wasmPath, options = {}) {
  const { backend = 'host', args = [], env = {}, files = {}, setup, withOutside = false } = options;
  const memLayout = options.memLayout ?? process.env.TSWASI_MEM_LAYOUT ?? 'root';
  const WASI = await loadWasi();
  const module = await loadModule(wasmPath);
  const root = tempDir();
  const outside = path.join(root, 'outside');
  const res = { backend, root, outside, dir: undefined, vol: undefined };
  let fsApi;
  let sandbox;
  if (backend === 'host') {
    sandbox = path.join(root, 'sandbox');
    fs.mkdirSync(sandbox);
    fsApi = fs;
    res.dir = sandbox;
  } else if (backend === 'mem') {
    const { Volume } = await loadMemfs();
    res.vol = new Volume();
    fsApi = res.vol;
    if (memLayout === 'subdir') {
      sandbox = '/sandbox';
      res.vol.mkdirSync(sandbox);
    } else {
      sandbox = '/';
    }
  } else {
    throw new Error(`unknown backend ${backend}`);
  }
  populate(fsApi, sandbox, files);
  let outsideInFs = outside;
  if (withOutside) {
    makeOutside(fs, outside);
    if (backend === 'mem') {
      makeOutside(res.vol, '/outside');
      res.vol.mkdirSync('/etc', { recursive: true });
      res.vol.writeFileSync('/etc/passwd', 'root:x:0:0:MEM PASSWD:/root:/bin/sh\n');
      outsideInFs = '/outside';
    }
  }
  res.sandbox = sandbox;
  res.outsideInFs = outsideInFs;
  if (setup) {
    await setup({ backend, fs: fsApi, sandbox, root, outside, outsideInFs, absOutside: outsideInFs, vol: res.vol });
  }

  const argv = [path.basename(wasmPath, '.wasm'), ...args];
  let stdinBytes = options.stdin ?? new Uint8Array(0);
  if (typeof stdinBytes === 'string') stdinBytes = new TextEncoder().encode(stdinBytes);

  let wasi;
  let nodeOut;
  const preopen = backend === 'host' ? sandbox : memLayout === 'subdir' ? { volume: res.vol, path: sandbox } : res.vol;
  if (IMPL === 'node' || options.stdioFds) {
    // Real fds for stdio (node:wasi only takes fds): temp files.
    nodeOut = {
      inPath: path.join(root, '.stdin'),
      outPath: path.join(root, '.stdout'),
      errPath: path.join(root, '.stderr'),
    };
    fs.writeFileSync(nodeOut.inPath, stdinBytes);
    nodeOut.in = fs.openSync(nodeOut.inPath, 'r');
    nodeOut.out = fs.openSync(nodeOut.outPath, 'w');
    nodeOut.err = fs.openSync(nodeOut.errPath, 'w');
  }
  if (IMPL === 'node') {
    wasi = new WASI({
      version: 'preview1',
      args: argv,
      env,
      preopens: { '/sandbox': sandbox },
      returnOnExit: true,
      stdin: nodeOut.in,
      stdout: nodeOut.out,
      stderr: nodeOut.err,
    });
  } else {
    // returnOnExit is left to its default, which the contract says is true.
    const opts = { version: 'preview1', args: argv, env, preopens: { '/sandbox': preopen }, ...options.wasiOptions };
    if (nodeOut) {
      Object.assign(opts, { stdin: nodeOut.in, stdout: nodeOut.out, stderr: nodeOut.err });
    } else {
      res.stdoutSink = new Sink();
      res.stderrSink = new Sink();
      Object.assign(opts, { stdin: stdinBytes, stdout: res.stdoutSink, stderr: res.stderrSink });
    }
    wasi = new WASI(opts);
  }
  // Imports of the test's own beside WASI's (an embedder's imports): options.imports(res) gives them.
  const instance = await WebAssembly.instantiate(module, { ...wasi.getImportObject(), ...options.imports?.(res) });
  // Say which program is about to run, so a watchdog kill can be traced.
  if (process.env.TSWASI_TRACE_RUNS) process.stderr.write(`[run] ${argv.join(' ')} (${backend})\n`);
  await armWatchdog(`${argv.join(' ')} [${backend}]`);
  try {
    res.code = wasi.start(instance);
  } catch (e) {
    res.error = e;
  } finally {
    disarmWatchdog();
  }
  if (nodeOut) {
    for (const fd of [nodeOut.in, nodeOut.out, nodeOut.err]) fs.closeSync(fd);
    res.stdout = fs.readFileSync(nodeOut.outPath, 'utf8');
    res.stderr = fs.readFileSync(nodeOut.errPath, 'utf8');
  } else {
    res.stdout = res.stdoutSink.text();
    res.stderr = res.stderrSink.text();
  }
  return res;
}

/** What a failed run printed, for assertion messages. */
export function describe(res) {
  return (
    `exit code: ${res.code}${res.error ? `\nthrew: ${res.error?.stack ?? res.error}` : ''}\n` +
    `--- stdout ---\n${res.stdout}\n--- stderr ---\n${res.stderr}`
  );
}

/** The program ran to completion: exit code 0 and a last stdout line "ok". */
export function assertOk(res) {
  assert.equal(res.error, undefined, `start() threw\n${describe(res)}`);
  assert.equal(res.code, 0, `guest exited with ${res.code}\n${describe(res)}`);
  assert.match(res.stdout, /(^|\n)ok\n$/, `stdout does not end in "ok"\n${describe(res)}`);
}

/**
 * Compile `name` and run it on `backend`; returns null (after t.skip) when
 * the toolchain is missing.
 */
export async function compileAndRun(t, name, options = {}) {
  const wasm = compileC(name);
  if (!wasm) {
    t.skip(`clang/wasi-libc for wasm32-wasi not available: ${toolchainProblem()}`);
    return null;
  }
  return runWasi(wasm, options);
}

// --------------------------------------------------------------- "outside"

/** The sibling dir that the sandbox tests must never read or change. */
export function makeOutside(fsApi, dir) {
  fsApi.mkdirSync(path.posix.join(dir, 'dir'), { recursive: true });
  fsApi.writeFileSync(path.posix.join(dir, 'secret.txt'), 'TOP SECRET');
  fsApi.writeFileSync(path.posix.join(dir, 'victim.txt'), 'victim');
  fsApi.writeFileSync(path.posix.join(dir, 'dir', 'inner.txt'), 'inner');
  // Old, distinctive times so any set_times or write shows.
  const t = new Date('2001-02-03T04:05:06Z');
  for (const p of ['dir/inner.txt', 'secret.txt', 'victim.txt', 'dir', '.']) {
    fsApi.utimesSync(path.posix.join(dir, p), t, t);
  }
}

/** A comparable picture of a tree: every entry's type, size, content and times. */
export function snapshotTree(fsApi, dir) {
  const out = {};
  const walk = (rel) => {
    const p = rel ? path.posix.join(dir, rel) : dir;
    const st = fsApi.lstatSync(p);
    const entry = { mode: st.mode, size: Number(st.size), mtimeMs: Number(st.mtimeMs) };
    if (st.isDirectory()) {
      const names = fsApi.readdirSync(p).map(String).sort();
      entry.names = names;
      for (const n of names) walk(rel ? `${rel}/${n}` : n);
    } else if (st.isSymbolicLink()) {
      entry.link = String(fsApi.readlinkSync(p));
    } else {
      entry.content = fsApi.readFileSync(p).toString('base64');
    }
    out[rel || '.'] = entry;
  };
  walk('');
  return out;
}

// ---------------------------------------------------------------------- CLI

/** Spawn `node dist/src/cli/tswasi.js ...args`; resolves { code, signal, stdout, stderr }. */
export function runCli(args, { input, cwd = ROOT, env = process.env, timeout = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    if (!fs.existsSync(CLI)) {
      reject(new Error(`${path.relative(ROOT, CLI)} is missing: run \`npm run build\` first`));
      return;
    }
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}
