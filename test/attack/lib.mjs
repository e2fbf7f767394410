// Shared machinery of the attack suite (issue 6): compiling the attack
// guests, an in-process runner with its own watchdog, the "outside"
// directory every probe must leave untouched, snapshots and leak markers.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compileFrom } from '../helpers/wasm.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ATTACK_DIR = path.join(ROOT, 'test', 'attack');
export const C_DIR = path.join(ATTACK_DIR, 'c');
export const BUILD_DIR = path.join(ROOT, 'test', '.build', 'attack');
export const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'tswasi.js');
export const OCI_BIN = path.join(ROOT, 'dist', 'oci', 'tswasi-oci.js');
export const WASI_MODULE = path.join(ROOT, 'dist', 'wasi', 'index.js');
// The same compiler and flags as test/helpers/wasm.mjs.
export const CC = process.env.WASI_CC || 'clang';
export const CFLAGS = ['--target=wasm32-wasi', '-O2', '-Wall', '-Wno-unused-function'];
const CI = process.env.CI === 'true';

// ----------------------------------------------------------------- compiling

export { toolchainProblem } from '../helpers/wasm.mjs';

/** Compile test/attack/c/<name>.c to test/.build/attack/<name>.wasm (cached by content). Null: no toolchain. */
export function compileAttack(name, extraFlags = []) {
  return compileFrom(C_DIR, BUILD_DIR, name, extraFlags);
}

// ------------------------------------------------------------------- temp dirs

const temps = [];
process.on('exit', () => {
  if (process.env.TSWASI_KEEP_TMP) return;
  for (const d of temps) try { fs.rmSync(d, { recursive: true, force: true }); } catch {}
});
export function tempDir(prefix = 'tswasi-attack-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
}

// --------------------------------------------------------------- the outside

/** Everything outside carries "zq9" in its name or content; the secret is 7919 bytes. */
export const SECRET_SIZE = 7919;
export const OLD_TIME = new Date('2001-02-03T04:05:06Z');
/** Text that must never appear in what a guest prints. */
export const LEAK_MARKERS = [/zq9/i, /\b7919\b/, /root:x:0:0/, /MEMPASSWD/];

export function secretBytes() {
  const unit = 'ZQ9-SECRET-';
  return Buffer.from(unit.repeat(Math.ceil(SECRET_SIZE / unit.length)).slice(0, SECRET_SIZE));
}

/**
 * Populate an outside directory. variant 'A': the full set; 'B': other
 * names and sizes (for the oracle check: a guest's output must not depend
 * on what is outside).
 */
export function makeOutside(fsApi, dir, variant = 'A') {
  fsApi.mkdirSync(dir, { recursive: true });
  if (variant === 'A') {
    fsApi.mkdirSync(path.posix.join(dir, 'dirzq9'), { recursive: true });
    fsApi.writeFileSync(path.posix.join(dir, 'secret-zq9.txt'), secretBytes());
    fsApi.writeFileSync(path.posix.join(dir, 'victim-zq9.txt'), 'victim zq9');
    fsApi.writeFileSync(path.posix.join(dir, 'dirzq9', 'innerzq9.txt'), 'inner zq9');
    for (const p of ['dirzq9/innerzq9.txt', 'secret-zq9.txt', 'victim-zq9.txt', 'dirzq9']) {
      fsApi.utimesSync(path.posix.join(dir, p), OLD_TIME, OLD_TIME);
    }
  } else {
    fsApi.writeFileSync(path.posix.join(dir, 'otherzq9.bin'), 'q'.repeat(31));
  }
  fsApi.utimesSync(dir, OLD_TIME, OLD_TIME);
}

/** type, size, content, link text and mtime of every entry under dir (lstat, never follows). */
export function snapshotTree(fsApi, dir) {
  const out = {};
  const walk = (rel) => {
    const p = rel ? path.posix.join(dir, rel) : dir;
    let st;
    try { st = fsApi.lstatSync(p); } catch { out[rel || '.'] = 'missing'; return; }
    const e = { mode: st.mode, size: Number(st.size), mtimeMs: Number(st.mtimeMs) };
    if (st.isDirectory()) {
      e.names = fsApi.readdirSync(p).map(String).sort();
      for (const n of e.names) walk(rel ? `${rel}/${n}` : n);
    } else if (st.isSymbolicLink()) e.link = String(fsApi.readlinkSync(p));
    else if (st.isFile()) e.content = createHash('sha1').update(fsApi.readFileSync(p)).digest('hex');
    out[rel || '.'] = e;
  };
  walk('');
  return out;
}

