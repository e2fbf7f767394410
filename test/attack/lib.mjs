// @ts-check
// What only the attack suite (issue 6) needs, on top of the test kit
// (test/helpers/): its guests' folder, the "outside" every probe must leave
// untouched (names and contents marked "zq9"), worlds of sandbox + outside,
// leak markers, and a runner that hands the guest's output back byte for byte.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/paths.mjs';
import { runCli as kitRunCli, runOci } from '../helpers/spawn.mjs';
import { makeOutside } from '../helpers/fixtures.mjs';
import { diffSnapshots, snapshotNames, snapshotTree } from '../helpers/snapshot.mjs';
import { tempDir } from '../helpers/tmp.mjs';
import { watchedStart } from '../helpers/watchdog.mjs';
import { Sink, compileFrom, loadModule, loadWasi } from '../helpers/wasm.mjs';

export const ATTACK_DIR = path.join(ROOT, 'test', 'attack');
export const C_DIR = path.join(ATTACK_DIR, 'c');
export const BUILD_DIR = path.join(ROOT, 'test', '.build', 'attack');

/**
 * Compile test/attack/c/<name>.c to test/.build/attack/<name>.wasm (cached by content). Null: no toolchain.
 * @param {string} name
 * @param {readonly string[]} [extraFlags]
 */
export function compileAttack(name, extraFlags = []) {
  return compileFrom(C_DIR, BUILD_DIR, name, extraFlags);
}

// --------------------------------------------------------------- the outside

/** Everything outside carries "zq9" in its name or content; the secret is 7919 bytes. */
export const SECRET_SIZE = 7919;
/** Text that must never appear in what a guest prints. */
export const LEAK_MARKERS = [/zq9/i, /\b7919\b/, /root:x:0:0/, /MEMPASSWD/];

/** The outside's secret file: 7919 bytes of "ZQ9-SECRET-". */
export function secretBytes() {
  const unit = 'ZQ9-SECRET-';
  return Buffer.from(unit.repeat(Math.ceil(SECRET_SIZE / unit.length)).slice(0, SECRET_SIZE));
}

/**
 * The outside's contents. Variant 'A': the full set; 'B': other names and
 * sizes (for the oracle check: a guest's output must not depend on what is
 * outside).
 * @type {Record<'A' | 'B', import('../helpers/fixtures.mjs').Files>}
 */
export const OUTSIDE_VARIANTS = {
  A: { 'secret-zq9.txt': secretBytes(), 'victim-zq9.txt': 'victim zq9', 'dirzq9/innerzq9.txt': 'inner zq9' },
  B: { 'otherzq9.bin': 'q'.repeat(31) },
};

/**
 * Lines of guest output that show something from outside.
 * @param {string} text
 */
export function leaks(text) {
  return text.split('\n').filter((l) => LEAK_MARKERS.some((re) => re.test(l)));
}

// ---------------------------------------------------------------- sandboxes

/**
 * @typedef {import('../helpers/fixtures.mjs').FixtureFs & import('../helpers/snapshot.mjs').TreeFs & Pick<typeof fs, 'openSync' | 'closeSync'>} WorldFs
 *
 * @typedef {object} World
 * @property {'host' | 'mem'} backend
 * @property {string} root the host temp dir
 * @property {string} hostOutside <root>/outside on the host (exists on both backends)
 * @property {'A' | 'B'} variant
 * @property {WorldFs} fs where the sandbox lives: node:fs or the Volume
 * @property {import('memfs').Volume | undefined} vol the Volume (mem)
 * @property {string} sandbox the sandbox's path in `fs`
 * @property {string} outside outside's path in `fs`
 * @property {string} absOutside the absolute target naming outside that a planted symlink uses
 * @property {string} parent the sandbox's parent in `fs`
 * @property {import('../../dist/wasi/index.js').DirSource} preopen
 */

/**
 * A sandbox with an outside sibling, on the host or in a memfs Volume.
 * Host: <tmp>/sandbox, <tmp>/outside, <tmp>/parentzq9.txt.
 * Mem:  volume /sandbox (the preopen), /outside, /parentzq9.txt, /etc/passwd;
 *       and the host's <tmp>/outside too (what an absolute host path names).
 * @param {'host' | 'mem'} backend
 * @param {'A' | 'B'} [variant]
 * @returns {Promise<World>}
 */
