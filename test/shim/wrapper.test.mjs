// @ts-check
// The sh part of containerd-shim-tswasi-v1's wrapper
// (scripts/containerd-shim-tswasi-v1.sh, installed by install-oci.sh), which
// answers containerd's per-container `start` and `delete` without Node in
// their common cases, against the Node entry's rules (oci/shim/start.ts,
// delete.ts): the same socket address, the same files in the bundle, a
// DeleteResponse that decodes alike, and every case it is unsure of left to
// Node. A wrapper whose node is /bin/false shows which side answered. Runs
// in a mount namespace of its own with a private /run (the shim's sockets
// live at the fixed /run/containerd/s); root, unshare and nsenter needed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/wasm.mjs';
import { waitFor } from '../helpers/wait.mjs';
import { INSTALL_SCRIPT } from '../cri/containerd.mjs';
import { socketAddress } from '../../dist/oci/shim/paths.js';
import { Fields } from '../../dist/oci/shim/pb.js';

const tools = ['unshare', 'nsenter', 'setsid', 'sha256sum'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
const missing = process.getuid?.() !== 0 ? 'not root' : tools.length > 0 ? `${tools.join(', ')} not found` : null;
const skip = missing !== null && process.env.CI !== 'true' ? `shim wrapper test skipped: ${missing}` : false;

const CD_ADDRESS = '/run/containerd/containerd.sock';
const NS = 'k8s.io';
const SANDBOX = 'a'.repeat(64);

/** @type {string} */ let dir;
/** @type {string} */ let fastBin; // the wrapper with node = /bin/false: only its sh part can succeed
/** @type {string} */ let realBin; // the wrapper with this node
/** @type {import('node:child_process').ChildProcess} */ let holder; // keeps the mount namespace
/** @type {import('node:child_process').ChildProcess[]} */ const children = [];

before(async () => {
  if (skip) return;
  if (missing) throw new Error(`CI needs root, unshare, nsenter, setsid and sha256sum: ${missing}`);
  dir = tempDir('tswasi-shim-wrapper-');
  for (const [name, node] of [['fast', '/bin/false'], ['real', process.execPath]]) {
    const r = spawnSync('sh', [INSTALL_SCRIPT, path.join(dir, name)], { env: { ...process.env, NODE: node }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  fastBin = path.join(dir, 'fast', 'containerd-shim-tswasi-v1');
  realBin = path.join(dir, 'real', 'containerd-shim-tswasi-v1');
  fs.mkdirSync(path.join(dir, 'run'));
  holder = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /run && echo up && exec sleep 3600', 'sh', path.join(dir, 'run')], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => holder.stdout?.once('data', resolve));
});

after(() => {
  for (const c of [...children, holder]) c?.kill('SIGKILL');
});

/**
 * Run `argv` in the namespace, in `cwd`, with containerd's environment;
 * without spare shims (this test compares the sh's answers with Node's, which
 * starts none; ctr.test.mjs runs the spares under a real containerd).
 * @param {string[]} argv @param {string} cwd
 */
function inNs(argv, cwd) {
  const r = spawnSync('nsenter', ['-t', String(holder.pid), '-m', '--wd=' + cwd, ...argv], { env: { PATH: process.env.PATH, TTRPC_ADDRESS: `${CD_ADDRESS}.ttrpc`, TSWASI_SHIM_SPARE: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

let n = 0;
/** A bundle with a config.json holding `annotations`. @param {Record<string, string>} annotations */
function bundle(annotations) {
  const b = path.join(dir, `bundle${++n}`);
  fs.mkdirSync(b);
  fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify({ ociVersion: '1.0.2', process: { args: ['x'] }, annotations }));
  return b;
}
/** @param {string} id */
const startArgs = (id) => ['-namespace', NS, '-address', CD_ADDRESS, '-publish-binary', '/usr/bin/containerd', '-id', id, 'start'];
/** @param {string} id @param {string} b */
const deleteArgs = (id, b) => ['-namespace', NS, '-address', CD_ADDRESS, '-publish-binary', '/usr/bin/containerd', '-id', id, '-bundle', b, 'delete'];
/** The host path of a socket address's file (the namespace's /run is dir/run). @param {string} address */
const hostPath = (address) => path.join(dir, 'run', address.replace('unix:///run/', ''));

/** A listener at the socket of `group`, bound inside the namespace (so /proc/net/unix names it as the shim would). @param {string} group */
async function listenFor(group) {
  const address = socketAddress(CD_ADDRESS, NS, group);
  const sock = address.slice('unix://'.length);
  const c = spawn('nsenter', ['-t', String(holder.pid), '-m', process.execPath, '-e',
    `require('fs').mkdirSync(require('path').dirname(${JSON.stringify(sock)}), { recursive: true }); require('net').createServer().listen(${JSON.stringify(sock)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(c);
  await new Promise((resolve) => c.stdout?.once('data', resolve));
  return address;
}

test('start, the pod\'s shim listening: sh prints the address Node computes and writes the bundle\'s `address`', { skip }, async () => {
  const address = await listenFor(SANDBOX);
  const b = bundle({ 'io.kubernetes.cri.sandbox-id': SANDBOX, 'io.kubernetes.cri.container-type': 'container' });
  const r = inNs([fastBin, ...startArgs('c1')], b);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), address);
  assert.equal(fs.readFileSync(path.join(b, 'address'), 'utf8'), address);
  // Node's start, for the same bundle, agrees (it connects to the listener and prints its address).
  const viaNode = inNs([process.execPath, path.join(path.dirname(INSTALL_SCRIPT), '..', 'dist', 'oci', 'shim', 'containerd-shim-tswasi-v1.cjs'), ...startArgs('c1')], b);
  assert.equal(viaNode.stdout.toString(), address, viaNode.stderr);
});

test('start of a new pod: the shim started from sh serves, with shim.pid and address in the bundle', { skip }, async () => {
  const id = 'b'.repeat(64);
  const b = bundle({ 'io.kubernetes.cri.sandbox-id': id, 'io.kubernetes.cri.container-type': 'sandbox' });
  const t = performance.now();
  const r = inNs([realBin, ...startArgs(id)], b);
  const ms = performance.now() - t;
  assert.equal(r.code, 0, r.stderr);
  const address = socketAddress(CD_ADDRESS, NS, id);
  assert.equal(r.stdout.toString(), address);
  assert.equal(fs.readFileSync(path.join(b, 'address'), 'utf8'), address);
  const pid = Number(fs.readFileSync(path.join(b, 'shim.pid'), 'utf8'));
  assert.ok(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('containerd-shim-tswasi-v1.cjs'), 'shim.pid names the shim');
  assert.ok(fs.statSync(hostPath(address)).isSocket(), 'the socket is bound when start returns');
  assert.equal(fs.statSync(hostPath(address)).mode & 0o777, 0o600);
  // A second container of that pod: the fast path finds the new shim.
  const b2 = bundle({ 'io.kubernetes.cri.sandbox-id': id });
  assert.equal(inNs([fastBin, ...startArgs('c2')], b2).stdout.toString(), address);
  // ctr run's containers carry no grouping label: each is its own group.
  const solo = bundle({});
  const r3 = inNs([realBin, ...startArgs('solo1')], solo);
  assert.equal(r3.stdout.toString(), socketAddress(CD_ADDRESS, NS, 'solo1'), r3.stderr);
  for (const p of [pid, Number(fs.readFileSync(path.join(solo, 'shim.pid'), 'utf8'))]) process.kill(p, 'SIGKILL');
  process.stderr.write(`(start of a new pod from sh: ${ms.toFixed(0)} ms)\n`);
});

test('start: our own group label, a stale socket, or an unknown flag go to Node', { skip }, async () => {
  const labelled = bundle({ 'io.containerd.tswasi.v1.group': 'g1', 'io.kubernetes.cri.sandbox-id': SANDBOX });
  assert.notEqual(inNs([fastBin, ...startArgs('c3')], labelled).code, 0);
  const stale = hostPath(socketAddress(CD_ADDRESS, NS, 'stale1'));
  fs.mkdirSync(path.dirname(stale), { recursive: true });
  fs.writeFileSync(stale, ''); // not a listening socket
  assert.notEqual(inNs([fastBin, ...startArgs('stale1')], bundle({})).code, 0);
  assert.notEqual(inNs([fastBin, '-unknown', 'x', ...startArgs('c4')], bundle({ 'io.kubernetes.cri.sandbox-id': SANDBOX })).code, 0);
  assert.notEqual(inNs([fastBin, ...startArgs('../c5')], bundle({ 'io.kubernetes.cri.sandbox-id': SANDBOX })).code, 0);
});

test('delete with nothing left: sh prints DeleteResponse{exit_status 137, exited_at now}, as delete.ts does', { skip }, async () => {
  const address = await listenFor('d'.repeat(64));
  const b = bundle({});
  fs.writeFileSync(path.join(b, 'address'), address);
  const before = Date.now() / 1000;
  const r = inNs([fastBin, ...deleteArgs('d1', b)], b);
  assert.equal(r.code, 0, r.stderr);
  const m = Fields.decode(r.stdout);
  assert.equal(m.uint(1), 0);
  assert.equal(m.uint(2), 137);
  const at = m.message(3);
  assert.ok(at);
  const seconds = at.uint(1) + at.uint(2) / 1e9;
  assert.ok(seconds >= Math.floor(before) && seconds <= Date.now() / 1000 + 1, `exited_at ${seconds}`);
  assert.equal(fs.readdirSync(b).sort().join(' '), 'address config.json', 'nothing written');
});

test('delete with something left (our state, a runc container, a mount, a dead socket) goes to Node, which cleans it', { skip }, async () => {
  const b = bundle({});
  fs.mkdirSync(path.join(b, 'tswasi-shim', 'init'), { recursive: true });
  assert.notEqual(inNs([fastBin, ...deleteArgs('d2', b)], b).code, 0, 'our state left: Node');
  const r = inNs([realBin, ...deleteArgs('d2', b)], b);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(Fields.decode(r.stdout).uint(2), 137);
  assert.ok(!fs.existsSync(path.join(b, 'tswasi-shim')), 'Node removed our state');

  const b2 = bundle({});
  fs.mkdirSync(path.join(dir, 'run', 'containerd', 'tswasi', NS, 'd3'), { recursive: true });
  assert.notEqual(inNs([fastBin, ...deleteArgs('d3', b2)], b2).code, 0, 'a runc container left: Node');

  const b3 = bundle({});
  const dead = socketAddress(CD_ADDRESS, NS, 'dead1');
  fs.mkdirSync(path.dirname(hostPath(dead)), { recursive: true });
  // Bound and left by a process that ended (in the namespace: the host path is longer than a socket address may be).
  const s = inNs([process.execPath, '-e', `require('net').createServer().listen(${JSON.stringify(dead.slice('unix://'.length))}, () => process.exit(0))`], b3);
  assert.equal(s.code, 0, s.stderr);
  assert.ok(fs.statSync(hostPath(dead)).isSocket());
  fs.writeFileSync(path.join(b3, 'address'), dead);
  assert.notEqual(inNs([fastBin, ...deleteArgs('d4', b3)], b3).code, 0, 'a dead socket: Node');
  const r3 = inNs([realBin, ...deleteArgs('d4', b3)], b3);
  assert.equal(r3.code, 0, r3.stderr);
  await waitFor('Node to remove the dead socket', () => !fs.existsSync(hostPath(dead)));
});
