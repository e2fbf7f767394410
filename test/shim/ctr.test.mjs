// @ts-check
// containerd-shim-tswasi-v1 under a private containerd, driven by `ctr`
// (containerd's own client): `ctr run --rm` of a native busybox and of a
// Wasm module (stdio through containerd's FIFOs, exit codes), the task
// events containerd receives, stdin and CloseIO, exec (with a terminal too),
// kill, pause and resume, one shim for a group of containers, and nothing left behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, toolchainProblem } from '../helpers/wasm.mjs';
import { waitFor } from '../helpers/wait.mjs';
import { IMAGES, importImages, startContainerd } from '../cri/containerd.mjs';
import { ociLayout } from './oci-layout.mjs';
import { RUNTIME, ctrInTerminal, killLeftovers, leftovers, shimProblem, shimProcesses, watchEvents } from './shim.mjs';

const BB = '/bin/busybox';
const missing = shimProblem() ?? toolchainProblem();
const skip = missing !== null && process.env.CI !== 'true' ? `shim test skipped: ${missing}` : false;
const T = { timeout: 120_000 };

/** @type {import('../cri/containerd.mjs').Containerd} */
let cd;
/** @type {ReturnType<typeof watchEvents>} */
let ev;

before(async () => {
  if (skip) return;
  if (missing) throw new Error(`CI needs containerd, conmon, buildah, runc, busybox-static and the wasm32-wasi toolchain: ${missing}`);
  const wasm = compileC('oci_tool');
  assert.ok(wasm, 'oci_tool was not built');
  cd = await startContainerd();
  await importImages(cd, wasm);
  ev = watchEvents(cd);
}, { timeout: 180_000 });

after(async () => {
  ev?.stop();
  if (!cd) return;
  const killed = killLeftovers(cd);
  if (killed.length > 0) process.stderr.write(`shim test: left by failed tests, killed: ${killed.join(', ')}\n`);
  if (process.env.TSWASI_TRACE_RUNS) process.stderr.write(`containerd log:\n${cd.log()}\n`);
  await cd.stop();
});

let n = 0;
const newId = (/** @type {string} */ base) => `${base}-${process.pid}-${++n}`;

/**
 * @param {string} image
 * @param {string[]} args
 * @param {string[]} [flags]
 */
function ctrRun(image, args, flags = []) {
  const id = newId('run');
  return { id, done: cd.ctrNs(['run', '--rm', '--runtime', RUNTIME, ...flags, image, id, ...args], { timeout: 60_000 }) };
}