export async function makeWorld(backend, variant = 'A') {
  const root = tempDir('tswasi-attack-');
  const hostOutside = path.join(root, 'outside');
  makeOutside(fs, hostOutside, OUTSIDE_VARIANTS[variant]);
  fs.writeFileSync(path.join(root, 'parentzq9.txt'), 'parent zq9');
  if (backend === 'host') {
    const sandbox = path.join(root, 'sandbox');
    fs.mkdirSync(sandbox);
    return { backend, root, hostOutside, variant, fs, vol: undefined, sandbox, outside: hostOutside, absOutside: hostOutside, parent: root, preopen: sandbox };
  }
  const { Volume } = await import('memfs');
  const vol = new Volume();
  // The Volume as the fixtures and snapshots see it (node:fs's shape, which memfs follows).
  const volFs = /** @type {WorldFs} */ (/** @type {unknown} */ (vol));
  vol.mkdirSync('/sandbox');
  makeOutside(volFs, '/outside', OUTSIDE_VARIANTS[variant]);
  vol.writeFileSync('/parentzq9.txt', 'parent zq9');
  vol.mkdirSync('/etc');
  vol.writeFileSync('/etc/passwd', 'MEMPASSWD zq9\n');
  // memfs's Volume is a DirSource of the mem backend; its .d.ts differs from the structural type in places the backend never uses.
  const preopen = /** @type {import('../../dist/wasi/index.js').DirSource} */ (/** @type {unknown} */ ({ volume: vol, path: '/sandbox' }));
  return { backend, root, hostOutside, variant, fs: volFs, vol, sandbox: '/sandbox', outside: '/outside', absOutside: '/outside', parent: '/', preopen };
}

/**
 * Everything outside the sandbox that a probe could change.
 * @param {World} w
 * @returns {Record<string, import('../helpers/snapshot.mjs').Snapshot>}
 */
export function worldSnapshot(w) {
  /** @type {Record<string, import('../helpers/snapshot.mjs').Snapshot>} */
  const s = {
    hostOutside: snapshotTree(fs, w.hostOutside),
    hostParent: snapshotNames(fs, w.root, ['sandbox']),
  };
  if (w.vol) {
    s.memOutside = snapshotTree(w.fs, '/outside');
    s.memParent = snapshotNames(w.fs, '/', ['sandbox']);
    s.memEtc = snapshotTree(w.fs, '/etc');
  }
  return s;
}

/**
 * @param {Record<string, import('../helpers/snapshot.mjs').Snapshot>} a
 * @param {Record<string, import('../helpers/snapshot.mjs').Snapshot>} b
 */
export function diffWorld(a, b) {
  const out = [];
  for (const k of Object.keys(a)) for (const l of diffSnapshots(a[k], b[k])) out.push(`${k}/${l}`);
  return out;
}

// ------------------------------------------------------------------ running

/**
 * @typedef {object} GuestResult
 * @property {number | undefined} code
 * @property {unknown} [error] what start() threw
 * @property {string} stdout latin1: every byte the guest wrote, as one char
 * @property {string} stderr
 */

/**
 * Run a guest in-process with tswasi on world `w`.
 * @param {string} wasmPath
 * @param {World} w
 * @param {string[]} [args]
 * @param {{ wrapImport?: import('../../dist/wasi/index.js').WASIOptions['wrapImport'], env?: Record<string, string>, stdin?: string }} [options]
 * @returns {Promise<GuestResult>}
 */
export async function runGuest(wasmPath, w, args = [], { wrapImport, env = {}, stdin = '' } = {}) {
  const WASI = await loadWasi();
  const module = await loadModule(wasmPath);
  const out = new Sink('latin1');
  const err = new Sink('latin1');
  const wasi = new WASI({
    version: 'preview1', args: [path.basename(wasmPath), ...args], env,
    preopens: { '/sandbox': w.preopen }, stdin, stdout: out, stderr: err,
    ...(wrapImport ? { wrapImport } : {}),
  });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  const { code, error } = await watchedStart(wasi, instance, `${path.basename(wasmPath)} ${args.join(' ').slice(0, 100)} [${w.backend}]`);
  return { code, ...(error === undefined ? {} : { error }), stdout: out.text(), stderr: err.text() };
}

/**
 * The tswasi CLI, its stdout kept byte for byte (latin1) for the leak markers.
 * @param {readonly string[]} args
 * @param {import('../helpers/spawn.mjs').RunOptions} [opts]
 */
export const runCli = (args, opts) => kitRunCli(args, { stdoutEncoding: 'latin1', ...opts });
/**
 * tswasi-oci with state root `root`, its stdout kept byte for byte (latin1).
 * @param {string} root
 * @param {readonly string[]} args
 * @param {import('../helpers/spawn.mjs').RunOptions} [opts]
 */
export const oci = (root, args, opts) => runOci(root, args, { stdoutEncoding: 'latin1', ...opts });

/**
 * Report a summary line on stdout (node --test shows it) and in ATTACK_REPORT if set.
 * @param {string} line
 */
export function summary(line) {
  process.stdout.write(`${line}\n`);
  if (process.env.ATTACK_REPORT) fs.appendFileSync(process.env.ATTACK_REPORT, `${line}\n`);
}
