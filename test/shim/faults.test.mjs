// @ts-check
// containerd-shim-tswasi-v1 when things go wrong: bad requests on its
// socket (one error each, and it goes on serving), `kill -9` of a shim
// (containerd sees its tasks end, a terminal's too; no process, runc state,
// bundle copy, mount or socket is left), containerd restarted while containers run (the
// shim keeps them; the new containerd reconnects and drives them), a
// container killed by the OOM killer (the event, and exit code 137), and a
// terminal whose stdin ends (a hang-up, side by side with the runc shim).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { compileC, tempDir, toolchainProblem } from '../helpers/wasm.mjs';
import { waitFor } from '../helpers/wait.mjs';
import { IMAGES, importImages, startContainerd } from '../cri/containerd.mjs';
import { decodeTtrpcResponse, encodeTtrpcRequest, decodeState } from './ttrpc-test.mjs';
import { Fields, Writer } from '../../dist/oci/shim/pb.js';
import { runcBundle } from '../helpers/oci.mjs';
import { RUNTIME, ctrInTerminal, killLeftovers, leftovers, shimProblem, shimProcesses, watchEvents } from './shim.mjs';

const BB = '/bin/busybox';
const missing = shimProblem() ?? toolchainProblem();
const skip = missing !== null && process.env.CI !== 'true' ? `shim fault test skipped: ${missing}` : false;
const T = { timeout: 120_000 };

/** @type {import('../cri/containerd.mjs').Containerd} */
let cd;

before(async () => {
  if (skip) return;
  if (missing) throw new Error(`CI needs containerd, conmon, buildah, runc, busybox-static and the wasm32-wasi toolchain: ${missing}`);
  const wasm = compileC('oci_tool');
  assert.ok(wasm, 'oci_tool was not built');
  cd = await startContainerd();
  await importImages(cd, wasm);
}, { timeout: 180_000 });

after(async () => {
  if (!cd) return;
  const killed = killLeftovers(cd);
  if (killed.length > 0) process.stderr.write(`shim fault test: left by failed tests, killed: ${killed.join(', ')}\n`);
  if (process.env.TSWASI_TRACE_RUNS) process.stderr.write(`containerd log:\n${cd.log()}\n`);
  await cd.stop();
});

let n = 0;
const newId = (/** @type {string} */ base) => `${base}-${process.pid}-${++n}`;

/** @param {string[]} args */
async function ok(args) {
  const r = await cd.ctrNs(args);
  assert.equal(r.code, 0, `ctr ${args.join(' ')}: ${r.stderr}`);
  return r;
}

/** @param {string} id */
const taskLine = async (id) => (await cd.ctrNs(['task', 'ls'])).stdout.split('\n').find((l) => l.startsWith(`${id} `)) ?? '';

/** The host path of the shim socket serving task `id` (its bundle's `address`, under the private /run). */
function shimSocket(/** @type {string} */ id) {
  const address = fs.readFileSync(path.join(cd.dir, 'state', 'io.containerd.runtime.v2.task', 'k8s.io', id, 'address'), 'utf8');
  return path.join(cd.dir, 'run', address.replace('unix:///run/', ''));
}

/** @param {string} id @param {boolean} [wasm] */
async function runDetached(id, wasm = false) {
  await ok(['run', '-d', '--runtime', RUNTIME, ...(wasm ? [IMAGES.wasm, id, '/tool.wasm', 'sleep'] : [IMAGES.busybox, id, BB, 'sleep', '3600'])]);
}

/** @param {string} id */
async function removeStopped(id) {
  await waitFor(`${id} to stop`, async () => /STOPPED/.test(await taskLine(id)));
  await ok(['task', 'delete', id]);
  await ok(['container', 'delete', id]);
}

/**
 * One frame on its own connection, the first answer frame back.
 * @param {string} sock @param {Buffer} bytes
 * @returns {Promise<Buffer[]>} every frame received until `count` frames
 */
