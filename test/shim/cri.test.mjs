// @ts-check
// Kubernetes' path to containerd-shim-tswasi-v1: containerd's CRI plugin,
// driven over gRPC as kubelet drives it, with a RuntimeClass handler
// `tswasi-shim` whose runtime_type is io.containerd.tswasi.v1
// (test/shim/containerd-shim.toml, docs/containerd-shim.md). The pause
// container, a Wasm container and a native sidecar of one pod all run
// through one shim process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileC, toolchainProblem } from '../helpers/wasm.mjs';
import { freePort, httpGet } from '../helpers/tcp.mjs';
import { IMAGES, importImages, startContainerd } from '../cri/containerd.mjs';
import { cleanupRun, createContainer, removePod, readLog, runPod, startContainer, status, waitLog, waitState } from '../cri/pods.mjs';
import { killLeftovers, leftovers, shimProblem, shimProcesses } from './shim.mjs';
import { RESIZE, STDIN, STDOUT, openExec } from '../cri/stream.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SHIM_TOML = path.join(HERE, 'containerd-shim.toml');
const HANDLER = 'tswasi-shim';
const BB = '/bin/busybox';
const missing = shimProblem() ?? toolchainProblem();
const skip = missing !== null && process.env.CI !== 'true' ? `shim CRI test skipped: ${missing}` : false;
const T = { timeout: 180_000 };

/** @type {import('../cri/containerd.mjs').Containerd} */
let cd;
/** @type {import('../cri/pods.mjs').Pod[]} */
const pods = [];

before(async () => {
  if (skip) return;
  if (missing) throw new Error(`CI needs containerd, conmon, buildah, runc, busybox-static and the wasm32-wasi toolchain: ${missing}`);
  const wasm = compileC('oci_tool');
  assert.ok(wasm, 'oci_tool was not built');
  const server = compileC('http_serve');
  assert.ok(server, 'http_serve was not built');
  cd = await startContainerd({ extraToml: fs.readFileSync(SHIM_TOML, 'utf8') });
  await importImages(cd, wasm, [[server, '/http_serve.wasm']]);
}, { timeout: 180_000 });

after(async () => {
  if (!cd) return;
  const left = killLeftovers(cd);
  const killed = await cleanupRun(cd, pods);
  if (left.length + killed.length > 0) process.stderr.write(`shim CRI test: left by failed tests, killed:\n  ${[...left, ...killed].join('\n  ')}\n`);
  if (process.env.TSWASI_TRACE_RUNS) process.stderr.write(`containerd log:\n${cd.log()}\n`);
});

/** @param {string} name */
async function pod(name) {
  // No Wasm annotation: the shim runs every container whose entrypoint is a Wasm module as Wasm.
  const p = await runPod(cd, name, {}, HANDLER);
  pods.push(p);
  return p;
}

test('a Wasm container and a native sidecar in one pod, one shim for the pod: args, env, exit codes, logs', { skip, ...T }, async () => {
  const shimsBefore = shimProcesses(cd).shims.length;
  const p = await pod('wasm-and-sidecar');
  const wasm = await startContainer(cd, p, { name: 'wasm', image: IMAGES.wasm, args: ['report', '7', 'GREETING', 'two words'], env: { GREETING: 'hello from the container config' } });
  const sidecar = await startContainer(cd, p, {
    name: 'sidecar', image: IMAGES.busybox,
    args: ['-c', `echo "sidecar: $(${BB} readlink /proc/self/exe) $SIDE"; echo to-stderr >&2; exit 3`], env: { SIDE: 'native' },
  });
  const ws = await waitState(cd, wasm, 'CONTAINER_EXITED');
  assert.equal(ws.exit_code, 7, `${ws.reason} ${ws.message}`);
  await waitLog(p, 'wasm', 'two words=(unset)');
  assert.deepEqual(readLog(p, 'wasm'), {
    stdout: ['argv[0]=/tool.wasm', 'argv[1]=report', 'argv[2]=7', 'argv[3]=GREETING', 'argv[4]=two words', 'GREETING=hello from the container config', 'two words=(unset)', ''].join('\n'),
    stderr: '',
  });
  const ss = await waitState(cd, sidecar, 'CONTAINER_EXITED');
  assert.equal(ss.exit_code, 3, `${ss.reason} ${ss.message}`);
  await waitFor(() => readLog(p, 'sidecar').stderr === 'to-stderr\n');
  assert.deepEqual(readLog(p, 'sidecar'), { stdout: `sidecar: ${BB} native\n`, stderr: 'to-stderr\n' });
  // The pause container, the Wasm one and the sidecar: one shim process.
  assert.equal(shimProcesses(cd).shims.length, shimsBefore + 1);
  await removePod(cd, p);
});

