// @ts-check
// tswasi-oci under real podman (with conmon) and buildah-built images: the
// crun Wasm article's scenario, with tswasi-oci in crun's place.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, tempDir } from '../helpers/wasm.mjs';
import { ociToolsProblem, ociWorld } from '../helpers/oci.mjs';
import { sleep } from '../helpers/wait.mjs';

const problem = ociToolsProblem();
const skip = problem !== null && process.env.CI !== 'true' ? problem : false;
/** @type {import('../helpers/oci.mjs').OciWorld} */
let world;

before(() => {
  if (skip) return;
  if (problem) throw new Error(`CI needs podman, buildah and runc: ${problem}`);
  const tool = compileC('oci_tool');
  const printSpin = compileC('print_spin');
  if (!tool || !printSpin) throw new Error('no wasm32-wasi toolchain');
  world = ociWorld();
  world.image('tool-wasm', { files: [[tool, '/tool.wasm'], [printSpin, '/print_spin.wasm']], entrypoint: ['/tool.wasm'], annotations: { 'module.wasm.image/variant': 'compat' } });
  world.image('busybox-plain', { files: [['/bin/busybox', '/bin/busybox']], entrypoint: ['/bin/busybox'], cmd: ['echo', 'hello from busybox'] });
  world.image('busybox-smart', {
    files: [['/bin/busybox', '/bin/busybox']], entrypoint: ['/bin/busybox'], cmd: ['echo', 'native after all'],
    annotations: { 'module.wasm.image/variant': 'compat-smart' },
  });
});

after(() => world?.cleanup());

test('hello world from the crun Wasm article', { skip }, async () => {
  const r = await world.podman(['run', '--rm', 'tool-wasm']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello world from the webassembly module !!!!\n');
});

test('arguments after the image name, -e, exit codes', { skip }, async () => {
  let r = await world.podman(['run', '--rm', 'tool-wasm', 'args', 'a', 'b c', '--flag']);
  assert.equal(r.stdout, 'argv[0]=/tool.wasm\nargv[1]=args\nargv[2]=a\nargv[3]=b c\nargv[4]=--flag\n');
  r = await world.podman(['run', '--rm', '-e', 'GREETING=hi there', 'tool-wasm', 'env', 'GREETING']);
  assert.equal(r.stdout, 'GREETING=hi there\n');
  for (const code of [0, 3, 42]) {
    r = await world.podman(['run', '--rm', 'tool-wasm', 'exit', String(code)]);
    assert.equal(r.code, code, r.stderr);
  }
});

test('-v host:/data read and write, :ro refused', { skip }, async () => {
  const vol = tempDir();
  fs.writeFileSync(path.join(vol, 'in.txt'), 'from the host\n');
  let r = await world.podman(['run', '--rm', '-v', `${vol}:/data`, 'tool-wasm', 'cat', '/data/in.txt']);
  assert.equal(r.stdout, 'from the host\n', r.stderr);
  r = await world.podman(['run', '--rm', '-v', `${vol}:/data`, 'tool-wasm', 'write', '/data/out.txt', 'from the guest']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.readFileSync(path.join(vol, 'out.txt'), 'utf8'), 'from the guest');
  r = await world.podman(['run', '--rm', '-v', `${vol}:/data:ro`, 'tool-wasm', 'write', '/data/ro.txt', 'x']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Read-only file system/);
  assert.equal(fs.existsSync(path.join(vol, 'ro.txt')), false);
});

test('-w: relative paths resolve in the working directory, absolute ones still work', { skip }, async () => {
  const vol = tempDir();
  fs.writeFileSync(path.join(vol, 'rel.txt'), 'relative\n');
  let r = await world.podman(['run', '--rm', '-w', '/data', '-v', `${vol}:/data`, 'tool-wasm', 'cat', 'rel.txt']);
  assert.equal(r.stdout, 'relative\n', r.stderr);
  r = await world.podman(['run', '--rm', '-w', '/data', '-v', `${vol}:/data`, 'tool-wasm', 'cat', '/etc/hosts']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /localhost/);
});

test('run -d, ps, logs, stop of a spinning guest, kill, rm', { skip }, async () => {
  let r = await world.podman(['run', '-d', 'tool-wasm', 'ticker']);
  assert.equal(r.code, 0, r.stderr);
  const ticker = r.stdout.trim();
  r = await world.podman(['run', '-d', 'tool-wasm', 'spin']);
  const spinner = r.stdout.trim();
  await sleep(1500);
  r = await world.podman(['ps', '--format', '{{.ID}} {{.Status}}']);
  assert.match(r.stdout, new RegExp(`${ticker.slice(0, 12)} Up`));
  assert.match(r.stdout, new RegExp(`${spinner.slice(0, 12)} Up`));
  r = await world.podman(['logs', ticker]);
  assert.match(r.stdout, /^tick 0\ntick 1\n/);
  // podman stop sends SIGTERM and waits 10 s before SIGKILL: a spinning guest must go at once.
  r = await world.podman(['stop', spinner]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.ms < 5000, `stop took ${r.ms} ms`);
  r = await world.podman(['inspect', spinner, '--format', '{{.State.ExitCode}}']);
  assert.equal(r.stdout.trim(), '143');
  r = await world.podman(['kill', '-s', 'KILL', ticker]);
  assert.equal(r.code, 0, r.stderr);
  r = await world.podman(['wait', ticker]);
  assert.equal(r.stdout.trim(), '137');
  r = await world.podman(['rm', ticker, spinner]);
  assert.equal(r.code, 0, r.stderr);
  const left = world.knownIds();
  assert.ok(!left.includes(ticker) && !left.includes(spinner), 'state removed');
});

test('--rm leaves no state behind', { skip }, async () => {
  const before = new Set(world.knownIds());
  const r = await world.podman(['run', '--rm', 'tool-wasm', 'exit', '0']);
  assert.equal(r.code, 0);
  assert.deepEqual(world.knownIds().filter((id) => !before.has(id)), []);
});

test('native containers go to runc: plain busybox, and compat-smart with a busybox entrypoint', { skip }, async () => {
  const before = new Set(world.knownIds());
  let r = await world.podman(['run', '--rm', 'busybox-plain']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello from busybox\n');
  r = await world.podman(['run', '--rm', 'busybox-smart']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'native after all\n');
  r = await world.podman(['run', '--rm', 'busybox-plain', 'sh', '-c', 'exit 7']);
  assert.equal(r.code, 7);
  assert.deepEqual(world.knownIds().filter((id) => !before.has(id)), [], 'native ids forgotten after --rm');
});

test('a guest that prints, then computes: its lines are in the logs while it spins and after podman stop', { skip }, async () => {
  let r = await world.podman(['run', '-d', '--entrypoint', '/print_spin.wasm', 'tool-wasm', '3']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  try {
    // The runner's main thread writes the gathered output out while the guest's thread spins.
    let logs = '';
    for (let i = 0; i < 100 && !/line 2 at/.test(logs); i++) {
      await sleep(100);
      logs = (await world.podman(['logs', id])).stdout;
    }
    assert.match(logs, /^line 0 at \d+\nline 1 at \d+\nline 2 at \d+\n$/);
    r = await world.podman(['stop', '-t', '10', id]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await world.podman(['inspect', id, '--format', '{{.State.ExitCode}}'])).stdout.trim(), '143');
    assert.match((await world.podman(['logs', id])).stdout, /^line 0 at \d+\nline 1 at \d+\nline 2 at \d+\n$/);
  } finally {
    await world.podman(['rm', '-f', '-t', '0', id]);
  }
});
