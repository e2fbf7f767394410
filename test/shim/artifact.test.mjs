// @ts-check
// Wasm images whose module is a layer of its own, not a file of a tar layer
// (runwasi's oci-tar-builder images, wasm-to-oci's), under containerd 1.7
// (Debian 13's, scripts/containerd-1.7.sh): containerd 1.6 cannot import or
// run them. The shim reads the module from containerd's content store. The
// images are OCI layouts written here and imported with `ctr images
// import`; no annotation marks them as Wasm.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, toolchainProblem } from '../helpers/wasm.mjs';
import { waitFor } from '../helpers/wait.mjs';
import { startContainerd } from '../cri/containerd.mjs';
import { ociLayout } from './oci-layout.mjs';
import { RUNTIME, containerd17, killLeftovers, leftovers, shimProblem } from './shim.mjs';

const c17 = containerd17();
const missing = shimProblem() ?? toolchainProblem() ?? c17.problem;
const skip = missing !== null && process.env.CI !== 'true' ? `shim artifact test skipped: ${missing}` : false;
const T = { timeout: 120_000 };
const PLATFORM = ['--platform', 'wasip1/wasm'];

/** @type {import('../cri/containerd.mjs').Containerd} */
let cd;
/** @type {Buffer} */
let tool;
/** @type {Buffer} */
let other;

let n = 0;
const newId = (/** @type {string} */ base) => `${base}-${process.pid}-${++n}`;

/**
 * Write an OCI layout and import it (k8s.io namespace, the snapshotter CRI uses).
 * @param {Parameters<typeof ociLayout>[0]} image
 */
async function importLayout(image) {
  const archive = path.join(cd.dir, `${newId('layout')}.tar`);
  fs.writeFileSync(archive, ociLayout(image));
  const r = await cd.ctrNs(['images', 'import', ...PLATFORM, '--snapshotter', 'overlayfs', archive]);
  fs.rmSync(archive);
  assert.equal(r.code, 0, r.stderr);
}

/** The blob file of `bytes` in containerd's content store. */
function blobFile(/** @type {Uint8Array} */ bytes) {
  return path.join(cd.dir, 'root', 'io.containerd.content.v1.content', 'blobs', 'sha256', createHash('sha256').update(bytes).digest('hex'));
}

before(async () => {
  if (skip) return;
  if (missing) throw new Error(`CI needs containerd 1.7 (scripts/containerd-1.7.sh), conmon and the wasm32-wasi toolchain: ${missing}`);
  const t = compileC('oci_tool');
  const o = compileC('cli_exit');
  assert.ok(t && o, 'the test modules were not built');
  tool = fs.readFileSync(t);
  other = fs.readFileSync(o);
  cd = await startContainerd({ binDir: /** @type {string} */ (c17.dir) });
}, { timeout: 180_000 });

after(async () => {
  if (!cd) return;
  const killed = killLeftovers(cd);
  if (killed.length > 0) process.stderr.write(`shim artifact test: left by failed tests, killed: ${killed.join(', ')}\n`);
  if (process.env.TSWASI_TRACE_RUNS) process.stderr.write(`containerd log:\n${cd.log()}\n`);
  await cd.stop();
});

test('an image whose one layer is the module (application/wasm): ctr run, no annotation; args, env, exit code', { skip, ...T }, async () => {
  const name = 'localhost/tswasi-shim/layer-wasm:1';
  await importLayout({ name, modules: [{ mediaType: 'application/wasm', title: 'tool.wasm', bytes: tool }], os: 'wasip1', architecture: 'wasm' });
  const r = await cd.ctrNs(['run', '--rm', ...PLATFORM, '--runtime', RUNTIME, '--env', 'GREETING=hi there', name, newId('layer'), 'tool.wasm', 'report', '7', 'GREETING']);
  assert.equal(r.code, 7, r.stderr);
  assert.equal(r.stdout, 'argv[0]=tool.wasm\nargv[1]=report\nargv[2]=7\nargv[3]=GREETING\nGREETING=hi there\n');
  // Without the shim, runc looks for tool.wasm in an empty rootfs.
  const runc = await cd.ctrNs(['run', '--rm', ...PLATFORM, name, newId('runc'), 'tool.wasm']);
  assert.notEqual(runc.code, 0);
  assert.match(runc.stderr, /executable file not found/);
});

