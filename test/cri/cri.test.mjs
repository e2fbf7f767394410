// @ts-check
// Kubernetes' path to tswasi: containerd's CRI plugin, driven over gRPC as
// kubelet drives it, with a runtime handler `tswasi` whose runc binary is
// tswasi-oci (installed as docs/containers.md says). Its own containerd (private root,
// state, sockets and /run), images built in the run with buildah from the
// project's C guest and busybox-static. Pods use the host network (no CNI here).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, ROOT, toolchainProblem } from '../helpers/wasm.mjs';
import { freePort, httpGet } from '../helpers/tcp.mjs';
import { waitFor } from '../helpers/wait.mjs';
import { CONFIG_TEMPLATE, HANDLER, IMAGES, criProblem, importImages, startContainerd } from './containerd.mjs';
import { cleanupRun, containerPid, createContainer, removePod, readLog, runPod, startContainer, status, waitLog, waitState } from './pods.mjs';

const BB = '/bin/busybox';
const missing = criProblem() ?? toolchainProblem();
const skip = missing !== null && process.env.CI !== 'true' ? `CRI test skipped: ${missing}` : false;
const COMPAT_SMART = { 'module.wasm.image/variant': 'compat-smart' };
const HELLO = 'hello world from the webassembly module !!!!\n';
const T = { timeout: 180_000 };

/** @type {import('./containerd.mjs').Containerd} started in before() */
let cd;
/** @type {import('./pods.mjs').Pod[]} */
const pods = [];

before(async () => {
  if (skip) return;
  if (missing) throw new Error(`CI needs containerd, buildah, runc, busybox-static and the wasm32-wasi toolchain: ${missing}`);
  const wasm = compileC('oci_tool');
  assert.ok(wasm, 'oci_tool was not built');
  const server = compileC('http_serve');
  assert.ok(server, 'http_serve was not built');
  cd = await startContainerd();
  await importImages(cd, wasm, [[server, '/http_serve.wasm']]);
}, { timeout: 180_000 });

after(async () => {
  if (!cd) return;
  const killed = await cleanupRun(cd, pods);
  if (killed.length > 0) process.stderr.write(`cri test: left by failed tests, killed or not removable:\n  ${killed.join('\n  ')}\n`);
  if (process.env.TSWASI_TRACE_RUNS) process.stderr.write(`containerd log:\n${cd.log()}\n`);
});

/**
 * @param {string} name
 * @param {Record<string, string>} annotations
 * @param {string} [handler]
 */
async function pod(name, annotations, handler) {
  const p = await runPod(cd, name, annotations, handler);
  pods.push(p);
  return p;
}

test('a Wasm container and a native busybox sidecar in one compat-smart pod', { skip, ...T }, async () => {
  const p = await pod('wasm-and-sidecar', COMPAT_SMART);
  const wasm = await startContainer(cd, p, {
    name: 'wasm',
    image: IMAGES.wasm,
    args: ['report', '7', 'GREETING', 'two words'],
    env: { GREETING: 'hello from the container config' },
  });
  // The sidecar reads /proc: only a Linux process under runc can.
  const sidecar = await startContainer(cd, p, {
    name: 'sidecar',
    image: IMAGES.busybox,
    args: ['-c', `echo "sidecar: $(${BB} readlink /proc/self/exe) $SIDE"; exit 3`],
    env: { SIDE: 'native' },
  });
  const ws = await waitState(cd, wasm, 'CONTAINER_EXITED');
  assert.equal(ws.exit_code, 7, `the Wasm container's exit code (${ws.reason} ${ws.message})`);
  const want = [
    'argv[0]=/tool.wasm', 'argv[1]=report', 'argv[2]=7', 'argv[3]=GREETING', 'argv[4]=two words',
    'GREETING=hello from the container config', 'two words=(unset)', '',
  ].join('\n');
  await waitLog(p, 'wasm', 'two words=(unset)');
  assert.deepEqual(readLog(p, 'wasm'), { stdout: want, stderr: '' });
  const ss = await waitState(cd, sidecar, 'CONTAINER_EXITED');
  assert.equal(ss.exit_code, 3, `the sidecar's exit code (${ss.reason} ${ss.message})`);
  await waitLog(p, 'sidecar', 'sidecar:');
  assert.deepEqual(readLog(p, 'sidecar'), { stdout: `sidecar: ${BB} native\n`, stderr: '' });
  await removePod(cd, p);
});

