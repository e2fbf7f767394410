// @ts-check
// Start-up: the bundled entry points run, their V8 code caches are accepted
// by this Node, and short commands do not load what they do not use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { ROOT } from './helpers/paths.mjs';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/**
 * Run `node ARGS` with a preload that records the built-in modules loaded; returns { r, loaded }.
 * @param {string[]} args
 */
function runRecording(args) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasi-startup-test-'));
  try {
    const out = path.join(dir, 'modules.txt');
    const preload = path.join(dir, 'record.cjs');
    fs.writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));`);
    const r = spawnSync(process.execPath, ['--require', preload, ...args], { encoding: 'utf8', timeout: 30_000 });
    const loaded = fs.existsSync(out) ? fs.readFileSync(out, 'utf8').split('\n') : [];
    return { r, loaded };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const builtin = (/** @type {string[]} */ loaded, /** @type {string} */ name) => loaded.includes(`NativeModule ${name}`);

test('every bin entry is built, executable, and prints its version', () => {
  for (const [name, file] of Object.entries(pkg.bin)) {
    const p = path.join(ROOT, file);
    assert.ok(fs.existsSync(p), `${name}: ${file} is missing (npm run build)`);
    fs.accessSync(p, fs.constants.X_OK);
    const r = spawnSync(p, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, `${name} --version: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(pkg.version.replaceAll('.', '\\.')));
  }
});

// The build's caches: one per bundle, named for the V8 that made it (scripts/bundle.mjs); test/code-cache.test.mjs tests the per-user ones.
test('each bundle has one V8 code cache, named for the Node that built it, which that Node accepts', () => {
  const bundles = [];
  for (const dir of ['dist/src/cli', 'dist/oci']) {
    for (const f of fs.readdirSync(path.join(ROOT, dir))) if (f.endsWith('.bundle.cjs')) bundles.push(path.join(ROOT, dir, f));
  }
  // tswasi, tswasi-oci, tswasi-oci-wasm, the container runner and its guest's thread.
  assert.ok(bundles.length >= 5, `bundles found: ${bundles.join(', ')}`);
  const tag = `${process.versions.v8}-${process.arch}`;
  for (const file of bundles) {
    const caches = fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith(path.basename(file) + '.') && f.endsWith('.cache'));
    assert.equal(caches.length, 1, `${path.relative(ROOT, file)}: ${caches.join(', ')}`);
    assert.match(caches[0], /\.bundle\.cjs\.[0-9.]+-node\.[0-9]+-[a-z0-9]+\.cache$/);
    if (caches[0] !== `${path.basename(file)}.${tag}.cache`) continue; // built by another Node
    const cachedData = fs.readFileSync(path.join(path.dirname(file), caches[0]));
    // Wrapped as the launchers wrap it (scripts/bundle.mjs).
    const source = '(function (exports, require, module, __filename, __dirname) {' + fs.readFileSync(file, 'utf8') + '\n})';
    const script = new vm.Script(source, { filename: file, cachedData });
    assert.equal(script.cachedDataRejected, false, `${path.relative(ROOT, file)}: V8 rejected its code cache`);
  }
});

