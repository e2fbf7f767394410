// @ts-check
// The launchers' per-user code cache (scripts/bundle.mjs): a package built by
// one Node and run by another makes that Node's cache on first use, in a
// directory of the user's, atomically, bounded, and runs without one where
// it cannot be written. "Another Node" is simulated with a copy of the tswasi
// bin whose bundle has no build-time cache; test/startup.test.mjs checks the
// build's own; .ci/run runs both on every supported Node with a dist/ built
// by the machine's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { ROOT } from './helpers/paths.mjs';
import { tempDir } from './helpers/tmp.mjs';

const HELLO = path.join(ROOT, 'examples/hello.wasm');
const TAG = `${process.versions.v8}-${process.arch}`;
const WRAP = ['(function (exports, require, module, __filename, __dirname) {', '\n})'];

/** A copy of the package's tswasi bin with no build-time cache: what a package built by another Node looks like to this one. */
function foreignBuild() {
  const pkg = tempDir('tswasi-cc-pkg-');
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
  const cli = path.join(pkg, 'dist/src/cli');
  fs.mkdirSync(cli, { recursive: true });
  for (const f of ['tswasi.cjs', 'tswasi.bundle.cjs']) fs.copyFileSync(path.join(ROOT, 'dist/src/cli', f), path.join(cli, f));
  return { bin: path.join(cli, 'tswasi.cjs'), bundle: path.join(cli, 'tswasi.bundle.cjs') };
}

/**
 * @param {string} bin
 * @param {string[]} args
 * @param {string} cacheDir
 */
function run(bin, args, cacheDir) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, TSWASI_CODE_CACHE_DIR: cacheDir } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** The cache files in cacheDir/<this Node's tag>/. @param {string} cacheDir */
const cachesIn = (cacheDir) => {
  try { return fs.readdirSync(path.join(cacheDir, TAG)).map((f) => path.join(cacheDir, TAG, f)); } catch { return []; }
};

/** Does V8 accept `cache` for `bundle`, wrapped as the launcher wraps it? @param {string} bundle @param {string} cache */
function accepted(bundle, cache) {
  const script = new vm.Script(WRAP[0] + fs.readFileSync(bundle, 'utf8') + WRAP[1], { filename: bundle, cachedData: fs.readFileSync(cache) });
  return !script.cachedDataRejected;
}

test('first use by a Node with no cache: this Node\'s cache is made, rewritten by the next two runs with what they compiled, then left alone', () => {
  const { bin, bundle } = foreignBuild();
  const dir = path.join(tempDir('tswasi-cc-'), 'cache');
  assert.match(run(bin, ['--version'], dir), /^tswasi \d/);
  let files = cachesIn(dir);
  assert.equal(files.length, 1, files.join(', '));
  assert.ok(accepted(bundle, files[0]), 'V8 rejects the cache it made');
  const size = (/** @type {string} */ f) => fs.statSync(f).size;
  const saves = (/** @type {string} */ f) => Math.round(fs.statSync(f).mtimeMs / 1000);
  assert.equal(saves(files[0]), 1);
  const afterVersion = size(files[0]);
  assert.match(run(bin, ['run', HELLO], dir), /hello from WebAssembly/);
  assert.equal(saves(files[0]), 2);
  assert.ok(size(files[0]) > afterVersion, 'the run\'s functions were added');
  run(bin, ['run', HELLO], dir);
  assert.equal(saves(files[0]), 3);
  const bytes = fs.readFileSync(files[0]);
  run(bin, ['run', HELLO], dir);
  assert.deepEqual(fs.readFileSync(files[0]), bytes, 'a fourth run rewrote the cache');
  files = cachesIn(dir);
  assert.equal(files.length, 1, files.join(', '));
  // The build's cache, when there is one for this Node, is used as is: nothing per-user.
  const built = path.join(ROOT, 'dist/src/cli', `tswasi.bundle.cjs.${TAG}.cache`);
  if (fs.existsSync(built)) {
    const own = path.join(tempDir('tswasi-cc-'), 'cache');
    run(path.join(ROOT, 'dist/src/cli/tswasi.cjs'), ['--version'], own);
    assert.equal(fs.existsSync(own), false, 'a run with the build\'s cache made a per-user one');
  }
});

