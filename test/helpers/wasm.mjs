// @ts-check
// Test helpers: compile the C conformance programs (and WAT) to wasm32-wasi
// and run them under tswasi's WASI class in-process.
//
//   compileC(name)            -> path of test/.build/<name>.wasm, or null (skip)
//   compileWat(text)          -> the module's bytes (wabt, the reference parser)
//   runWasi(wasm, options)    -> { code, stdout, stderr, error, dir, vol, root, outside }
//
// The rest of the kit: paths.mjs, tmp.mjs (tempDir), spawn.mjs (run, runCli,
// runOci), watchdog.mjs, wait.mjs (sleep, waitFor), snapshot.mjs,
// fixtures.mjs, oci.mjs; the most used are re-exported here.
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
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { BUILD_DIR, ROOT } from './paths.mjs';
import { tempDir } from './tmp.mjs';
import { watchedStart } from './watchdog.mjs';
import { makeOutside, populate } from './fixtures.mjs';

export { ROOT, BUILD_DIR, CLI } from './paths.mjs';
export { tempDir } from './tmp.mjs';
export { runCli } from './spawn.mjs';
export { RUN_TIMEOUT_MS } from './watchdog.mjs';

export const C_DIR = path.join(ROOT, 'test', 'c');
export const WASI_MODULE = path.join(ROOT, 'dist', 'wasi', 'index.js');

export const CC = process.env.WASI_CC || 'clang';
export const CFLAGS = ['--target=wasm32-wasi', '-O2', '-Wall', '-Wno-unused-function'];
export const IMPL = process.env.TSWASI_IMPL === 'node' ? 'node' : 'tswasi';
/** Backends every program runs on. node:wasi has no in-memory backend. */
/** @type {ReadonlyArray<'host' | 'mem'>} */
export const BACKENDS = IMPL === 'node' ? ['host'] : ['host', 'mem'];

const CI = process.env.CI === 'true';

// ---------------------------------------------------------------- compiling

/** @type {string | true | undefined} */
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
/**
 * @param {readonly string[]} flags
 * @param {string} src
 * @param {string} out
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

/**
 * Why the toolchain is unusable, or null when it is usable.
 * @returns {string | null}
 */
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
/**
 * @param {string} name
 * @param {readonly string[]} [extraFlags]
 */
export function compileC(name, extraFlags = []) {
  return compileFrom(C_DIR, BUILD_DIR, name, extraFlags);
}

/**
 * compileC for another source folder (the attack suite's guests).
 * @param {string} srcDir
 * @param {string} buildDir
 * @param {string} name
 * @param {readonly string[]} [extraFlags]
 * @returns {string | null}
 */
export function compileFrom(srcDir, buildDir, name, extraFlags = []) {
  const problem = toolchainProblem();
  if (problem) {
    if (CI) throw new Error(`C toolchain for wasm32-wasi is required in CI: ${problem}`);
    return null;
  }
  const flags = [...CFLAGS, ...extraFlags];
  return cachedBuild({
    cc: CC, flags, recipe: 'compile, then link without -O (buildWasm)', srcDir, name,
    out: path.join(buildDir, `${name}.wasm`),
    build: (src, out) => buildWasm(flags, src, out),
  });
}

/**
 * Build `srcDir/<name>.c` to `out` with `build(src, tmpOut)`, reusing the
 * previous build when the source, the headers beside it, the flags, the
 * recipe and `cc --version` are unchanged (a `.hash` stamp beside `out`).
 * Builds to a private name and renames: test files run in parallel
 * processes. Throws with the compiler's output when the build fails.
 * @param {{ cc: string, flags: readonly string[], recipe: string, srcDir: string, name: string, out: string,
 *   build: (src: string, out: string) => import('node:child_process').SpawnSyncReturns<string> }} how
 * @returns {string} out
 */
export function cachedBuild({ cc, flags, recipe, srcDir, name, out, build }) {
  const src = path.join(srcDir, `${name}.c`);
  const h = createHash('sha256');
  h.update(JSON.stringify(flags));
  h.update(recipe);
  h.update(spawnSync(cc, ['--version'], { encoding: 'utf8' }).stdout ?? '');
  h.update(fs.readFileSync(src));
  for (const f of fs.readdirSync(srcDir).filter((f) => f.endsWith('.h')).sort()) {
    h.update(f);
    h.update(fs.readFileSync(path.join(srcDir, f)));
  }
  const hash = h.digest('hex');
  const stamp = out.replace(/\.wasm$/, '') + '.hash';
  if (fs.existsSync(out) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
  const r = build(src, tmp);
  if (r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`compiling ${name}.c failed:\n${r.stderr}${r.error?.message ?? ''}`);
  }
  fs.renameSync(tmp, out);
  fs.writeFileSync(`${stamp}.${process.pid}.tmp`, hash);
  fs.renameSync(`${stamp}.${process.pid}.tmp`, stamp);
  return out;
}