/** Names (and mtimes, types) of a directory's entries except `skip`: the sandbox's parent. */
export function snapshotNames(fsApi, dir, skip = []) {
  const out = {};
  for (const n of fsApi.readdirSync(dir).map(String).sort()) {
    if (skip.includes(n)) continue;
    const st = fsApi.lstatSync(path.posix.join(dir, n));
    out[n] = { mode: st.mode, size: st.isDirectory() ? 0 : Number(st.size), mtimeMs: Number(st.mtimeMs) };
  }
  return out;
}

/** Differences between two snapshots, as readable lines. */
export function diffSnapshots(a, b) {
  const lines = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = JSON.stringify(a[k]);
    const y = JSON.stringify(b[k]);
    if (x !== y) lines.push(`${k}: ${x ?? 'absent'} -> ${y ?? 'absent'}`);
  }
  return lines;
}

/** Lines of guest output that show something from outside. */
export function leaks(text) {
  return text.split('\n').filter((l) => LEAK_MARKERS.some((re) => re.test(l)));
}

// ---------------------------------------------------------------- sandboxes

/**
 * A sandbox with an outside sibling, on the host or in a memfs Volume.
 * Host: <tmp>/sandbox, <tmp>/outside, <tmp>/parentzq9.txt.
 * Mem:  volume /sandbox (the preopen), /outside, /parentzq9.txt, /etc/passwd;
 *       and the host's <tmp>/outside too (what an absolute host path names).
 */
export async function makeWorld(backend, variant = 'A') {
  const root = tempDir();
  const hostOutside = path.join(root, 'outside');
  makeOutside(fs, hostOutside, variant);
  fs.writeFileSync(path.join(root, 'parentzq9.txt'), 'parent zq9');
  const w = { backend, root, hostOutside, variant };
  if (backend === 'host') {
    w.fs = fs;
    w.sandbox = path.join(root, 'sandbox');
    fs.mkdirSync(w.sandbox);
    w.outside = hostOutside;
    w.parent = root;
    w.preopen = w.sandbox;
  } else {
    const { Volume } = await import('memfs');
    const vol = new Volume();
    w.vol = vol;
    w.fs = vol;
    w.sandbox = '/sandbox';
    vol.mkdirSync('/sandbox');
    makeOutside(vol, '/outside', variant);
    vol.writeFileSync('/parentzq9.txt', 'parent zq9');
    vol.mkdirSync('/etc');
    vol.writeFileSync('/etc/passwd', 'MEMPASSWD zq9\n');
    w.outside = '/outside';
    w.parent = '/';
    w.preopen = { volume: vol, path: '/sandbox' };
  }
  /** The absolute target naming outside that a planted symlink uses. */
  w.absOutside = w.outside;
  return w;
}

/** Everything outside the sandbox that a probe could change. */
export function worldSnapshot(w) {
  const s = {
    hostOutside: snapshotTree(fs, w.hostOutside),
    hostParent: snapshotNames(fs, w.root, ['sandbox']),
  };
  if (w.vol) {
    s.memOutside = snapshotTree(w.vol, '/outside');
    s.memParent = snapshotNames(w.vol, '/', ['sandbox']);
    s.memEtc = snapshotTree(w.vol, '/etc');
  }
  return s;
}

export function diffWorld(a, b) {
  const out = [];
  for (const k of Object.keys(a)) for (const l of diffSnapshots(a[k], b[k])) out.push(`${k}/${l}`);
  return out;
}

// ------------------------------------------------------------------ running

let WASIClass;
export async function loadWasi() {
  if (!fs.existsSync(WASI_MODULE)) throw new Error('dist/ is missing: run `npm run build` first');
  WASIClass ??= (await import(pathToFileURL(WASI_MODULE).href)).WASI;
  return WASIClass;
}

const modules = new Map();
export async function loadModule(p) {
  if (!modules.has(p)) modules.set(p, WebAssembly.compile(fs.readFileSync(p)));
  return modules.get(p);
}

