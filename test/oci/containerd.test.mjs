// @ts-check
// tswasi-oci as the "runc" binary of containerd's runc shim (io.containerd.runc.v2),
// driven by ctr against a containerd of our own (test/cri's: its socket, state
// and /run in a mount namespace of its own, so nothing lands in the host's
// /run/containerd, where containerd 1.6 puts shim sockets whatever its state says).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, tempDir } from '../helpers/wasm.mjs';
import { compileAttack } from '../attack/lib.mjs';
import { OCI_BIN, OCI_WASM_BIN, ociToolsProblem, ociWorld } from '../helpers/oci.mjs';
import { criProblem, startContainerd } from '../cri/containerd.mjs';

const missing = spawnSync('containerd', ['--version']).status !== 0 ? 'containerd not found' : ociToolsProblem() ?? criProblem();
const skip = missing !== null && process.env.CI !== 'true' ? missing : false;
/** @type {import('../cri/containerd.mjs').Containerd | undefined} */
let cd;
/** @type {(args: string[], opts?: import('../helpers/spawn.mjs').RunOptions) => Promise<import('../helpers/spawn.mjs').RunResult>} */
let ctr = () => assert.fail('containerd was not started');

before(async () => {
  if (skip) return;
  if (missing) throw new Error(`CI needs containerd: ${missing}`);
  const wasm = compileC('oci_tool');
  const probe = compileAttack('runtime_probe');
  assert.ok(wasm && probe, 'the guests were not built');
  const started = await startContainerd();
  cd = started;
  ctr = (args, opts) => started.ctrNs(args, opts);
  // The image: built with buildah, exported as an OCI archive, imported into containerd.
  const world = ociWorld();
  world.image('ctr-tool', { files: [[wasm, '/tool.wasm'], [probe, '/probe.wasm']], entrypoint: ['/tool.wasm'] });
  const archive = path.join(started.dir, 'image.tar');
  world.buildah('push', 'localhost/ctr-tool:latest', `oci-archive:${archive}:latest`);
  const r = await ctr(['images', 'import', '--base-name', 'localhost/ctr-tool', archive]);
  assert.equal(r.code, 0, r.stderr);
});

after(async () => { await cd?.stop(); });

test('ctr run with tswasi-oci as the runc binary, Wasm by annotation', { skip }, async () => {
  const r = await ctr(['run', '--rm', '--annotation', 'module.wasm.image/variant=compat', '--runtime', 'io.containerd.runc.v2',
    '--runc-binary', OCI_BIN, 'localhost/ctr-tool:latest', 'ctr-hello-1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello world from the webassembly module !!!!\n');
});

test('ctr run with tswasi-oci-wasm: an unannotated Wasm image; the exit status comes through', { skip }, async () => {
  let r = await ctr(['run', '--rm', '--runtime', 'io.containerd.runc.v2', '--runc-binary', OCI_WASM_BIN, 'localhost/ctr-tool:latest', 'ctr-hello-2']);
  assert.equal(r.stdout, 'hello world from the webassembly module !!!!\n', r.stderr);
  r = await ctr(['run', '--rm', '--runtime', 'io.containerd.runc.v2', '--runc-binary', OCI_WASM_BIN, 'localhost/ctr-tool:latest', 'ctr-exit', '/tool.wasm', 'exit', '9']);
  assert.equal(r.code, 9, r.stderr);
});

test('issue 15 through containerd: procfs, sysfs, /dev and the runner\'s files absent at every path form; NODE_OPTIONS reaches only the guest', { skip }, async () => {
  const vol = tempDir('tswasi-ctr-vol-');
  for (const [name, target] of Object.entries({ 'link-proc': '/proc', 'link-node': '/tswasi/node', 'link-dev': '/dev', 'link-rel': '../../../../proc' })) {
    fs.symlinkSync(target, path.join(vol, name));
  }
  fs.writeFileSync(path.join(vol, 'x.js'), `require('fs').writeFileSync('/data/PWNED', 'x');\n`);
  const common = ['run', '--rm', '--annotation', 'module.wasm.image/variant=compat', '--runtime', 'io.containerd.runc.v2', '--runc-binary', OCI_BIN,
    '--mount', `type=bind,src=${vol},dst=/data,options=rbind:rw`];
  let r = await ctr([...common, 'localhost/ctr-tool:latest', 'ctr-probe', '/probe.wasm', 'probe', '/data'], { timeout: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  const m = /runtime-probe: (\d+) attempts, (\d+) hits, (\d+) symlinks made/.exec(r.stdout);
  assert.ok(m, r.stdout.slice(-1000));
  process.stdout.write(`# containerd: ${m[0]}\n`);
  assert.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('HIT ')), []);
  assert.ok(Number(m[3]) > 0);
  r = await ctr([...common, '--env', 'NODE_OPTIONS=--require /data/x.js', '--env', 'DEBUG=*', 'localhost/ctr-tool:latest', 'ctr-env', '/tool.wasm', 'env', 'NODE_OPTIONS']);
  assert.equal(r.stdout, 'NODE_OPTIONS=--require /data/x.js\n', r.stderr);
  assert.equal(fs.existsSync(path.join(vol, 'PWNED')), false, 'NODE_OPTIONS ran nothing in the runner');
});