test('of two module layers, args[0] names one by its title, else the first runs; the entrypoint from the image config', { skip, ...T }, async () => {
  const name = 'localhost/tswasi-shim/two-layers:1';
  const mediaType = 'application/vnd.bytecodealliance.wasm.component.layer.v0+wasm';
  await importLayout({
    name, os: 'wasip1', architecture: 'wasm',
    modules: [{ mediaType, title: 'tool.wasm', bytes: tool }, { mediaType, title: 'exit.wasm', bytes: other }],
  });
  const second = await cd.ctrNs(['run', '--rm', ...PLATFORM, '--runtime', RUNTIME, name, newId('second'), '/any/dir/exit.wasm', '4']);
  assert.equal(second.code, 4, second.stderr);
  assert.equal(second.stdout, 'arg1=4\nenv=(unset)\n');
  const first = await cd.ctrNs(['run', '--rm', ...PLATFORM, '--runtime', RUNTIME, name, newId('first'), 'main.wasm', 'args']);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, 'argv[0]=main.wasm\nargv[1]=args\n');

  const cfgName = 'localhost/tswasi-shim/layer-entrypoint:1';
  await importLayout({ name: cfgName, os: 'wasip1', architecture: 'wasm', entrypoint: ['tool.wasm', 'args', 'from-config'], modules: [{ mediaType: 'application/vnd.wasm.content.layer.v1+wasm', title: 'tool.wasm', bytes: tool }] });
  const cfg = await cd.ctrNs(['run', '--rm', ...PLATFORM, '--runtime', RUNTIME, cfgName, newId('cfg')]);
  assert.equal(cfg.code, 0, cfg.stderr);
  assert.equal(cfg.stdout, 'argv[0]=tool.wasm\nargv[1]=args\nargv[2]=from-config\n');
});

test('exec in a container whose module is a layer: its module again, by name', { skip, ...T }, async () => {
  const name = 'localhost/tswasi-shim/exec-layer:1';
  await importLayout({ name, modules: [{ mediaType: 'application/wasm', title: 'tool.wasm', bytes: tool }], os: 'wasip1', architecture: 'wasm' });
  const id = newId('exec');
  assert.equal((await cd.ctrNs(['run', '-d', ...PLATFORM, '--runtime', RUNTIME, name, id, 'tool.wasm', 'sleep'])).code, 0);
  const ex = await cd.ctrNs(['task', 'exec', '--exec-id', 'e1', id, 'tool.wasm', 'exit', '9']);
  assert.equal(ex.code, 9, ex.stderr);
  assert.equal((await cd.ctrNs(['task', 'kill', '-s', 'SIGKILL', id])).code, 0);
  await waitFor('the task to stop', async () => new RegExp(`${id}\\s+\\d+\\s+STOPPED`).test((await cd.ctrNs(['task', 'ls'])).stdout));
  assert.equal((await cd.ctrNs(['task', 'delete', id])).code, 0);
  assert.equal((await cd.ctrNs(['container', 'delete', id])).code, 0);
});

test('a module blob changed in the content store: one clear error, nothing run, nothing left', { skip, ...T }, async () => {
  const name = 'localhost/tswasi-shim/tampered:1';
  const bytes = Buffer.from(tool);
  bytes[bytes.length - 1] ^= 0x55; // a module of its own, so no other test shares the blob
  await importLayout({ name, modules: [{ mediaType: 'application/wasm', title: 'tool.wasm', bytes }], os: 'wasip1', architecture: 'wasm' });
  const file = blobFile(bytes);
  const changed = Buffer.from(bytes);
  changed[100] ^= 0xff;
  fs.writeFileSync(file, changed);
  const r = await cd.ctrNs(['run', '--rm', ...PLATFORM, '--runtime', RUNTIME, name, newId('tampered'), 'tool.wasm']);
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /reading the module of \S+'s image from containerd: content sha256:[0-9a-f]{64}: the bytes do not match their digest/);
});

test('a wasip1/wasm image whose module is a file of a tar layer, and a native image, run as before under containerd 1.7', { skip, ...T }, async () => {
  const wasmName = 'localhost/tswasi-shim/tar-wasm:1';
  await importLayout({ name: wasmName, files: [['tool.wasm', tool]], os: 'wasip1', architecture: 'wasm', entrypoint: ['/tool.wasm', 'args', 'from-tar'] });
  const w = await cd.ctrNs(['run', '--rm', ...PLATFORM, '--runtime', RUNTIME, wasmName, newId('tar')]);
  assert.equal(w.code, 0, w.stderr);
  assert.equal(w.stdout, 'argv[0]=/tool.wasm\nargv[1]=args\nargv[2]=from-tar\n');
  const nativeName = 'localhost/tswasi-shim/native:1';
  const archive = path.join(cd.dir, 'native.tar');
  fs.writeFileSync(archive, ociLayout({ name: nativeName, files: [['bin/busybox', fs.readFileSync('/bin/busybox')]], os: 'linux', architecture: 'amd64', entrypoint: ['/bin/busybox'] }));
  assert.equal((await cd.ctrNs(['images', 'import', '--snapshotter', 'overlayfs', archive])).code, 0);
  const nat = await cd.ctrNs(['run', '--rm', '--runtime', RUNTIME, nativeName, newId('native'), '/bin/busybox', 'sh', '-c', 'echo native; exit 5']);
  assert.equal(nat.code, 5, nat.stderr);
  assert.equal(nat.stdout, 'native\n');
});

test('nothing left: no container, runc state, bundle copy, mount or socket', { skip, ...T }, async () => {
  const left = await waitFor('the shims to end', () => {
    const l = leftovers(cd);
    return l.runc.length + l.copies.length + l.tasks.length + l.mounts.length + l.sockets.length === 0 && l;
  });
  assert.ok(left);
});
