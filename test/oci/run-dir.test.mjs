// @ts-check
// tswasi-oci's run directory on a machine that has never run tswasi, and on
// one where an older version left it 0700: a container with a user namespace
// (podman --uidmap; Kubernetes' hostUsers: false) works in both, and the
// directories are made with the modes oci/run-dir.ts gives them. Each case
// has a run directory of its own, passed to tswasi-oci through podman's
// runtime wrapper, as helpers/oci.mjs passes every test's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compileC } from '../helpers/wasm.mjs';
import { ociToolsProblem, ociWorld, run, runtimeFor } from '../helpers/oci.mjs';
import { freshRunDir } from '../helpers/run-dir.mjs';

const problem = ociToolsProblem();
const skip = problem !== null && process.env.CI !== 'true' ? problem : false;
/** @type {import('../helpers/oci.mjs').OciWorld} */
let world;

before(() => {
  if (skip) return;
  if (problem) throw new Error(`CI needs podman, buildah and runc: ${problem}`);
  const tool = compileC('oci_tool');
  if (!tool) throw new Error('no wasm32-wasi toolchain');
  world = ociWorld();
  world.image('rundir-wasm', { files: [[tool, '/tool.wasm']], entrypoint: ['/tool.wasm'], annotations: { 'module.wasm.image/variant': 'compat' } });
});

after(() => world?.cleanup());

const USERNS = ['--uidmap', '0:200000:65536', '--gidmap', '0:200000:65536'];
const mode = (/** @type {string} */ p) => (fs.statSync(p).mode & 0o7777).toString(8);

/**
 * `podman run --rm` of the Wasm image with tswasi-oci's run directory at `runDir`.
 * @param {string} runDir
 * @param {string[]} flags
 */
async function runIn(runDir, flags) {
  return run('podman', [...world.podmanArgsWith(runtimeFor(world.base, runDir)), 'run', '--rm', ...flags, 'rundir-wasm', 'args', 'in', 'userns']);
}

test('a run directory that does not exist yet: made 0711 by the first create, and a user-namespace container runs', { skip }, async () => {
  const runDir = freshRunDir();
  assert.equal(fs.existsSync(runDir), false);
  const r = await runIn(runDir, USERNS);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /argv\[3\]=userns/);
  assert.equal(mode(runDir), '711');
  assert.equal(mode(path.join(runDir, 'locks')), '700');
  assert.equal(mode(path.join(runDir, 'bundles')), '711');
  const roots = fs.readdirSync(runDir).filter((n) => n.startsWith('root-'));
  assert.equal(roots.length, 1, `runner roots: ${fs.readdirSync(runDir)}`);
  assert.equal(mode(path.join(runDir, roots[0])), '755');
  // The container runner ran on the Node running this test (the cached bind list names it).
  const binds = fs.readdirSync(runDir).filter((n) => /^runner-.*\.json$/.test(n)).flatMap((n) => JSON.parse(fs.readFileSync(path.join(runDir, n), 'utf8')));
  assert.deepEqual(binds.filter((b) => b.destination === '/tswasi/node').map((b) => b.source), [fs.realpathSync(process.execPath)]);
});

test('a run directory an older version left 0700 (locks/ first, made recursively): set to 0711, and a user-namespace container runs', { skip }, async () => {
  const runDir = freshRunDir();
  fs.mkdirSync(path.join(runDir, 'locks'), { recursive: true, mode: 0o700 });
  assert.equal(mode(runDir), '700');
  const r = await runIn(runDir, USERNS);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(mode(runDir), '711');
});

test('a file where the run directory should be: create fails with one clear line', { skip }, async () => {
  const file = freshRunDir();
  fs.writeFileSync(file, '');
  const r = await runIn(file, []);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /is not a directory \(tswasi-oci's run directory\)/);
});