function exchange(sock, bytes, count = 1) {
  return new Promise((resolve, reject) => {
    const c = net.createConnection(sock);
    let buf = Buffer.alloc(0);
    /** @type {Buffer[]} */
    const frames = [];
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 10 && buf.length >= 10 + buf.readUInt32BE(0)) {
        frames.push(buf.subarray(0, 10 + buf.readUInt32BE(0)));
        buf = buf.subarray(10 + buf.readUInt32BE(0));
        if (frames.length === count) { c.destroy(); resolve(frames); }
      }
    });
    c.on('error', reject);
    c.write(bytes);
  });
}

/** @param {number} stream @param {Uint8Array} body @param {number} [length] */
function frame(stream, body, length = body.length) {
  const h = Buffer.alloc(10);
  h.writeUInt32BE(length, 0);
  h.writeUInt32BE(stream, 4);
  h[8] = 1;
  return Buffer.concat([h, body]);
}

test('bad requests on the socket: one error each, and the shim goes on serving', { skip, ...T }, async () => {
  const id = newId('bad');
  await runDetached(id);
  const sock = shimSocket(id);
  const state = encodeTtrpcRequest({ service: 'containerd.task.v2.Task', method: 'State', payload: new Uint8Array([0x0a, id.length, ...Buffer.from(id)]), timeoutNano: 0 });
  const [garbage, unknownService, unknownMethod, notFound, good] = await exchange(sock, Buffer.concat([
    frame(1, Buffer.from([0x0b, 0xff, 0xff])), // not protobuf
    frame(3, encodeTtrpcRequest({ service: 'no.Such', method: 'X', payload: new Uint8Array(0), timeoutNano: 0 })),
    frame(5, encodeTtrpcRequest({ service: 'containerd.task.v2.Task', method: 'Nope', payload: new Uint8Array(0), timeoutNano: 0 })),
    frame(7, encodeTtrpcRequest({ service: 'containerd.task.v2.Task', method: 'State', payload: new Uint8Array([0x0a, 3, 0x6e, 0x6f, 0x70]), timeoutNano: 0 })),
    frame(9, state),
  ]), 5);
  const answer = (/** @type {Buffer} */ f) => ({ stream: f.readUInt32BE(4), type: f[8], ...decodeTtrpcResponse(f.subarray(10)) });
  assert.deepEqual([answer(garbage).stream, answer(garbage).type, answer(garbage).code], [1, 2, 3], 'InvalidArgument');
  assert.equal(answer(unknownService).code, 12);
  assert.equal(answer(unknownMethod).code, 12);
  assert.equal(answer(notFound).code, 5);
  assert.equal(answer(good).code, 0);
  assert.equal(decodeState(answer(good).payload).status, 2, 'RUNNING');
  // A frame longer than ttrpc's 4 MiB limit: ResourceExhausted, its bytes skipped, the next request answered.
  const big = Buffer.alloc(5 << 20);
  const [tooBig, after] = await exchange(sock, Buffer.concat([frame(11, big, big.length), frame(13, state)]), 2);
  assert.equal(answer(tooBig).code, 8);
  assert.equal(answer(after).code, 0);
  // A peer that hangs up half-way through a frame harms nobody.
  await new Promise((resolve) => { const c = net.createConnection(sock, () => { c.end(frame(15, state).subarray(0, 7)); resolve(undefined); }); });
  await ok(['task', 'kill', '-s', 'SIGKILL', id]);
  await removeStopped(id);
});

/**
 * One task-service call on the shim's socket (a connection of its own): its answer.
 * @param {string} sock @param {string} method @param {import('../../dist/oci/shim/pb.js').Writer} request
 */