test('StopContainer stops a long-running Wasm container and a native one within its timeout', { skip, ...T }, async () => {
  const p = await pod('long-running', COMPAT_SMART);
  const wasm = await startContainer(cd, p, { name: 'wasm', image: IMAGES.wasm, args: ['ticker'] });
  // As PID 1 of its pid namespace sh ignores SIGTERM unless it traps it: it
  // says "ready" once the trap is set, so the stop cannot come before it.
  const native = await startContainer(cd, p, {
    name: 'native',
    image: IMAGES.busybox,
    args: ['-c', `trap 'echo terminated; exit 143' TERM; echo ready; ${BB} sleep 3600 & wait`],
  });
  await waitLog(p, 'wasm', 'tick 0');
  await waitLog(p, 'native', 'ready');
  assert.equal((await status(cd, wasm)).state, 'CONTAINER_RUNNING');
  assert.equal((await status(cd, native)).state, 'CONTAINER_RUNNING');
  // The native one runs busybox itself, under runc.
  const exe = fs.readlinkSync(`/proc/${await containerPid(cd, native)}/exe`);
  assert.match(exe, /busybox$/);
  for (const [name, id] of [['wasm', wasm], ['native', native]]) {
    const timeout = 30; // s: generous, runtime calls are slow on a loaded machine; 143 vs 137 is the real check
    const t0 = Date.now();
    await cd.cri.StopContainer({ container_id: id, timeout }, 60_000);
    const ms = Date.now() - t0;
    const s = await status(cd, id);
    assert.equal(s.state, 'CONTAINER_EXITED', name);
    // 143 = 128 + SIGTERM: the stop signal did it, not the SIGKILL after the timeout (137).
    assert.equal(s.exit_code, 143, `${name} exit code after StopContainer (${s.reason})`);
    assert.ok(ms < timeout * 1000, `${name} took ${ms} ms to stop (timeout ${timeout} s)`);
  }
  await waitLog(p, 'native', 'terminated');
  await removePod(cd, p);
});

test('run.oci.handler=wasm as the pod annotation', { skip, ...T }, async () => {
  const p = await pod('handler-wasm', { 'run.oci.handler': 'wasm' });
  const id = await startContainer(cd, p, { name: 'wasm', image: IMAGES.wasm });
  const s = await waitState(cd, id, 'CONTAINER_EXITED');
  assert.equal(s.exit_code, 0, `${s.reason} ${s.message}`);
  await waitLog(p, 'wasm', HELLO);
  assert.deepEqual(readLog(p, 'wasm'), { stdout: HELLO, stderr: '' });
  await removePod(cd, p);
});

test('without a Wasm annotation the Wasm image goes to runc, which cannot run it', { skip, ...T }, async () => {
  const p = await pod('no-annotation', {});
  const id = await startContainer(cd, p, { name: 'wasm', image: IMAGES.wasm });
  const s = await waitState(cd, id, 'CONTAINER_EXITED');
  assert.notEqual(s.exit_code, 0);
  await waitFor('runc\'s error in the log', () => readLog(p, 'wasm').stderr.includes('exec format error'));
  assert.equal(readLog(p, 'wasm').stdout, '');
  await removePod(cd, p);
});

test('ExecSync runs another module in a running Wasm container', { skip, ...T }, async () => {
  const p = await pod('exec', COMPAT_SMART);
  const id = await startContainer(cd, p, { name: 'wasm', image: IMAGES.wasm, args: ['ticker'], env: { GREETING: 'from the container' } });
  await waitLog(p, 'wasm', 'tick 0');
  const r = await cd.cri.ExecSync({ container_id: id, cmd: ['/tool.wasm', 'report', '5', 'GREETING'], timeout: 20 }, 40_000);
  assert.equal(r.exit_code, 5, `stderr: ${r.stderr}`);
  assert.equal(r.stdout.toString(), 'argv[0]=/tool.wasm\nargv[1]=report\nargv[2]=5\nargv[3]=GREETING\nGREETING=from the container\n');
  assert.equal(r.stderr.toString(), '');
  // The container itself goes on.
  assert.equal((await status(cd, id)).state, 'CONTAINER_RUNNING');
  await removePod(cd, p);
});

test('io.tswasi.tcplisten as a pod annotation (pod_annotations): a Wasm container serves HTTP', { skip, ...T }, async () => {
  const port = await freePort();
  const p = await pod('tcplisten-pod', { ...COMPAT_SMART, 'io.tswasi.tcplisten': `127.0.0.1:${port}` });
  const id = await startContainer(cd, p, { name: 'server', image: IMAGES.wasm, command: ['/http_serve.wasm'], args: ['1', 'hi from a pod'] });
  assert.equal(await httpGet(port, '/pod'), '200 hi from a pod: GET /pod HTTP/1.1\n');
  const s = await waitState(cd, id, 'CONTAINER_EXITED');
  assert.equal(s.exit_code, 0, `${s.reason} ${s.message}`);
  await waitLog(p, 'server', 'served 1');
  assert.deepEqual(readLog(p, 'server'), { stdout: 'served 1: GET /pod HTTP/1.1\n', stderr: '' });
  await removePod(cd, p);
});