test('many processes starting at once with no cache: each runs, one whole cache is left, no temp file', async () => {
  const { bin, bundle } = foreignBuild();
  const dir = path.join(tempDir('tswasi-cc-'), 'cache');
  const runs = Array.from({ length: 8 }, () => new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'run', HELLO], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TSWASI_CODE_CACHE_DIR: dir } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('close', (code) => resolve({ code, out }));
  }));
  for (const r of /** @type {Array<{ code: number, out: string }>} */ (await Promise.all(runs))) {
    assert.equal(r.code, 0);
    assert.match(r.out, /hello from WebAssembly/);
  }
  const files = cachesIn(dir);
  assert.equal(files.length, 1, files.join(', '));
  assert.ok(accepted(bundle, files[0]));
});

test('bounded: a rebuilt bundle\'s cache replaces its old one; only the four most recently used Node versions\' directories are kept', () => {
  const { bin, bundle } = foreignBuild();
  const dir = path.join(tempDir('tswasi-cc-'), 'cache');
  for (let i = 0; i < 5; i++) {
    const old = path.join(dir, `1.${i}-node.1-x64`);
    fs.mkdirSync(old, { recursive: true });
    fs.writeFileSync(path.join(old, 'x.cache'), '');
    fs.utimesSync(old, 1000 + i, 1000 + i);
  }
  run(bin, ['--version'], dir);
  const first = cachesIn(dir);
  // Rebuilt: another size and mtime.
  fs.appendFileSync(bundle, '\n// rebuilt\n');
  run(bin, ['--version'], dir);
  const second = cachesIn(dir);
  assert.equal(second.length, 1, second.join(', '));
  assert.notEqual(second[0], first[0]);
  assert.ok(accepted(bundle, second[0]));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['1.2-node.1-x64', '1.3-node.1-x64', '1.4-node.1-x64', TAG].sort());
});

test('bounded across install locations: a version\'s directory is trimmed to 16 MiB, the least recently written caches first', () => {
  const { bin } = foreignBuild();
  const dir = path.join(tempDir('tswasi-cc-'), 'cache');
  const own = path.join(dir, TAG);
  fs.mkdirSync(own, { recursive: true });
  // Ten other installs' caches of 3 MiB, written one after another. The kernel stamps ctime from a
  // clock that ticks every few milliseconds, so files written within one tick share a ctime: each is
  // touched again (chmod sets ctime) until its ctime is past the one before, making the order strict.
  const others = Array.from({ length: 10 }, (_, i) => path.join(own, `tswasi.bundle.cjs-other${i}-1-1.cache`));
  let before = 0;
  for (const f of others) {
    fs.writeFileSync(f, Buffer.alloc(3 << 20));
    while (fs.statSync(f).ctimeMs <= before) fs.chmodSync(f, 0o600);
    before = fs.statSync(f).ctimeMs;
  }
  run(bin, ['--version'], dir);
  const left = new Set(cachesIn(dir));
  const mine = [...left].filter((f) => !others.includes(f));
  assert.equal(mine.length, 1, `this install's cache: ${mine.join(', ')}`);
  const total = [...left].reduce((n, f) => n + fs.statSync(f).size, 0);
  assert.ok(total <= 16 << 20, `${total} bytes kept`);
  // The newest others stay, the oldest went: five of 3 MiB fit beside this one's (under 1 MiB).
  assert.ok(fs.statSync(mine[0]).size < 1 << 20);
  assert.deepEqual(others.map((f) => left.has(f)), [false, false, false, false, false, true, true, true, true, true]);
});

test('a cache directory that cannot be made (read-only install, a container): the command runs as with no cache', () => {
  const { bin } = foreignBuild();
  const file = path.join(tempDir('tswasi-cc-'), 'not-a-dir');
  fs.writeFileSync(file, '');
  assert.match(run(bin, ['run', HELLO], path.join(file, 'cache')), /hello from WebAssembly/);
  assert.equal(fs.readFileSync(file, 'utf8'), '');
});