test('tty: true: a Wasm container and a native one with a terminal, their output in the log, as the runc handler logs it', { skip, ...T }, async () => {
  const p = await pod('tty');
  const ref = await runPod(cd, 'tty-runc', {}, 'runc');
  pods.push(ref);
  const native = { name: 'native-tty', image: IMAGES.busybox, args: ['-c', 'tty; echo to-stderr >&2; exit 4'], tty: true };
  const wasm = await startContainer(cd, p, { name: 'wasm-tty', image: IMAGES.wasm, args: ['tty'], tty: true });
  for (const q of [p, ref]) {
    const id = await startContainer(cd, q, native);
    assert.equal((await waitState(cd, id, 'CONTAINER_EXITED')).exit_code, 4);
    // A terminal has one stream (the CRI log drops the line discipline's \r).
    await waitFor(() => readLog(q, 'native-tty').stdout.includes('to-stderr'));
    assert.deepEqual(readLog(q, 'native-tty'), { stdout: '/dev/pts/0\nto-stderr\n', stderr: '' });
  }
  assert.equal((await waitState(cd, wasm, 'CONTAINER_EXITED')).exit_code, 3);
  await waitFor(() => readLog(p, 'wasm-tty').stdout.includes('isatty'));
  assert.deepEqual(readLog(p, 'wasm-tty'), { stdout: 'isatty: 1 1 1\n', stderr: '' });
  await removePod(cd, p);
  await removePod(cd, ref);
});

test('kubectl exec -it: CRI Exec with a terminal, over the streaming server (WebSocket, v4.channel.k8s.io), in a native container as the runc handler does it and in a Wasm one', { skip, ...T }, async () => {
  const p = await pod('exec-it');
  const ref = await runPod(cd, 'exec-it-runc', {}, 'runc');
  pods.push(ref);
  /**
   * `kubectl exec -it ID -- CMD` whose user types a line once `prompt` shows (and whose terminal is 101×33): what came back.
   * @param {string} id @param {string[]} cmd @param {string} prompt
   */
  const execIt = async (id, cmd, prompt) => {
    const { url } = await cd.cri.Exec({ container_id: id, cmd, tty: true, stdin: true, stdout: true, stderr: false });
    const s = await openExec(url);
    s.send(RESIZE, JSON.stringify({ Width: 101, Height: 33 }));
    await s.shown(STDOUT, prompt);
    s.send(STDIN, 'typed\n');
    return s.done;
  };
  // The size arrives by ResizePty, the line through the stdin FIFO: the script waits for the size, not for time.
  const script = 'echo ready; read l; i=0; until [ "$(stty size 2>/dev/null)" = "33 101" ] || [ $i -ge 200 ]; do i=$((i+1)); sleep 0.05; done; echo "got $l, $(tty), $(stty size)"; exit 3';
  /** @type {Record<string, { output: Record<number, string>, status: unknown }>} */
  const seen = {};
  for (const [q, name] of /** @type {const} */ ([[p, 'tswasi'], [ref, 'runc']])) {
    const id = await startContainer(cd, q, { name: 'sleeper', image: IMAGES.busybox, args: ['-c', `exec ${BB} sleep 3600`] });
    seen[name] = await execIt(id, [BB, 'sh', '-c', script], 'ready');
  }
  assert.equal(seen['tswasi']?.output[STDOUT], 'ready\r\ntyped\r\ngot typed, /dev/pts/0, 33 101\r\n');
  assert.deepEqual(seen['tswasi'], seen['runc']);
  // kubelet's word for an exit status of 3, as kubectl shows it ("command terminated with exit code 3").
  assert.deepEqual(seen['tswasi']?.status, {
    metadata: {}, status: 'Failure', message: 'command terminated with non-zero exit code: error executing command [/bin/busybox sh -c ' + script + '], exit code 3',
    reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] },
  });
  // A Wasm module exec'd with a terminal: its stdio are the terminal's, and it reads the typed line.
  const wasm = await startContainer(cd, p, { name: 'wasm', image: IMAGES.wasm, args: ['sleep'] });
  const w = await execIt(wasm, ['/tool.wasm', 'tty', 'read'], 'isatty');
  assert.equal(w.output[STDOUT], 'isatty: 1 1 1\r\ntyped\r\nread: typed\r\n');
  assert.equal(/** @type {{ details: { causes: Array<{ message: string }> } }} */ (w.status).details.causes[0]?.message, '3');
  await removePod(cd, p);
  await removePod(cd, ref);
});

/** @param {() => boolean} check */
async function waitFor(check) {
  const { waitFor: w } = await import('../helpers/wait.mjs');
  return w('the condition', check);
}