test('ctr run --rm of busybox: stdout, stderr and the exit code through the shim', { skip, ...T }, async () => {
  const { done } = ctrRun(IMAGES.busybox, [BB, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  const r = await done;
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
});

test('ctr run --rm of a Wasm module: its args, stdout and exit code', { skip, ...T }, async () => {
  const { done } = ctrRun(IMAGES.wasm, ['/tool.wasm', 'report', '7', 'GREETING'], ['--env', 'GREETING=hi there']);
  const r = await done;
  assert.equal(r.code, 7, r.stderr);
  assert.equal(r.stdout, 'argv[0]=/tool.wasm\nargv[1]=report\nargv[2]=7\nargv[3]=GREETING\nGREETING=hi there\n');
});

test('a wasip1/wasm image (an OCI layout written here): imported and run for that platform', { skip, ...T }, async () => {
  const wasm = compileC('oci_tool');
  assert.ok(wasm);
  const archive = path.join(cd.dir, 'wasip1.tar');
  const name = 'localhost/tswasi-shim/wasip1:1';
  fs.writeFileSync(archive, ociLayout({ name, files: [['tool.wasm', fs.readFileSync(wasm)]], os: 'wasip1', architecture: 'wasm', entrypoint: ['/tool.wasm', 'args', 'from-config'] }));
  const imp = await cd.ctrNs(['images', 'import', '--platform', 'wasip1/wasm', '--snapshotter', 'overlayfs', archive]);
  assert.equal(imp.code, 0, imp.stderr);
  const r = await cd.ctrNs(['run', '--rm', '--platform', 'wasip1/wasm', '--runtime', RUNTIME, name, newId('wasip1')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'argv[0]=/tool.wasm\nargv[1]=args\nargv[2]=from-config\n');
});

test('the task events of a container reach containerd, in order', { skip, ...T }, async () => {
  const { id, done } = ctrRun(IMAGES.busybox, [BB, 'true']);
  assert.equal((await done).code, 0);
  const topics = await waitFor('the delete event', () => { const t = ev.topics(id); return t.includes('/tasks/delete') && t; });
  assert.deepEqual(topics.filter((t) => t !== '/tasks/exec-added'), ['/tasks/create', '/tasks/start', '/tasks/exit', '/tasks/delete'], ev.lines());
});

test('stdin: ctr run copies its stdin in', { skip, ...T }, async () => {
  // `read`, not `cat`: ctr never closes a container's stdin (nor does the runc shim for it), so nothing may wait for its end.
  const r = await cd.ctrNs(['run', '--rm', '--runtime', RUNTIME, IMAGES.busybox, newId('stdin'), BB, 'sh', '-c', 'read l; echo "got $l"'], { input: 'a line\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'got a line\n');
});

test('--log-uri file://: stdout and stderr go to the file', { skip, ...T }, async () => {
  const file = path.join(cd.dir, `log-${process.pid}.txt`);
  const { done } = ctrRun(IMAGES.busybox, [BB, 'sh', '-c', 'echo to-log; echo err-to-log >&2'], ['--log-uri', `file://${file}`]);
  const r = await done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.readFileSync(file, 'utf8'), 'to-log\nerr-to-log\n');
});

test('a task: exec (native and Wasm), kill, pause and resume, wait', { skip, ...T }, async () => {
  const id = newId('task');
  const r = await cd.ctrNs(['run', '-d', '--runtime', RUNTIME, IMAGES.busybox, id, BB, 'sleep', '3600']);
  assert.equal(r.code, 0, r.stderr);
  const ex = await cd.ctrNs(['task', 'exec', '--exec-id', 'e1', id, BB, 'sh', '-c', 'echo in exec; exit 4']);
  assert.equal(ex.code, 4, ex.stderr);
  assert.equal(ex.stdout, 'in exec\n');
  assert.equal((await cd.ctrNs(['task', 'pause', id])).code, 0);
  assert.match((await cd.ctrNs(['task', 'ls'])).stdout, new RegExp(`${id}\\s+\\d+\\s+PAUSED`));
  assert.equal((await cd.ctrNs(['task', 'resume', id])).code, 0);
  assert.match((await cd.ctrNs(['task', 'ls'])).stdout, new RegExp(`${id}\\s+\\d+\\s+RUNNING`));
  const ps = await cd.ctrNs(['task', 'ps', id]);
  assert.equal(ps.code, 0, ps.stderr);
  assert.match(ps.stdout, /\d+/);
  // SIGKILL: a pid 1 without a handler ignores SIGTERM.
  assert.equal((await cd.ctrNs(['task', 'kill', '-s', 'SIGKILL', id])).code, 0);
  await waitFor('the task to stop', async () => new RegExp(`${id}\\s+\\d+\\s+STOPPED`).test((await cd.ctrNs(['task', 'ls'])).stdout));
  const rm = await cd.ctrNs(['task', 'delete', id]);
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal((await cd.ctrNs(['container', 'delete', id])).code, 0);
  const topics = ev.topics(id);
  for (const t of ['/tasks/exec-added', '/tasks/exec-started', '/tasks/paused', '/tasks/resumed', '/tasks/exit']) assert.ok(topics.includes(t), `${t} in ${topics}`);

  const wid = newId('wasmtask');
  assert.equal((await cd.ctrNs(['run', '-d', '--runtime', RUNTIME, IMAGES.wasm, wid, '/tool.wasm', 'sleep'])).code, 0);
  const wex = await cd.ctrNs(['task', 'exec', '--exec-id', 'w1', wid, '/tool.wasm', 'exit', '9']);
  assert.equal(wex.code, 9, wex.stderr);
  assert.equal((await cd.ctrNs(['task', 'kill', '-s', 'SIGKILL', wid])).code, 0);
  await waitFor('the Wasm task to stop', async () => new RegExp(`${wid}\\s+\\d+\\s+STOPPED`).test((await cd.ctrNs(['task', 'ls'])).stdout));
  const wrm = await cd.ctrNs(['task', 'delete', wid]);
  assert.equal(wrm.code, 0, wrm.stderr);
  assert.match(wrm.stdout, /exit status 137|^$/);
  assert.equal((await cd.ctrNs(['container', 'delete', wid])).code, 0);
});

test('run -t and exec -t: a terminal for a container\'s process and for an exec, native and Wasm (its pty, its size through ResizePty, input, the exit code), as the runc shim gives it', { skip, ...T }, async () => {
  // ctr sends the size of its terminal (ResizePty) once the process has started: wait for it, for at most 5 s.
  const script = 'tty; i=0; until [ "$(stty size 2>/dev/null)" = "33 101" ] || [ $i -ge 100 ]; do i=$((i+1)); sleep 0.05; done; stty size; read l; echo "got $l"; exit 5';
  /** @type {string[]} */
  const ids = [];
  /** What the terminal showed: the lines the process wrote, in order (the terminals' echo of the typed line comes when it comes). */
  const shown = (/** @type {string} */ out, /** @type {string} */ typed) => out.split(/\r*\n/).filter((l) => l !== '' && l !== typed);
  try {
    for (const runtime of [RUNTIME, 'io.containerd.runc.v2']) {
      const run = await ctrInTerminal(cd, ['run', '-t', '--rm', '--runtime', runtime, IMAGES.busybox, newId('runt'), BB, 'sh', '-c', script], 'typed in\n');
      assert.equal(run.code, 5, `${runtime}: ${run.stdout}${run.stderr}`);
      // The container's own pty, in its devpts (runc binds it at /dev/console too).
      assert.deepEqual(shown(run.stdout, 'typed in'), ['/dev/pts/0', '33 101', 'got typed in'], runtime);

      const id = newId('tty');
      ids.push(id);
      assert.equal((await cd.ctrNs(['run', '-d', '--runtime', runtime, IMAGES.busybox, id, BB, 'sleep', '3600'])).code, 0);
      const ex = await ctrInTerminal(cd, ['task', 'exec', '-t', '--exec-id', 't1', id, BB, 'sh', '-c', script], 'typed in\n');
      assert.equal(ex.code, 5, `${runtime}: ${ex.stdout}${ex.stderr}`);
      // The exec's own pty, in the container's devpts.
      assert.deepEqual(shown(ex.stdout, 'typed in'), ['/dev/pts/0', '33 101', 'got typed in'], runtime);
    }
    assert.ok(ev.topics(ids[0] ?? '').includes('/tasks/exec-started'));

    // A Wasm guest's stdin, stdout and stderr are the terminal (fd_fdstat_get: a character device).
    const w = await ctrInTerminal(cd, ['run', '-t', '--rm', '--runtime', RUNTIME, IMAGES.wasm, newId('wrunt'), '/tool.wasm', 'tty', 'read'], 'to wasm\n');
    assert.equal(w.code, 3, w.stdout + w.stderr);
    assert.deepEqual(shown(w.stdout, 'to wasm'), ['isatty: 1 1 1', 'read: to wasm']);
    const wid = newId('wtty');
    ids.push(wid);
    assert.equal((await cd.ctrNs(['run', '-d', '--runtime', RUNTIME, IMAGES.wasm, wid, '/tool.wasm', 'sleep'])).code, 0);
    const wx = await ctrInTerminal(cd, ['task', 'exec', '-t', '--exec-id', 'w1', wid, '/tool.wasm', 'tty', 'read'], 'to wasm\n');
    assert.equal(wx.code, 3, wx.stdout + wx.stderr);
    assert.deepEqual(shown(wx.stdout, 'to wasm'), ['isatty: 1 1 1', 'read: to wasm']);
  } finally {
    // Killed and removed whatever happened above: a runc shim's container is not killLeftovers' to find.
    for (const x of ids) {
      await cd.ctrNs(['task', 'kill', '-s', 'SIGKILL', x]);
      await waitFor(`${x} to stop`, async () => !new RegExp(`${x}\\s+\\d+\\s+(RUNNING|CREATED)`).test((await cd.ctrNs(['task', 'ls'])).stdout));
      await cd.ctrNs(['task', 'delete', x]);
      await cd.ctrNs(['container', 'delete', x]);
    }
  }
});

test('Stats: ctr task metrics of a native and a Wasm container, the metrics the runc shim gives, from the container\'s cgroups', { skip, ...T }, async () => {
  const LIMIT = 64 << 20;
  const cases = [
    { runtime: RUNTIME, image: IMAGES.busybox, args: [BB, 'sleep', '3600'] },
    { runtime: 'io.containerd.runc.v2', image: IMAGES.busybox, args: [BB, 'sleep', '3600'] },
    { runtime: RUNTIME, image: IMAGES.wasm, args: ['/tool.wasm', 'sleep'] },
  ];
  /** @type {string[]} */
  const ids = [];
  try {
    /** @type {Array<Map<string, string>>} */
    const tables = [];
    for (const c of cases) {
      const id = newId('stats');
      ids.push(id);
      const r = await cd.ctrNs(['run', '-d', '--runtime', c.runtime, '--memory-limit', String(LIMIT), c.image, id, ...c.args]);
      assert.equal(r.code, 0, r.stderr);
      const m = await cd.ctrNs(['task', 'metrics', id]);
      assert.equal(m.code, 0, `${c.runtime}: ${m.stderr}`);
      // "METRIC  VALUE" rows after the ID/TIMESTAMP header.
      const rows = new Map(m.stdout.split('\n').map((l) => l.trim().split(/\s{2,}/)).filter((f) => f.length === 2 && /^[a-z]+\.[a-z_.]+$/.test(f[0] ?? '')).map((f) => [f[0] ?? '', f[1] ?? '']));
      tables.push(rows);
      assert.equal(rows.get('memory.limit_in_bytes'), String(LIMIT), `${c.runtime} ${c.image}: ${m.stdout}`);
      assert.ok(Number(rows.get('memory.usage_in_bytes')) > 0, m.stdout);
      assert.ok(Number(rows.get('cpuacct.usage')) > 0, m.stdout);
      assert.ok(Number(rows.get('pids.current')) >= 1, m.stdout);
      // What the container's own cgroups hold (the settled values: a Node runner's thread count moves).
      // runc's root as each shim names it, under containerd's private /run (test/cri/containerd.mjs).
      const root = path.join(cd.dir, 'run', 'containerd', c.runtime === RUNTIME ? 'tswasi' : 'runc', 'k8s.io');
      const st = JSON.parse(fs.readFileSync(path.join(root, id, 'state.json'), 'utf8'));
      const cg = (/** @type {string} */ sub, /** @type {string} */ file) => fs.readFileSync(path.join(st.cgroup_paths[sub], file), 'utf8').trim();
      assert.equal(rows.get('memory.limit_in_bytes'), cg('memory', 'memory.limit_in_bytes'));
      assert.equal(rows.get('pids.limit'), cg('pids', 'pids.max') === 'max' ? '0' : cg('pids', 'pids.max'));
    }
    assert.deepEqual([...tables[0].keys()], [...tables[1].keys()], 'the same metrics as the runc shim');
    assert.deepEqual([...tables[2].keys()], [...tables[1].keys()]);
  } finally {
    for (const id of ids) {
      await cd.ctrNs(['task', 'kill', '-s', 'SIGKILL', id]);
      await waitFor(`${id} to stop`, async () => !new RegExp(`${id}\\s+\\d+\\s+RUNNING`).test((await cd.ctrNs(['task', 'ls'])).stdout));
      await cd.ctrNs(['task', 'delete', id]);
      await cd.ctrNs(['container', 'delete', id]);
    }
  }
});

test('one shim for a group of containers (the pod rule), gone with the last of them', { skip, ...T }, async () => {
  const group = ['--annotation', `io.containerd.tswasi.v1.group=g${process.pid}`];
  const ids = [newId('g'), newId('g')];
  const before = shimProcesses(cd).shims.length;
  assert.equal((await cd.ctrNs(['run', '-d', '--runtime', RUNTIME, ...group, IMAGES.busybox, ids[0], BB, 'sleep', '3600'])).code, 0);
  assert.equal((await cd.ctrNs(['run', '-d', '--runtime', RUNTIME, ...group, IMAGES.wasm, ids[1], '/tool.wasm', 'sleep'])).code, 0);
  assert.equal(shimProcesses(cd).shims.length, before + 1, 'two containers, one shim');
  for (const id of ids) {
    assert.equal((await cd.ctrNs(['task', 'kill', '-s', 'SIGKILL', id])).code, 0);
    await waitFor(`${id} to stop`, async () => new RegExp(`${id}\\s+\\d+\\s+STOPPED`).test((await cd.ctrNs(['task', 'ls'])).stdout));
    assert.equal((await cd.ctrNs(['task', 'delete', id])).code, 0);
    assert.equal((await cd.ctrNs(['container', 'delete', id])).code, 0);
  }
  await waitFor('the shim to end', () => shimProcesses(cd).shims.length === before);
});

test('a new pod is served by the spare shim started ahead of it, and another spare takes its place', { skip, ...T }, async () => {
  // The earlier runs each started a spare when they had none: one waits.
  const { spares } = await waitFor('one spare waiting', () => { const p = shimProcesses(cd); return p.spares.length === 1 && p; });
  const spare = spares[0];
  // Two containers of one pod (CRI's annotation, which the wrapper's sh reads).
  const pod = ['--annotation', `io.kubernetes.cri.sandbox-id=${process.pid.toString(16)}aa`];
  const [id, id2] = [newId('spare'), newId('spare')];
  assert.equal((await cd.ctrNs(['run', '-d', '--runtime', RUNTIME, ...pod, IMAGES.wasm, id, '/tool.wasm', 'sleep'])).code, 0);
  const bundle = path.join(cd.dir, 'state', 'io.containerd.runtime.v2.task', 'k8s.io', id);
  assert.equal(Number(fs.readFileSync(path.join(bundle, 'shim.pid'), 'utf8')), spare, 'the pod\'s shim is the spare');
  assert.ok(shimProcesses(cd).shims.includes(spare));
  // Its socket, renamed to the pod's address, is listed by /proc/net/unix at the path it was bound at: bound/ records it.
  const address = fs.readFileSync(path.join(bundle, 'address'), 'utf8').replace('unix://', '');
  const boundAt = fs.readFileSync(path.join(cd.dir, 'run', 'tswasi', 'shim-spare', 'bound', path.basename(address)), 'utf8').trim();
  assert.match(boundAt, new RegExp(`/socket-${spare}$`));
  assert.ok(fs.readFileSync(`/proc/${cd.pid}/net/unix`, 'utf8').includes(` ${boundAt}\n`));
  assert.equal((await cd.ctrNs(['run', '-d', '--runtime', RUNTIME, ...pod, IMAGES.busybox, id2, BB, 'sleep', '3600'])).code, 0);
  assert.equal(fs.readFileSync(path.join(cd.dir, 'state', 'io.containerd.runtime.v2.task', 'k8s.io', id2, 'address'), 'utf8'), `unix://${address}`, 'the pod\'s second container: the same shim');
  assert.equal((await cd.ctrNs(['task', 'kill', '-s', 'SIGKILL', id2])).code, 0);
  await waitFor(`${id2} to stop`, async () => new RegExp(`${id2}\\s+\\d+\\s+STOPPED`).test((await cd.ctrNs(['task', 'ls'])).stdout));
  assert.equal((await cd.ctrNs(['task', 'delete', id2])).code, 0);
  assert.equal((await cd.ctrNs(['container', 'delete', id2])).code, 0);
  await waitFor('a new spare', () => { const p = shimProcesses(cd); return p.spares.length === 1 && p.spares[0] !== spare; });
  // It logs to the bundle's log, as a shim started for the pod does: containerd's log has its line.
  await waitFor('the claimed spare\'s log line', () => cd.log().includes('(started ahead, as a spare)'));
  const ex = await cd.ctrNs(['task', 'exec', '--exec-id', 'e1', id, '/tool.wasm', 'exit', '6']);
  assert.equal(ex.code, 6, ex.stderr);
  assert.equal((await cd.ctrNs(['task', 'kill', '-s', 'SIGKILL', id])).code, 0);
  await waitFor(`${id} to stop`, async () => new RegExp(`${id}\\s+\\d+\\s+STOPPED`).test((await cd.ctrNs(['task', 'ls'])).stdout));
  assert.equal((await cd.ctrNs(['task', 'delete', id])).code, 0);
  assert.equal((await cd.ctrNs(['container', 'delete', id])).code, 0);
  await waitFor('the claimed spare to end with its pod', () => !shimProcesses(cd).shims.includes(spare));
  assert.ok(!fs.existsSync(path.join(cd.dir, 'run', 'tswasi', 'shim-spare', 'bound', path.basename(address))), 'its bound/ record goes with it');
});

test('nothing is left: no shim, no conmon, no runc state, no bundle copy, no mount, no socket', { skip, ...T }, async () => {
  await waitFor('every shim and conmon to end', () => { const p = shimProcesses(cd); return p.shims.length + p.conmons.length === 0; });
  assert.deepEqual(leftovers(cd), { runc: [], copies: [], sockets: [], tasks: [], mounts: [] });
  // The one spare waiting for the next pod is all that stays (killLeftovers ends it with the test's containerd).
  assert.ok(shimProcesses(cd).spares.length <= 1);
});