/** @typedef {{ parseWat(name: string, text: string, features?: Record<string, boolean>): { resolveNames(): void, validate(): void, toBinary(o: object): { buffer: Uint8Array }, destroy(): void } }} Wabt */
/** @type {Promise<Wabt> | undefined} */
let wabt;

/**
 * WebAssembly text to a binary module with wabt (the reference toolkit's
 * parser), independent of the code under test. `validate: false` keeps
 * modules that parse but do not validate (the bad-module tests want them).
 * @param {string} text
 * @param {{ name?: string, validate?: boolean, features?: Record<string, boolean> }} [options]
 */
export async function compileWat(text, { name = 'test.wat', validate = true, features } = {}) {
  wabt ??= /** @type {() => Promise<Wabt>} */ (createRequire(import.meta.url)('wabt'))();
  const m = (await wabt).parseWat(name, text, features);
  try {
    m.resolveNames();
    if (validate) m.validate();
    return Buffer.from(m.toBinary({}).buffer);
  } finally {
    m.destroy();
  }
}

// ------------------------------------------------------------------ running

/** @type {Map<string, Promise<WebAssembly.Module>>} */
const moduleCache = new Map();
/**
 * The compiled module of a wasm file, compiled once per process.
 * @param {string} wasmPath
 */
export async function loadModule(wasmPath) {
  let m = moduleCache.get(wasmPath);
  if (!m) {
    m = WebAssembly.compile(fs.readFileSync(wasmPath));
    moduleCache.set(wasmPath, m);
  }
  return m;
}

/** @typedef {typeof import('../../dist/wasi/index.js').WASI} TswasiWASI */
/** @typedef {import('../../dist/wasi/index.js').WASIOptions} TswasiOptions */
/** @typedef {import('memfs').Volume} Volume */

/** @type {TswasiWASI | undefined} */
let wasiClass;
/** tswasi's WASI class from dist/ (loaded on first use, so a missing build gets a clear message). */
export async function loadWasi() {
  if (wasiClass) return wasiClass;
  if (!fs.existsSync(WASI_MODULE)) {
    throw new Error(`${path.relative(ROOT, WASI_MODULE)} is missing: run \`npm run build\` first`);
  }
  wasiClass = /** @type {TswasiWASI} */ ((await import(pathToFileURL(WASI_MODULE).href)).WASI);
  return wasiClass;
}

/** A guest's stdout/stderr collected in memory. */
export class Sink {
  /** @type {Buffer[]} */
  chunks = [];
  /** @param {BufferEncoding} [encoding] what text() decodes with */
  constructor(encoding = 'utf8') {
    this.encoding = encoding;
  }
  /** @param {Uint8Array} chunk */
  write(chunk) {
    // Copy: the chunk may be a view of guest memory.
    this.chunks.push(Buffer.from(chunk));
  }
  text() {
    return Buffer.concat(this.chunks).toString(this.encoding);
  }
}