test('tswasi --version loads no worker thread, crypto or child_process', () => {
  const { r, loaded } = runRecording([path.join(ROOT, pkg.bin.tswasi), '--version']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(loaded.length > 0, 'the preload recorded nothing');
  for (const m of ['worker_threads', 'crypto', 'child_process']) assert.ok(!builtin(loaded, m), `--version loaded ${m}`);
});

test('tswasi run runs the guest on its own thread: no worker thread, no crypto (one module, no hash cache)', () => {
  const { r, loaded } = runRecording([path.join(ROOT, pkg.bin.tswasi), 'run', path.join(ROOT, 'examples/hello.wasm')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /hello from WebAssembly/);
  assert.ok(!builtin(loaded, 'worker_threads'), 'run started a worker thread');
  assert.ok(!builtin(loaded, 'crypto'), 'run loaded crypto');
  // yargs's argument checks pass without it (scripts/bundle.mjs, lazyAssertInYargs).
  assert.ok(!builtin(loaded, 'assert'), 'run loaded assert');
});

// runc holds every container's state now (Wasm ones too): list and state ask
// it, so they need child_process — and nothing else heavy.
test('tswasi-oci list and state load no crypto or worker thread', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasi-startup-root-'));
  try {
    for (const args of [['list'], ['state', 'nothing-here']]) {
      const { r, loaded } = runRecording([path.join(ROOT, pkg.bin['tswasi-oci']), '--root', root, ...args]);
      if (args[0] === 'list') assert.equal(r.status, 0, r.stderr);
      else assert.match(r.stderr, /does not exist/);
      for (const m of ['crypto', 'worker_threads']) assert.ok(!builtin(loaded, m), `${args[0]} loaded ${m}`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

// tswasi-oci parses its command line by its own command table (oci/argv.ts):
// no command of it, --help included, loads yargs.
test('the tswasi-oci bundles hold no yargs', () => {
  for (const name of ['tswasi-oci', 'tswasi-oci-wasm']) {
    const bundle = fs.readFileSync(path.join(ROOT, `dist/oci/${name}.bundle.cjs`), 'utf8');
    assert.doesNotMatch(bundle, /node_modules\/yargs/, `${name} bundles yargs`);
  }
});

// A Wasm container's runner reads only the build's caches (its root is read-only), so the build trains
// them with runs of the runner itself (scripts/bundle.mjs), both ways it runs a guest (oci/runner.ts):
// otherwise every container would compile, from source, every function its run calls.
for (const [way, nodeArgs, names] of /** @type {const} */ ([
  ['on a worker thread', [], ['runner.bundle.cjs', 'runner-guest.bundle.cjs']],
  ['on its own thread', ['--disable-sigusr1'], ['runner.bundle.cjs', 'container-guest.bundle.cjs']],
])) {
  test(`the container runner's built caches already hold the code a run of a guest ${way} compiles`, (t) => {
    const tag = `${process.versions.v8}-${process.arch}`;
    const oci = path.join(ROOT, 'dist/oci');
    if (!names.every((n) => fs.existsSync(path.join(oci, `${n}.${tag}.cache`)))) return t.skip(`dist/ was built by another Node than ${process.version}`);
    if (nodeArgs.some((a) => !process.allowedNodeEnvironmentFlags.has(a))) return t.skip(`Node ${process.version} has no ${nodeArgs.join(' ')}: its runner always starts a worker`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasi-runner-cache-'));
    try {
      // A copy of the runner (its launchers, bundles and caches), trained once more by a run outside a container.
      for (const f of fs.readdirSync(oci)) if (/^(runner|runner-guest|container-guest)\.(cjs|bundle\.cjs(\..*\.cache)?)$/.test(f)) fs.copyFileSync(path.join(oci, f), path.join(dir, f));
      const root = path.join(dir, 'rootfs');
      fs.mkdirSync(root);
      fs.copyFileSync(path.join(ROOT, 'examples/hello.wasm'), path.join(root, 'hello.wasm'));
      const guestFile = path.join(dir, 'guest.json');
      fs.writeFileSync(guestFile, JSON.stringify({ args: ['/hello.wasm', 'cache'], env: [], cwd: '/' }));
      const sizes = () => names.map((n) => fs.statSync(path.join(dir, `${n}.${tag}.cache`)).size);
      const built = sizes();
      const guest = fs.openSync(guestFile, 'r');
      let r;
      try {
        r = spawnSync(process.execPath, [...nodeArgs, path.join(dir, 'runner.cjs'), '3', root], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe', guest], env: { ...process.env, TSWASI_WRITE_CODE_CACHE: '1' } });
      } finally {
        fs.closeSync(guest);
      }
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /hello from WebAssembly, cache!\n[^]*wrote and read back: written by a WASI guest/);
      // What this run compiled that the build's cache did not hold. A cache of the top level only (no
      // training run) grows about two- (runner) and fourfold (the guest's bundle) here; a trained one by
      // what the run's timing decides (whether the output ring's drain timer fired first: ~10% of the runner's).
      const trained = sizes();
      names.forEach((n, i) => assert.ok(trained[i] <= built[i] * 1.25, `${n}: ${built[i]} bytes built, ${trained[i]} after a run`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