async function call(sock, method, request) {
  // With the namespace in the request's metadata, as containerd sends it (the runc shim requires it).
  const req = Buffer.concat([
    encodeTtrpcRequest({ service: 'containerd.task.v2.Task', method, payload: request.finish(), timeoutNano: 0 }),
    new Writer().message(5, new Writer().string(1, 'containerd-namespace-ttrpc').string(2, 'k8s.io')).finish(),
  ]);
  const [f] = await exchange(sock, frame(1, req));
  const r = decodeTtrpcResponse(/** @type {Buffer} */ (f).subarray(10));
  assert.equal(r.code, 0, `${method}: ${r.message}`);
  return r.payload;
}

test('a container with a terminal killed, or deleted, between Create and Start (as ctr does when a start fails): its exit, and nothing left', { skip, ...T }, async () => {
  // containerd calls Create and Start back to back: the calls are made here by hand, on a pod's shim.
  const id = newId('host');
  await runDetached(id);
  const sock = shimSocket(id);
  for (const kill of [true, false]) {
    const tid = newId('gate');
    const bundle = runcBundle({ args: [BB, 'sleep', '600'] });
    const config = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
    config.process.terminal = true;
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(config));
    const out = path.join(bundle, 'out.log');
    // CreateTaskRequest: the bundle's own rootfs (no mounts), a terminal, output to a file.
    const created = await call(sock, 'Create', new Writer().string(1, tid).string(2, bundle).bool(4, true).string(6, `file://${out}`));
    const pid = Fields.decode(created).uint(1);
    assert.ok(pid > 0 && fs.existsSync(`/proc/${pid}`), 'the init exists once Create answers');
    assert.equal(decodeState(await call(sock, 'State', new Writer().string(1, tid))).status, 1, 'CREATED');
    if (kill) {
      await call(sock, 'Kill', new Writer().string(1, tid).uint(3, 9));
      const waited = await call(sock, 'Wait', new Writer().string(1, tid));
      assert.equal(Fields.decode(waited).uint(1), 137, 'killed by SIGKILL before it started');
    }
    const deleted = await call(sock, 'Delete', new Writer().string(1, tid));
    // Deleted without a Kill: ended as `runc delete --force` ends a created container (SIGKILL), as for one without a terminal.
    assert.equal(Fields.decode(deleted).uint(2), 137);
    await waitFor(`the init of ${tid} to be gone`, () => !fs.existsSync(`/proc/${pid}`));
    assert.ok(!leftovers(cd).runc.includes(tid), 'no runc state');
    // The process never ran: the terminal shows nothing but runc's word that it stopped at the gate.
    for (const line of fs.readFileSync(out, 'utf8').split(/\r?\n/).filter(Boolean)) assert.match(line, /error running hook #0: .*no Start came/);
    fs.rmSync(bundle, { recursive: true, force: true });
  }
  await ok(['task', 'kill', '-s', 'SIGKILL', id]);
  await removeStopped(id);
});

/**
 * A terminal process through the shim at `sock`, driven by hand as containerd drives one whose stdin ends
 * (`kubectl exec -it` whose stdin closes): Create (or Exec, with `exec`), Start, a line typed, the stdin FIFO's
 * writer closed, CloseIO, Wait. Its exit status and what its terminal showed.
 * @param {string} sock @param {string} tid @param {string} dir @param {string} [exec] an exec id: `cat` exec'd into container `tid`
 */