test('StopContainer stops a Wasm container and a native one with SIGTERM (143); ExecSync and ContainerStats in both', { skip, ...T }, async () => {
  const p = await pod('stop-and-exec');
  const wasm = await startContainer(cd, p, { name: 'wasm', image: IMAGES.wasm, args: ['ticker'], env: { GREETING: 'from the container' } });
  const native = await startContainer(cd, p, { name: 'native', image: IMAGES.busybox, args: ['-c', `trap 'echo terminated; exit 143' TERM; echo ready; ${BB} sleep 3600 & wait`] });
  await waitLog(p, 'wasm', 'tick 0');
  await waitLog(p, 'native', 'ready');
  const we = await cd.cri.ExecSync({ container_id: wasm, cmd: ['/tool.wasm', 'report', '5', 'GREETING'], timeout: 20 }, 40_000);
  assert.equal(we.exit_code, 5, `stderr: ${we.stderr}`);
  assert.equal(we.stdout.toString(), 'argv[0]=/tool.wasm\nargv[1]=report\nargv[2]=5\nargv[3]=GREETING\nGREETING=from the container\n');
  const ne = await cd.cri.ExecSync({ container_id: native, cmd: [BB, 'sh', '-c', 'echo exec out; echo exec err >&2; exit 6'], timeout: 20 }, 40_000);
  assert.equal(ne.exit_code, 6);
  assert.equal(ne.stdout.toString(), 'exec out\n');
  assert.equal(ne.stderr.toString(), 'exec err\n');
  // ContainerStats (kubectl top, the kubelet's eviction): the CRI plugin's reading of the shim's Stats.
  for (const [name, id] of [['wasm', wasm], ['native', native]]) {
    const { stats } = await cd.cri.ContainerStats({ container_id: id });
    assert.ok((stats.cpu.usage_core_nano_seconds?.value ?? 0) > 0, `${name}: ${JSON.stringify(stats)}`);
    assert.ok((stats.memory.working_set_bytes?.value ?? 0) > 0, `${name}: ${JSON.stringify(stats)}`);
  }
  for (const [name, id] of [['wasm', wasm], ['native', native]]) {
    assert.equal((await status(cd, id)).state, 'CONTAINER_RUNNING', name);
    await cd.cri.StopContainer({ container_id: id, timeout: 30 }, 60_000);
    const s = await status(cd, id);
    assert.equal(s.state, 'CONTAINER_EXITED', name);
    assert.equal(s.exit_code, 143, `${name}: exit code after StopContainer (${s.reason})`);
  }
  await waitLog(p, 'native', 'terminated');
  await removePod(cd, p);
});

test('io.tswasi.tcplisten: a Wasm service in a pod serves HTTP to its native sidecar and to the host; a bad annotation fails in our words', { skip, ...T }, async () => {
  const port = await freePort();
  const p = await pod('service');
  // A container annotation (the handler's container_annotations): http_serve answers two requests, then ends.
  const server = await startContainer(cd, p, {
    name: 'server', image: IMAGES.wasm, command: ['/http_serve.wasm'], args: ['2', 'hi from the shim'], annotations: { 'io.tswasi.tcplisten': `127.0.0.1:${port}` },
  });
  // The host first (httpGet waits until something listens), then the sidecar, which then finds the listener open.
  assert.equal(await httpGet(port, '/from-host'), '200 hi from the shim: GET /from-host HTTP/1.1\n');
  const sidecar = await startContainer(cd, p, { name: 'client', image: IMAGES.busybox, args: ['-c', `${BB} wget -q -O - http://127.0.0.1:${port}/from-sidecar`] });
  const cs = await waitState(cd, sidecar, 'CONTAINER_EXITED');
  assert.equal(cs.exit_code, 0, `${cs.reason} ${cs.message} ${JSON.stringify(readLog(p, 'client'))}`);
  await waitLog(p, 'client', 'from-sidecar');
  assert.deepEqual(readLog(p, 'client'), { stdout: 'hi from the shim: GET /from-sidecar HTTP/1.1\n', stderr: '' });
  const ss = await waitState(cd, server, 'CONTAINER_EXITED');
  assert.equal(ss.exit_code, 0, `${ss.reason} ${ss.message}`);
  await waitLog(p, 'server', 'served 2');
  assert.equal(readLog(p, 'server').stdout, 'served 1: GET /from-host HTTP/1.1\nserved 2: GET /from-sidecar HTTP/1.1\n');
  // The shim's Create runs at StartContainer: the annotation's error comes back through it.
  const bad = await createContainer(cd, p, { name: 'bad', image: IMAGES.wasm, command: ['/http_serve.wasm'], annotations: { 'io.tswasi.tcplisten': '127.0.0.1:80,' } });
  await assert.rejects(cd.cri.StartContainer({ container_id: bad }), /invalid annotation io\.tswasi\.tcplisten: "": empty item/);
  await removePod(cd, p);
});

test('clean removal: no sandbox, container, shim, conmon, runc state, bundle copy, mount or socket is left', { skip, ...T }, async () => {
  const { items } = await cd.cri.ListPodSandbox({});
  assert.deepEqual(items.map((s) => s.id), []);
  await waitFor(() => { const s = shimProcesses(cd); return s.shims.length + s.conmons.length === 0; });
  assert.deepEqual(leftovers(cd), { runc: [], copies: [], sockets: [], tasks: [], mounts: [] });
});