// A guest runs synchronously on this thread: a hang cannot be caught by
// node:test. This watchdog thread kills the process (the file fails) instead.
export const RUN_TIMEOUT_MS = Number(process.env.ATTACK_RUN_TIMEOUT_MS || 60_000);
const monotonicMs = () => Number(process.hrtime.bigint() / 1000000n);
let dog;
/** Arm the watchdog; the first call (await it) starts its thread, later ones are synchronous. */
export function armWatchdog(label, ms = RUN_TIMEOUT_MS) {
  if (!dog) return startWatchdog().then(() => armWatchdog(label, ms));
  const bytes = Buffer.from(label).subarray(0, 256);
  dog.b.set(bytes);
  dog.n[0] = bytes.length;
  // The monotonic clock, as the watchdog reads it: a step of the wall clock (this VM's is
  // synchronised with its host's) must not look like a hang.
  dog.d[0] = monotonicMs() + ms;
  return undefined;
}
let starting;
function startWatchdog() {
  starting ??= (async () => {
    const sab = new SharedArrayBuffer(8 + 4 + 256);
    const w = new Worker(`
      const { workerData } = require('node:worker_threads');
      const fs = require('node:fs');
      const d = new Float64Array(workerData.sab, 0, 1), n = new Int32Array(workerData.sab, 8, 1), b = new Uint8Array(workerData.sab, 12, 256);
      const now = () => Number(process.hrtime.bigint() / 1000000n);
      // One read of the deadline: between two reads the test's thread may finish its run and disarm it (0).
      setInterval(() => { const deadline = d[0]; if (deadline > 0 && now() > deadline) {
        fs.writeSync(2, '\\n[attack watchdog] no return from: ' + Buffer.from(b.slice(0, n[0])).toString() + '; killing the test process\\n');
        process.kill(process.pid, 'SIGKILL'); } }, 200);`, { eval: true, workerData: { sab } });
    await new Promise((res, rej) => { w.once('online', res); w.once('error', rej); });
    w.unref();
    dog = { d: new Float64Array(sab, 0, 1), n: new Int32Array(sab, 8, 1), b: new Uint8Array(sab, 12, 256) };
  })();
  return starting;
}
export function disarmWatchdog() {
  if (dog) dog.d[0] = 0;
}

class Sink {
  chunks = [];
  write(c) { this.chunks.push(Buffer.from(c)); }
  text() { return Buffer.concat(this.chunks).toString('latin1'); }
}

/** Run a guest in-process with tswasi on world `w`. Returns { code, error, stdout, stderr }. */
export async function runGuest(wasmPath, w, args = [], { wrapImport, env = {}, stdin = '' } = {}) {
  const WASI = await loadWasi();
  const module = await loadModule(wasmPath);
  const out = new Sink();
  const err = new Sink();
  const wasi = new WASI({
    version: 'preview1', args: [path.basename(wasmPath), ...args], env,
    preopens: { '/sandbox': w.preopen }, stdin, stdout: out, stderr: err,
    ...(wrapImport ? { wrapImport } : {}),
  });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  const res = {};
  await armWatchdog(`${path.basename(wasmPath)} ${args.join(' ').slice(0, 100)} [${w.backend}]`);
  try {
    res.code = wasi.start(instance);
  } catch (e) {
    res.error = e;
  } finally {
    disarmWatchdog();
  }
  res.stdout = out.text();
  res.stderr = err.text();
  return res;
}

/** Spawn a command; resolves { code, signal, stdout, stderr, ms, timedOut }. */
export function spawnP(cmd, args, { timeout = 60_000, input = '', env = process.env, cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env, cwd });
    const out = [];
    const err = [];
    let timedOut = false;
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeout);
    child.on('error', reject);
    // 'exit', not 'close': a created container keeps our pipes open.
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code, signal, timedOut, ms: Date.now() - t0, stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString() });
      }, 30);
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

export const runCli = (args, opts) => spawnP(process.execPath, [CLI, ...args], opts);
export const oci = (root, args, opts) => spawnP(process.execPath, [OCI_BIN, '--root', root, ...args], opts);

/** An OCI bundle for direct runtime calls (test/helpers/oci.mjs). */
export { bundle as writeBundle } from '../helpers/oci.mjs';

/** Report a summary line on stdout (node --test shows it) and in ATTACK_REPORT if set. */
export function summary(line) {
  process.stdout.write(`${line}\n`);
  if (process.env.ATTACK_REPORT) fs.appendFileSync(process.env.ATTACK_REPORT, `${line}\n`);
}