async function typeThenCloseStdin(sock, tid, dir, exec) {
  const stdin = path.join(dir, `stdin-${exec ?? 'init'}`);
  const stdout = path.join(dir, `stdout-${exec ?? 'init'}`);
  execFileSync('mkfifo', [stdin, stdout]);
  // Our ends, opened read-write (as containerd's fifo package opens them): no open blocks.
  const inFd = fs.openSync(stdin, fs.constants.O_RDWR);
  const out = new net.Socket({ fd: fs.openSync(stdout, fs.constants.O_RDWR), readable: true, writable: false });
  let text = '';
  out.on('data', (d) => { text += d; });
  if (exec === undefined) {
    await call(sock, 'Create', new Writer().string(1, tid).string(2, dir).bool(4, true).string(5, stdin).string(6, stdout));
  } else {
    const spec = JSON.stringify({ args: [BB, 'cat'], cwd: '/', env: ['PATH=/bin'], terminal: true, user: { uid: 0, gid: 0 } });
    const any = new Writer().string(1, 'types.containerd.io/opencontainers/runtime-spec/1/Process').bytes(2, Buffer.from(spec));
    await call(sock, 'Exec', new Writer().string(1, tid).string(2, exec).bool(3, true).string(4, stdin).string(5, stdout).message(7, any));
  }
  const ref = () => { const w = new Writer().string(1, tid); return exec === undefined ? w : w.string(2, exec); };
  await call(sock, 'Start', ref());
  fs.writeSync(inFd, 'typed\n');
  // The pty echoes the line, then cat prints it.
  await waitFor(`${exec ?? tid}: the line back from cat`, () => (text.match(/typed\r\n/g) ?? []).length >= 2);
  fs.closeSync(inFd);
  await call(sock, 'CloseIO', ref().bool(3, true));
  const status = Fields.decode(await call(sock, 'Wait', ref())).uint(1);
  await call(sock, 'Delete', ref());
  out.destroy();
  return { status, out: text };
}

test('the end of a terminal\'s stdin hangs its process up as the runc shim\'s does (SIGHUP), side by side with io.containerd.runc.v2; a container\'s init without a SIGHUP handler reads an end of file', { skip, ...T }, async () => {
  /** @type {Record<string, { exec: { status: number, out: string }, init: { status: number, out: string } }>} */
  const seen = {};
  for (const runtime of [RUNTIME, 'io.containerd.runc.v2']) {
    const host = newId('hup-host');
    await ok(['run', '-d', '--runtime', runtime, IMAGES.busybox, host, BB, 'sleep', '3600']);
    const sock = shimSocket(host);
    // cat exec'd into the running container: SIGHUP ends it, 128+1 (an end of file would end it with 0).
    const exec = await typeThenCloseStdin(sock, host, tempDir('tswasi-hup-'), 'hup');
    // cat as a container's init, pid 1 of its pid namespace.
    const tid = newId('hup');
    const bundle = runcBundle({ args: [BB, 'cat'] });
    const config = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
    config.process.terminal = true;
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(config));
    const init = await typeThenCloseStdin(sock, tid, bundle);
    seen[runtime] = { exec, init };
    fs.rmSync(bundle, { recursive: true, force: true });
    await ok(['task', 'kill', '-s', 'SIGKILL', host]);
    await removeStopped(host);
  }
  const ours = seen[RUNTIME];
  const runc = seen['io.containerd.runc.v2'];
  assert.equal(ours?.exec.status, 129, JSON.stringify(seen));
  assert.deepEqual(ours?.exec, runc?.exec);
  // A pid 1 without a SIGHUP handler gets no SIGHUP from anyone in its namespace or above: under the runc shim
  // its reads then fail (EIO: the master is gone), cat ends with 1; here it reads an end of file, and cat ends
  // with 0 (docs/containerd-shim.md). Either way it ends.
  assert.equal(runc?.init.status, 1);
  assert.equal(ours?.init.status, 0);
  assert.equal(ours?.init.out, runc?.init.out);
});