/**
 * @typedef {object} SetupArgs
 * @property {'host' | 'mem'} backend
 * @property {import('./fixtures.mjs').FixtureFs & import('./snapshot.mjs').TreeFs} fs node:fs (host) or the Volume (mem)
 * @property {string} sandbox the sandbox's path in `fs`
 * @property {string} root
 * @property {string} outside
 * @property {string} outsideInFs outside's path in `fs`
 * @property {string} absOutside an absolute symlink target naming it: the host path, or '/outside'
 * @property {Volume | undefined} vol
 *
 * @typedef {object} RunWasiOptions
 * @property {'host' | 'mem'} [backend] 'host' (a temp dir) | 'mem' (a memfs Volume); preopened at '/sandbox'
 * @property {string[]} [args] argv after argv[0] (argv[0] is the program's base name)
 * @property {Record<string, string>} [env]
 * @property {import('./fixtures.mjs').Files} [files] initial sandbox contents (see populate)
 * @property {Uint8Array | string} [stdin] given to the guest as stdin (default: empty)
 * @property {boolean} [stdioFds] give stdin/stdout/stderr as fd numbers of temp files instead of bytes and sinks
 * @property {(s: SetupArgs) => void | Promise<void>} [setup] run after `files` are written: plant symlinks etc.
 * @property {boolean} [withOutside] also create a sibling 'outside' dir (see makeOutside)
 * @property {string} [guestDir] the preopen's name in the guest (default '/sandbox')
 * @property {TswasiOptions['wrapImport']} [wrapImport] wrap each WASI import (tswasi only: tracing)
 * @property {(where: { dir: string | undefined, vol: Volume | undefined }) => WebAssembly.Imports} [imports]
 *   more imports beside WASI's (an embedder's own), given where the sandbox is
 * @property {Partial<TswasiOptions>} [wasiOptions] more options for tswasi's WASI constructor
 * @property {'root' | 'subdir'} [memLayout] 'root' (default: the Volume itself is the preopen, as in
 *   `preopens: { '/sandbox': vol }`) or 'subdir' (the Volume's /sandbox is preopened with `{ volume: vol, path: '/sandbox' }`)
 *
 * @typedef {object} RunWasiResult
 * @property {'host' | 'mem'} backend
 * @property {string} root
 * @property {string} outside
 * @property {string | undefined} dir the sandbox on the host backend
 * @property {Volume | undefined} vol the Volume on the mem backend
 * @property {SetupArgs['fs']} fs where the sandbox is: node:fs (host) or the Volume (mem)
 * @property {string} sandbox
 * @property {string} outsideInFs
 * @property {number | undefined} code the exit code (undefined when start() threw)
 * @property {unknown} [error] what start() threw
 * @property {string} stdout
 * @property {string} stderr
 */

/**
 * Run a WASI program in-process.
 *
 * Host layout: <tmp>/sandbox (the preopen) and <tmp>/outside.
 * Mem layout 'root': the Volume's '/' is the preopen; with withOutside,
 * '/outside' and '/etc/passwd' are created in the volume: that is where a
 * sandbox that clamps `..` at the root, or resolves absolute symlinks in the
 * volume, would land. Mem layout 'subdir': '/sandbox' is the preopen and
 * '/outside', '/etc/passwd' are its siblings in the volume. <tmp>/outside on
 * the host exists in every case.
 * @param {string} wasmPath
 * @param {RunWasiOptions} [options]
 * @returns {Promise<RunWasiResult>}
 */
