// @ts-check
// io.tswasi.record=PATH (docs/record-replay.md, "Containers"): a Wasm
// container under podman records its run into a bind mount; `tswasi replay`
// on the host reproduces its stdout and exit code from the recording alone.
// tswasi-oci called directly for the errors: a bad annotation fails create
// with one line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, runCli, tempDir } from '../helpers/wasm.mjs';
import { bundle, ociToolsProblem, ociWorld } from '../helpers/oci.mjs';
import { runOci } from '../helpers/spawn.mjs';

const problem = ociToolsProblem();
const skip = problem !== null && process.env.CI !== 'true' ? problem : false;
const ANNOTATION = 'io.tswasi.record';
/** @type {import('../helpers/oci.mjs').OciWorld} */
let world;
/** @type {string} */
let wasm;

before(() => {
  if (skip) return;
  if (problem) throw new Error(`CI needs podman, buildah and runc: ${problem}`);
  const w = compileC('random');
  if (!w) throw new Error('no wasm32-wasi toolchain');
  wasm = w;
  world = ociWorld();
  world.image('record-wasm', { files: [[wasm, '/random.wasm']], entrypoint: ['/random.wasm'], annotations: { 'module.wasm.image/variant': 'compat' } });
});

after(() => world?.cleanup());

test('podman run --annotation io.tswasi.record=/data/run.rec -v DIR:/data: tswasi replay on the host gives the same stdout', { skip, timeout: 120_000 }, async () => {
  const data = tempDir('tswasi-rec-mount-');
  const r = await world.podman(['run', '--rm', '-v', `${data}:/data`, '--annotation', `${ANNOTATION}=/data/run.rec`, 'record-wasm']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.length > 0);
  // Elsewhere, with the recording alone.
  const elsewhere = tempDir('tswasi-rec-replay-');
  fs.copyFileSync(path.join(data, 'run.rec'), path.join(elsewhere, 'copy.rec'));
  const replay = await runCli(['replay', 'copy.rec'], { cwd: elsewhere });
  assert.equal(replay.code, 0, replay.stderr);
  assert.equal(replay.stdout, r.stdout);
  // A second run records other random bytes: replaying the first still gives the first's output.
  const again = await world.podman(['run', '--rm', '-v', `${data}:/data`, '--annotation', `${ANNOTATION}=/data/run2.rec`, 'record-wasm']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((await runCli(['replay', path.join(data, 'run2.rec')])).stdout, again.stdout);
});

test('tswasi-oci create: a recording path that is not a plain path inside a writable bind mount is one line and exit 1', { skip, timeout: 120_000 }, async () => {
  const root = path.join(tempDir('tswasi-oci-root-'), 'state');
  const host = tempDir('tswasi-rec-src-');
  const mounts = [
    { destination: '/data', type: 'bind', source: host, options: ['rbind', 'rw'] },
    { destination: '/data/ro', type: 'bind', source: host, options: ['rbind', 'ro'] },
    { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid'] },
  ];
  for (const [value, re] of /** @type {Array<[string, RegExp]>} */ ([
    ['', /"": empty/],
    ['data/run.rec', /not an absolute path/],
    ['/data/../etc/run.rec', /an empty, "\." or "\.\." component/],
    ['/data//run.rec', /an empty, "\." or "\.\." component/],
    ['/run.rec', /not inside any mount/],
    ['/data', /not inside any mount/],
    ['/tmp/run.rec', /inside \/tmp, which is not a bind mount/],
    ['/data/ro/run.rec', /inside \/data\/ro, which is mounted read-only/],
  ])) {
    const b = bundle(tempDir('tswasi-bundle-'), { args: ['/random.wasm'], files: [[wasm, 'random.wasm']], mounts, annotations: { 'module.wasm.image/variant': 'compat', [ANNOTATION]: value } });
    const r = await runOci(root, ['create', '--bundle', b, 'bad-record']);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(`^tswasi-oci: invalid annotation io\\.tswasi\\.record: .*${re.source}`));
  }
  assert.notEqual((await runOci(root, ['state', 'bad-record'])).code, 0);
});