test('kill -9 of a shim: containerd sees its tasks end, and nothing is left', { skip, ...T }, async () => {
  const ev = watchEvents(cd);
  const group = ['--annotation', `io.containerd.tswasi.v1.group=k${process.pid}`];
  const ids = [newId('k9'), newId('k9w'), newId('k9t')];
  await ok(['run', '-d', '--runtime', RUNTIME, ...group, IMAGES.busybox, ids[0], BB, 'sleep', '3600']);
  await ok(['run', '-d', '--runtime', RUNTIME, ...group, IMAGES.wasm, ids[1], '/tool.wasm', 'sleep']);
  // One with a terminal: ctr stays attached to it.
  const attached = ctrInTerminal(cd, ['run', '-t', '--runtime', RUNTIME, ...group, IMAGES.busybox, ids[2] ?? '', BB, 'sleep', '3600'], '');
  await waitFor(`${ids[2]} to run`, async () => /RUNNING/.test(await taskLine(ids[2] ?? '')));
  assert.ok(shimProcesses(cd).terminals.length > 0, 'its script and runc');
  const { shims } = shimProcesses(cd);
  assert.equal(shims.length, 1);
  process.kill(/** @type {number} */ (shims[0]), 'SIGKILL');
  // ctr, attached to the dead shim, loses it (as with any shim); containerd then ends the task (below).
  assert.match((await attached).stdout, /ttrpc: closed/);
  for (const id of ids) {
    await waitFor(`${id}'s exit event`, () => ev.topics(id).includes('/tasks/exit'));
    await waitFor(`${id}'s task to be gone`, async () => (await taskLine(id)) === '');
    await ok(['container', 'delete', id]);
  }
  ev.stop();
  await waitFor('every conmon, script and runc to end', () => { const p = shimProcesses(cd); return p.conmons.length + p.terminals.length === 0; });
  await waitFor('nothing left', () => Object.values(leftovers(cd)).every((v) => v.length === 0));
});

test('containerd restarted while containers run: the shim keeps them, and the new containerd drives them', { skip, ...T }, async () => {
  const id = newId('restart');
  await runDetached(id, true);
  const before = await taskLine(id);
  assert.match(before, /RUNNING/);
  const shimsBefore = shimProcesses(cd).shims;
  await cd.stop();
  cd = await startContainerd({ restartOf: cd });
  assert.deepEqual(shimProcesses(cd).shims, shimsBefore, 'the same shim');
  assert.equal(await taskLine(id), before, 'the same task, still running');
  const ex = await cd.ctrNs(['task', 'exec', '--exec-id', 'after', id, '/tool.wasm', 'exit', '4']);
  assert.equal(ex.code, 4, ex.stderr);
  const ev = watchEvents(cd);
  await ok(['task', 'kill', '-s', 'SIGKILL', id]);
  await waitFor('the exit event, to the new containerd', () => ev.topics(id).includes('/tasks/exit'));
  ev.stop();
  await removeStopped(id);
});

test('a container killed by the OOM killer, with and without a terminal: the OOM event and exit code 137', { skip, ...T }, async () => {
  const ev = watchEvents(cd);
  for (const terminal of [false, true]) {
    const id = newId('oom');
    // 64 MiB into a shell variable, under a 16 MiB limit.
    const args = ['run', '--rm', '--runtime', RUNTIME, '--memory-limit', String(16 << 20), IMAGES.busybox, id, BB, 'sh', '-c', `x=$(${BB} head -c ${64 << 20} /dev/zero | ${BB} tr '\\0' a); echo survived`];
    const r = terminal ? await ctrInTerminal(cd, [args[0] ?? '', '-t', ...args.slice(1)], '') : await cd.ctrNs(args);
    assert.equal(r.code, 137, r.stdout + r.stderr);
    // (A test terminal echoes what script(1) typed for the end of its input: the process printed nothing.)
    assert.ok(!r.stdout.includes('survived'), r.stdout);
    await waitFor('the OOM event', () => ev.topics(id).includes('/tasks/oom'));
    const topics = ev.topics(id);
    assert.ok(topics.indexOf('/tasks/oom') < topics.indexOf('/tasks/exit'), `${topics}`);
  }
  ev.stop();
});

test('nothing is left by the fault tests', { skip, ...T }, async () => {
  await waitFor('every shim and conmon to end', () => { const p = shimProcesses(cd); return p.shims.length + p.conmons.length === 0; });
  assert.deepEqual(leftovers(cd), { runc: [], copies: [], sockets: [], tasks: [], mounts: [] });
});