export async function runWasi(wasmPath, options = {}) {
  const { backend = 'host', args = [], env = {}, files = {}, setup, withOutside = false, guestDir = '/sandbox', wrapImport } = options;
  const memLayout = options.memLayout ?? (process.env.TSWASI_MEM_LAYOUT === 'subdir' ? 'subdir' : 'root');
  const module = await loadModule(wasmPath);
  const root = tempDir();
  const outside = path.join(root, 'outside');
  /** @type {Volume | undefined} */
  let vol;
  /** @type {SetupArgs['fs']} */
  let fsApi;
  /** @type {string} */
  let sandbox;
  if (backend === 'host') {
    sandbox = path.join(root, 'sandbox');
    fs.mkdirSync(sandbox);
    fsApi = fs;
  } else if (backend === 'mem') {
    const { Volume } = await import('memfs');
    vol = new Volume();
    fsApi = /** @type {SetupArgs['fs']} */ (/** @type {unknown} */ (vol));
    if (memLayout === 'subdir') {
      sandbox = '/sandbox';
      vol.mkdirSync(sandbox);
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
    if (vol) {
      makeOutside(fsApi, '/outside');
      vol.mkdirSync('/etc', { recursive: true });
      vol.writeFileSync('/etc/passwd', 'root:x:0:0:MEM PASSWD:/root:/bin/sh\n');
      outsideInFs = '/outside';
    }
  }
  if (setup) {
    await setup({ backend, fs: fsApi, sandbox, root, outside, outsideInFs, absOutside: outsideInFs, vol });
  }

  const argv = [path.basename(wasmPath, '.wasm'), ...args];
  const stdinOption = options.stdin ?? new Uint8Array(0);
  const stdinBytes = typeof stdinOption === 'string' ? new TextEncoder().encode(stdinOption) : stdinOption;

  /** Real fds for stdio (node:wasi only takes fds): temp files. */
  const fdFiles = IMPL === 'node' || options.stdioFds ? {
    in: path.join(root, '.stdin'),
    out: path.join(root, '.stdout'),
    err: path.join(root, '.stderr'),
  } : undefined;
  const fds = fdFiles && (fs.writeFileSync(fdFiles.in, stdinBytes), {
    in: fs.openSync(fdFiles.in, 'r'),
    out: fs.openSync(fdFiles.out, 'w'),
    err: fs.openSync(fdFiles.err, 'w'),
  });
  /** @type {{ getImportObject(): object, start(i: WebAssembly.Instance): number | undefined }} */
  let wasi;
  const stdoutSink = new Sink();
  const stderrSink = new Sink();
  if (IMPL === 'node') {
    const { WASI } = await import('node:wasi');
    wasi = new WASI({
      version: 'preview1',
      args: argv,
      env,
      preopens: { [guestDir]: sandbox },
      returnOnExit: true,
      stdin: fds?.in,
      stdout: fds?.out,
      stderr: fds?.err,
    });
  } else {
    const WASI = await loadWasi();
    const preopen = vol === undefined ? sandbox : memLayout === 'subdir' ? { volume: vol, path: sandbox } : vol;
    // returnOnExit is left to its default, which the contract says is true.
    /** @type {TswasiOptions} */
    const opts = {
      version: 'preview1', args: argv, env,
      // memfs's Volume is the mem backend's source; its .d.ts differs from the structural type in places the backend never uses.
      ...(wrapImport ? { wrapImport } : {}),
      preopens: { [guestDir]: /** @type {import('../../dist/wasi/index.js').DirSource} */ (/** @type {unknown} */ (preopen)) },
      ...(fds ? { stdin: fds.in, stdout: fds.out, stderr: fds.err } : { stdin: stdinBytes, stdout: stdoutSink, stderr: stderrSink }),
      ...options.wasiOptions,
    };
    wasi = new WASI(opts);
  }
  // @types/node types node:wasi's import object as `object`. Imports of the test's own (an embedder's) go beside WASI's.
  const extra = options.imports?.({ dir: vol ? undefined : sandbox, vol });
  const instance = await WebAssembly.instantiate(module, { .../** @type {WebAssembly.Imports} */ (wasi.getImportObject()), ...extra });
  // Say which program is about to run, so a watchdog kill can be traced.
  if (process.env.TSWASI_TRACE_RUNS) process.stderr.write(`[run] ${argv.join(' ')} (${backend})\n`);
  const { code, error } = await watchedStart(wasi, instance, `${argv.join(' ')} [${backend}]`);
  let stdout = stdoutSink.text();
  let stderr = stderrSink.text();
  if (fds && fdFiles) {
    for (const fd of [fds.in, fds.out, fds.err]) fs.closeSync(fd);
    stdout = fs.readFileSync(fdFiles.out, 'utf8');
    stderr = fs.readFileSync(fdFiles.err, 'utf8');
  }
  return { backend, root, outside, dir: vol ? undefined : sandbox, vol, fs: fsApi, sandbox, outsideInFs, code, error, stdout, stderr };
}

/**
 * What a failed run printed, for assertion messages.
 * @param {{ code?: number | null, error?: unknown, stdout: string, stderr: string }} res
 */
export function describe(res) {
  return (
    `exit code: ${res.code}${res.error ? `\nthrew: ${res.error instanceof Error ? res.error.stack : res.error}` : ''}\n` +
    `--- stdout ---\n${res.stdout}\n--- stderr ---\n${res.stderr}`
  );
}

/**
 * The program ran to completion: exit code 0 and a last stdout line "ok".
 * @param {RunWasiResult} res
 */
export function assertOk(res) {
  assert.equal(res.error, undefined, `start() threw\n${describe(res)}`);
  assert.equal(res.code, 0, `guest exited with ${res.code}\n${describe(res)}`);
  assert.match(res.stdout, /(^|\n)ok\n$/, `stdout does not end in "ok"\n${describe(res)}`);
}

/**
 * Compile `name` and run it on `backend`; returns null (after t.skip) when
 * the toolchain is missing.
 */
/**
 * @param {import('node:test').TestContext} t
 * @param {string} name
 * @param {RunWasiOptions} [options]
 */
export async function compileAndRun(t, name, options = {}) {
  const wasm = compileC(name);
  if (!wasm) {
    t.skip(`clang/wasi-libc for wasm32-wasi not available: ${toolchainProblem()}`);
    return null;
  }
  return runWasi(wasm, options);
}