test('io.tswasi.tcplisten as a container annotation (container_annotations); a bad one fails the start in our words', { skip, ...T }, async () => {
  const port = await freePort();
  const p = await pod('tcplisten-container', COMPAT_SMART);
  const id = await startContainer(cd, p, {
    name: 'server', image: IMAGES.wasm, command: ['/http_serve.wasm'], args: ['1'], annotations: { 'io.tswasi.tcplisten': `127.0.0.1:${port}` },
  });
  assert.equal(await httpGet(port, '/container'), '200 hello from wasm: GET /container HTTP/1.1\n');
  const s = await waitState(cd, id, 'CONTAINER_EXITED');
  assert.equal(s.exit_code, 0, `${s.reason} ${s.message}`);
  // The runtime's create runs at StartContainer: its error line comes back through the shim.
  const bad = await createContainer(cd, p, { name: 'bad', image: IMAGES.wasm, command: ['/http_serve.wasm'], annotations: { 'io.tswasi.tcplisten': '127.0.0.1:80,' } });
  await assert.rejects(cd.cri.StartContainer({ container_id: bad }), /invalid annotation io\.tswasi\.tcplisten: "": empty item/);
  await removePod(cd, p);
});

test('timing: RunPodSandbox to container exited, Wasm vs native (medians of 5)', { skip, ...T }, async (t) => {
  // Wasm and native containers of the tswasi handler, and as a baseline the
  // native one on containerd's plain runc handler (what tswasi-oci adds).
  const kinds = {
    wasm: { handler: HANDLER, spec: { name: 'wasm', image: IMAGES.wasm } },
    native: { handler: HANDLER, spec: { name: 'native', image: IMAGES.busybox, args: ['-c', 'echo hello'] } },
    'native on runc': { handler: 'runc', spec: { name: 'native', image: IMAGES.busybox, args: ['-c', 'echo hello'] } },
  };
  /** @type {Record<string, number[]>} */
  const samples = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
  for (let round = 0; round < 5; round++) {
    for (const [kind, { handler, spec }] of Object.entries(kinds)) { // interleaved, so drift hits all alike
      const t0 = process.hrtime.bigint();
      const p = await pod(`timing-${spec.name}`, COMPAT_SMART, handler);
      const id = await startContainer(cd, p, spec);
      // Polled every 20 ms: the numbers are that coarse.
      const s = await waitState(cd, id, 'CONTAINER_EXITED');
      samples[kind].push(Number(process.hrtime.bigint() - t0) / 1e6);
      assert.equal(s.exit_code, 0, `${kind}: ${s.reason} ${s.message}`);
      await removePod(cd, p);
    }
  }
  const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const lines = Object.entries(samples).map(([k, xs]) => `${k}: median ${median(xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(', ')})`);
  for (const l of lines) t.diagnostic(l);
  console.log(`CRI RunPodSandbox -> container exited, medians of 5: ${lines.join('; ')}`);
});

test('nothing is left: no sandbox or container in CRI or in the runtime\'s list', { skip, ...T }, async () => {
  const { items } = await cd.cri.ListPodSandbox({});
  assert.deepEqual(items.map((s) => s.id), []);
  const { containers } = await cd.cri.ListContainers({});
  assert.deepEqual(containers.map((c) => c.id), []);
  assert.deepEqual(cd.runtimeList(), []);
});

test('docs/containers.md shows the configuration this test uses, and the wrapper needs no PATH', { skip }, () => {
  const readme = fs.readFileSync(path.join(ROOT, 'docs', 'containers.md'), 'utf8');
  const toml = fs.readFileSync(CONFIG_TEMPLATE, 'utf8');
  assert.ok(readme.includes('```toml\n' + toml + '```\n'), 'docs/containers.md has test/cri/containerd.toml verbatim in a toml block');
  assert.match(readme, new RegExp(`kind: RuntimeClass\\n[^]*?handler: ${HANDLER}\\b`));
  assert.match(readme, /scripts\/install-oci\.sh/);
  // Engines call the runtime with a minimal environment: none at all here.
  const r = spawnSync(path.join(cd.bin, 'tswasi-oci'), ['--version'], { env: {}, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^tswasi-oci version /);
});
