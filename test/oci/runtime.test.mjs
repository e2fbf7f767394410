// @ts-check
// tswasi-oci called directly, as conmon and containerd's shim call it:
// the lifecycle, state JSON, and one clear line for every kind of bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { compileC, tempDir, ROOT } from '../helpers/wasm.mjs';
import { OCI_WASM_BIN, bundle, hostInit, run } from '../helpers/oci.mjs';
import { OCI_BIN } from '../helpers/paths.mjs';
import { sleep } from '../helpers/wait.mjs';
import { runOci } from '../helpers/spawn.mjs';

const oci = runOci;
/**
 * `tswasi-oci-wasm --root <root> ...args`.
 * @param {string} root
 * @param {string[]} args
 * @param {import('../helpers/spawn.mjs').RunOptions} [opts]
 */
const ociWasm = (root, args, opts) => run(process.execPath, [OCI_WASM_BIN, '--root', root, ...args], opts);
const rootDir = () => path.join(tempDir('tswasi-oci-root-'), 'state');

/** Ours, or runc's own error line (which engines parse), for the commands that go straight to runc. */
const ERROR_LINE = /^(tswasi-oci: |time="[^"]+" level=error msg=)/;

/**
 * @param {import('../helpers/spawn.mjs').RunResult} r
 * @param {RegExp} [re]
 */
function assertOneLine(r, re) {
  assert.notEqual(r.code, 0);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], ERROR_LINE);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  if (re) assert.match(lines[0], re);
}

/**
 * @param {import('node:test').TestContext} t
 * @param {Partial<import('../helpers/oci.mjs').BundleOptions>} [opts]
 */
function toolBundle(t, opts = {}) {
  const wasm = compileC('oci_tool');
  if (!wasm) { t.skip('no wasm32-wasi toolchain'); return null; }
  const { args = [], ...rest } = opts;
  return bundle(tempDir('tswasi-bundle-'), { ...rest, args: ['/tool.wasm', ...args], files: [[wasm, 'tool.wasm']] });
}

test('--version ends with the spec version; features is the OCI features JSON', async () => {
  const root = rootDir();
  let r = await oci(root, ['--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^tswasi-oci version \d+\.\d+\.\d+\nspec: \d+\.\d+\.\d+\n$/);
  r = await oci(root, ['features']);
  const f = JSON.parse(r.stdout);
  assert.equal(f.ociVersionMin, '1.0.0');
  assert.ok(f.annotations['module.wasm.image/variant']);
  assert.match(f.annotations['io.tswasi.tcplisten'], /^HOST:PORT/);
});

test('create → state created → start → stopped with its exit code → delete', async (t) => {
  const b = toolBundle(t, { args: ['exit', '0'] });
  if (!b) return;
  const root = rootDir();
  const pidFile = path.join(b, 'pid');
  let r = await oci(root, ['create', '--bundle', b, '--pid-file', pidFile, 'c1']);
  assert.equal(r.code, 0, r.stderr);
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  r = await oci(root, ['state', 'c1']);
  const st = JSON.parse(r.stdout);
  // runc's state, showing the engine's bundle and annotations (not the rewritten copy's).
  assert.deepEqual({ id: st.id, status: st.status, pid: st.pid, bundle: st.bundle, rootfs: st.rootfs, annotations: st.annotations },
    { id: 'c1', status: 'created', pid, bundle: b, rootfs: path.join(b, 'rootfs'), annotations: { 'module.wasm.image/variant': 'compat' } });
  assert.match(st.ociVersion, /^1\./);
  r = await oci(root, ['create', '--bundle', b, 'c1']);
  assertOneLine(r, /already exists/);
  r = await oci(root, ['start', 'c1']);
  assert.equal(r.code, 0, r.stderr);
  for (let i = 0; i < 100 && JSON.parse((await oci(root, ['state', 'c1'])).stdout).status !== 'stopped'; i++) await sleep(20);
  assert.equal(JSON.parse((await oci(root, ['state', 'c1'])).stdout).status, 'stopped');
  r = await oci(root, ['list', '--format', 'json']);
  assert.deepEqual(JSON.parse(r.stdout).map((/** @type {{ id: string, status: string }} */ c) => [c.id, c.status]), [['c1', 'stopped']]);
  r = await oci(root, ['delete', 'c1']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(root).filter((f) => !f.startsWith('.')), []);
});

test('run in the foreground returns the guest\'s exit status exactly', async (t) => {
  for (const code of [0, 1, 42, 255]) {
    const b = toolBundle(t, { args: ['exit', String(code)] });
    if (!b) return;
    const r = await oci(rootDir(), ['run', '--bundle', b, `r${code}`]);
    assert.equal(r.code, code, r.stderr);
  }
});

test('the longest id runc takes (255 characters) runs a Wasm container; one more is refused in runc\'s words', async (t) => {
  const b = toolBundle(t, { args: ['exit', '7'] });
  if (!b) return;
  const root = rootDir();
  const id = `${'long-id.'.repeat(31)}end0000`;
  assert.equal(id.length, 255);
  let r = await oci(root, ['run', '--bundle', b, id]);
  assert.equal(r.code, 7, r.stderr);
  r = await oci(root, ['run', '--bundle', b, `${id}x`]);
  assertOneLine(r, /invalid container ID format/);
});

test('kill: a spinning guest dies on SIGTERM (143) and SIGKILL; names and numbers; delete needs --force while it runs', async (t) => {
  const b = toolBundle(t, { args: ['spin'] });
  if (!b) return;
  const root = rootDir();
  assert.equal((await oci(root, ['create', '--bundle', b, 'spin1'])).code, 0);
  assert.equal((await oci(root, ['start', 'spin1'])).code, 0);
  assert.equal(JSON.parse((await oci(root, ['state', 'spin1'])).stdout).status, 'running');
  let r = await oci(root, ['delete', 'spin1']);
  assertOneLine(r, /not stopped: running/);
  r = await oci(root, ['kill', 'spin1', 'SIGBOGUS']);
  assertOneLine(r, /unknown signal/i);
  r = await oci(root, ['pause', 'spin1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse((await oci(root, ['state', 'spin1'])).stdout).status, 'paused');
  assert.equal((await oci(root, ['resume', 'spin1'])).code, 0);
  assert.equal(JSON.parse((await oci(root, ['state', 'spin1'])).stdout).status, 'running');
  r = await oci(root, ['kill', 'spin1', 'TERM']);
  assert.equal(r.code, 0, r.stderr);
  for (let i = 0; i < 100 && JSON.parse((await oci(root, ['state', 'spin1'])).stdout).status !== 'stopped'; i++) await sleep(20);
  assert.equal(JSON.parse((await oci(root, ['state', 'spin1'])).stdout).status, 'stopped');
  r = await oci(root, ['kill', 'spin1', '9']);
  assertOneLine(r, /not running/);
  assert.equal((await oci(root, ['delete', 'spin1'])).code, 0);

  assert.equal((await oci(root, ['create', '--bundle', b, 'spin2'])).code, 0);
  assert.equal((await oci(root, ['start', 'spin2'])).code, 0);
  r = await oci(root, ['delete', '--force', 'spin2']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(root).filter((f) => !f.startsWith('.')), []);
});

// The container's pid 1 (oci/runner.ts): the host's catatonit, the runner under it running its guest on its
// own thread where Node can turn its SIGUSR1 handler off; or, with TSWASI_RUNNER_INIT empty (a host without
// catatonit), the runner itself, its guest on a worker thread. Either way SIGTERM ends a spinning guest with
// 143 and nothing it wrote is lost.
for (const init of ['catatonit', 'none']) {
  test(`pid 1 ${init === 'none' ? 'the runner itself (TSWASI_RUNNER_INIT empty)' : 'the host\'s catatonit'}: a guest that prints and then spins ends on SIGTERM with 143, its line written`, async (t) => {
    const wasm = compileC('print_spin');
    if (!wasm) return t.skip('no wasm32-wasi toolchain');
    const catatonit = await hostInit();
    if (init === 'catatonit' && catatonit === null) {
      if (process.env.CI === 'true') assert.fail('catatonit is not installed (scripts/install-deps.sh installs it)');
      return t.skip('catatonit is not installed');
    }
    const env = init === 'none' ? { ...process.env, TSWASI_RUNNER_INIT: '' } : process.env;
    const root = rootDir();
    const b = bundle(tempDir('tswasi-bundle-'), { args: ['/print_spin.wasm', '1', 'stdout', 'ready'], files: [[wasm, 'print_spin.wasm']] });
    const child = spawn(process.execPath, [OCI_BIN, '--root', root, 'run', '--bundle', b, 'pid1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    try {
      // "ready" on stderr comes after the line on stdout: the guest wrote it and now spins.
      await new Promise((resolve) => {
        child.stderr.on('data', (d) => { stderr += d; if (stderr.includes('ready')) resolve(undefined); });
        child.on('close', resolve);
      });
      const state = JSON.parse((await oci(root, ['state', 'pid1'])).stdout);
      assert.equal(state.status, 'running', stderr);
      // The program pid 1 runs, the same file as the host's (bound into the runner's root).
      const exe = fs.statSync(`/proc/${state.pid}/exe`);
      const expected = fs.statSync(init === 'none' ? process.execPath : /** @type {string} */ (catatonit));
      assert.deepEqual([exe.dev, exe.ino], [expected.dev, expected.ino]);
      const r = await oci(root, ['kill', 'pid1', 'TERM']);
      assert.equal(r.code, 0, r.stderr);
      // A pid 1 with no handler for SIGTERM would ignore it: bounded, so that shows as a failure.
      assert.equal(await Promise.race([exited, sleep(20_000).then(() => 'still running 20 s after SIGTERM')]), 143, stderr);
      assert.match(stdout, /^line 0 at \d+\n$/);
    } finally {
      await oci(root, ['delete', '--force', 'pid1']);
      child.kill('SIGKILL');
    }
  });
}

test('bad input: unknown ids, malformed or missing config.json, missing or non-Wasm entrypoint', async (t) => {
  const root = rootDir();
  for (const cmd of [['state', 'nope'], ['start', 'nope'], ['kill', 'nope'], ['delete', 'nope'], ['ps', 'nope'], ['pause', 'nope']]) {
    assertOneLine(await oci(root, cmd), /container does not exist/);
  }
  assert.equal((await oci(root, ['delete', '--force', 'nope'])).code, 0, 'runc: delete --force of an unknown id succeeds');
  assertOneLine(await oci(root, ['state', '../etc']), /invalid container ID format/);
  assertOneLine(await oci(root, ['frobnicate']), /Unknown argument|unknown/i);

  const dir = tempDir();
  assertOneLine(await oci(root, ['create', '--bundle', dir, 'x']), /config\.json: no such file/);
  fs.writeFileSync(path.join(dir, 'config.json'), '{"ociVersion": "1.0.2", "process": ');
  assertOneLine(await oci(root, ['create', '--bundle', dir, 'x']), /config\.json: invalid JSON/);
  fs.writeFileSync(path.join(dir, 'config.json'), '{"ociVersion": "1.0.2", "process": {"cwd": "/", "args": [1]}}');
  assertOneLine(await oci(root, ['create', '--bundle', dir, 'x']), /config\.json: process\.args\[0\]: expected string, got number$/);
  fs.writeFileSync(path.join(dir, 'config.json'), '{"ociVersion": "1.0.2", "process": {"cwd": "/", "args": ["/a.wasm"]}, "mounts": [{"destination": "/x", "options": "ro"}]}');
  assertOneLine(await oci(root, ['create', '--bundle', dir, 'x']), /config\.json: mounts\[0\]\.options: expected array of strings, got string$/);

  const missing = bundle(tempDir(), { args: ['/missing.wasm'] });
  assertOneLine(await oci(root, ['create', '--bundle', missing, 'x']), /entrypoint \/missing\.wasm not found/);
  const notWasm = bundle(tempDir(), { args: ['/script'] });
  fs.writeFileSync(path.join(notWasm, 'rootfs', 'script'), 'just text\n');
  assertOneLine(await oci(root, ['create', '--bundle', notWasm, 'x']), /not a WebAssembly module/);
  // The runner's init named in tswasi-oci's environment (oci/runner-root.ts).
  const wasm = toolBundle(t, { args: ['exit', '0'] });
  if (wasm) {
    assertOneLine(await oci(root, ['create', '--bundle', wasm, 'x'], { env: { ...process.env, TSWASI_RUNNER_INIT: 'catatonit' } }), /TSWASI_RUNNER_INIT must be an absolute path or empty, not "catatonit"$/);
    assertOneLine(await oci(root, ['create', '--bundle', wasm, 'x'], { env: { ...process.env, TSWASI_RUNNER_INIT: '/nonexistent/init' } }), /TSWASI_RUNNER_INIT \/nonexistent\/init is not an executable file$/);
  }
  assert.deepEqual(fs.readdirSync(root).filter((f) => !f.startsWith('.')), [], 'failed creates leave nothing behind');
});

test('--log --log-format json: the error is the last JSON line', async () => {
  const root = rootDir();
  const log = path.join(tempDir(), 'log.json');
  const r = await oci(root, ['--log', log, '--log-format', 'json', 'state', 'ghost']);
  assert.equal(r.code, 1);
  const last = JSON.parse(fs.readFileSync(log, 'utf8').trim().split('\n').pop() ?? '');
  assert.equal(last.level, 'error');
  assert.equal(last.msg, 'container does not exist', 'runc\'s words: containerd matches on them');
});

test('tswasi-oci-wasm runs an unannotated Wasm entrypoint; .wat entrypoints are compiled from text', async (t) => {
  const b = toolBundle(t, { args: ['exit', '5'], annotations: {} });
  if (!b) return;
  const r = await ociWasm(rootDir(), ['run', '--bundle', b, 'w1']);
  assert.equal(r.code, 5, r.stderr);
  const wat = bundle(tempDir(), { args: ['/hello.wat'], annotations: { 'module.wasm.image/variant': 'compat-smart' } });
  fs.writeFileSync(path.join(wat, 'rootfs', 'hello.wat'), `(module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "hello from wat\\n")
    (func (export "_start")
      (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 15))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (call $exit (i32.const 9))))`);
  const w = await oci(rootDir(), ['run', '--bundle', wat, 'wat1']);
  assert.equal(w.stdout, 'hello from wat\n', w.stderr);
  assert.equal(w.code, 9);
});

test('linux.resources.memory.limit caps the guest\'s linear memory below the limit, leaving the runner its share', async (t) => {
  const wasm = compileC('oci_grow');
  if (!wasm) return t.skip('no wasm32-wasi toolchain');
  // runc enforces the limit on the whole container (cgroup); the runner caps
  // the guest's linear memory 32 MiB below it, so a greedy guest sees malloc fail.
  const b = bundle(tempDir(), { args: ['/grow.wasm'], files: [[wasm, 'grow.wasm']], extra: { linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }], resources: { memory: { limit: 96 * 1024 * 1024 } } } } });
  const r = await oci(rootDir(), ['run', '--bundle', b, 'mem1']);
  assert.equal(r.code, 0, r.stderr);
  const mib = Number(/allocated (\d+) MiB/.exec(r.stdout)?.[1]);
  assert.ok(mib >= 48 && mib < 64, `allocated ${mib} MiB under a 96 MiB limit`);
});

test('a guest that fails at its memory limit is told so, as by the pool (the one runGuest)', async () => {
  // Grows one page at a time until memory.grow fails, then exits 1 as a failed malloc would.
  const b = bundle(tempDir(), {
    args: ['/grow.wat'], annotations: { 'module.wasm.image/variant': 'compat-smart' },
    extra: { linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }], resources: { memory: { limit: 96 * 1024 * 1024 } } } },
  });
  fs.writeFileSync(path.join(b, 'rootfs', 'grow.wat'), `(module
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (func (export "_start")
      (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
      (call $exit (i32.const 1))))`);
  const r = await oci(rootDir(), ['run', '--bundle', b, 'mem2']);
  assert.equal(r.code, 1, r.stderr);
  // 96 MiB less the runner's 32 MiB.
  assert.equal(r.stderr, `error: memory limit of ${64 * 1024 * 1024} bytes reached\n`);
});

test('mounts: bind directories and single files, tmpfs as memory, ro, and nothing outside', async (t) => {
  const vol = tempDir();
  fs.writeFileSync(path.join(vol, 'a.txt'), 'bound\n');
  const hosts = path.join(tempDir(), 'hosts');
  fs.writeFileSync(hosts, '127.0.0.1 localhost\n');
  const mounts = [
    { destination: '/data', type: 'bind', source: vol, options: ['rbind', 'rw'] },
    { destination: '/etc/hosts', type: 'bind', source: hosts, options: ['rbind', 'ro'] },
    { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['nosuid'] },
  ];
  const mk = (/** @type {string[]} */ args) => toolBundle(t, { args, mounts });
  const root = rootDir();
  /** @type {Array<[string[], number, string]>} */
  const cases = [
    [['cat', '/data/a.txt'], 0, 'bound\n'],
    [['cat', '/etc/hosts'], 0, '127.0.0.1 localhost\n'],
    [['write', '/scratch/x', 'y'], 0, ''],
    [['ls', '/scratch'], 0, ''],
    [['write', '/etc/hosts', 'evil'], 2, ''],
    [['cat', '/data/../../../../etc/passwd'], 2, ''],
    [['cat', '/proc/self/environ'], 2, ''],
  ];
  let n = 0;
  for (const [args, code, out] of cases) {
    const b = mk(args);
    if (!b) return;
    fs.mkdirSync(path.join(b, 'rootfs', 'etc'), { recursive: true });
    const r = await oci(root, ['run', '--bundle', b, `m${n++}`]);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    if (code === 0) assert.equal(r.stdout, out, args.join(' '));
  }
  assert.equal(fs.readFileSync(hosts, 'utf8'), '127.0.0.1 localhost\n');
});

test('io.tswasi.trace=fs traces a container\'s WASI calls into a file named in the log', async (t) => {
  const b = toolBundle(t, { args: ['write', '/out.txt', 'x'], annotations: { 'module.wasm.image/variant': 'compat', 'io.tswasi.trace': 'fs' } });
  if (!b) return;
  const root = rootDir();
  const log = path.join(tempDir(), 'log.txt');
  const r = await oci(root, ['--log', log, 'run', '--keep', '--bundle', b, 'traced']);
  assert.equal(r.code, 0, r.stderr);
  const file = /tracing the WASI calls of traced \(fs\) to (\S+\/trace\.log)/.exec(fs.readFileSync(log, 'utf8'))?.[1];
  assert.ok(file, fs.readFileSync(log, 'utf8'));
  const trace = fs.readFileSync(file, 'utf8');
  assert.match(trace, /^path_open\(fd=3<\/>, dirflags=SYMLINK_FOLLOW, path="out.txt", oflags=CREAT\|TRUNC/m);
  assert.doesNotMatch(trace, /^args_sizes_get/m, 'filtered to fs calls');
  assert.match(trace, /% time +total µs +calls/);
  assert.equal((await oci(root, ['delete', 'traced'])).code, 0);
});

test('exec --process: the process JSON is checked as config.json\'s process is, one line each', async (t) => {
  const b = toolBundle(t, { args: ['sleep'] });
  if (!b) return;
  const root = rootDir();
  assert.equal((await oci(root, ['create', '--bundle', b, 'ex1'])).code, 0);
  t.after(() => oci(root, ['delete', '--force', 'ex1']));
  assert.equal((await oci(root, ['start', 'ex1'])).code, 0);
  const dir = tempDir();
  /** @type {Array<[string, RegExp]>} */
  const cases = [
    ['{"cwd": "/", "args": ', /invalid JSON/],
    ['[1, 2]', /: process: expected object, got array$/],
    ['{"args": ["/tool.wasm"]}', /: process\.cwd: missing$/],
    ['{"cwd": "/", "args": "/tool.wasm"}', /: process\.args: expected array of strings, got string$/],
    ['{"cwd": "/", "args": ["/tool.wasm", 7]}', /: process\.args\[1\]: expected string, got number$/],
    ['{"cwd": "/", "args": []}', /: process\.args: expected non-empty array of strings, got an empty array$/],
    ['{"cwd": "/", "args": ["/tool.wasm"], "env": {"A": "1"}}', /: process\.env: expected array of strings, got object$/],
    ['{"cwd": "/", "args": ["/tool.wasm"], "terminal": "yes"}', /: process\.terminal: expected boolean, got string$/],
  ];
  for (const [i, [text, re]] of cases.entries()) {
    const f = path.join(dir, `p${i}.json`);
    fs.writeFileSync(f, text);
    assertOneLine(await oci(root, ['exec', '--process', f, 'ex1']), re);
  }
  assertOneLine(await oci(root, ['exec', '--process', path.join(dir, 'missing.json'), 'ex1']), /cannot read process .*missing\.json: ENOENT/);
  // A valid one runs.
  const ok = path.join(dir, 'ok.json');
  fs.writeFileSync(ok, JSON.stringify({ cwd: '/', args: ['/tool.wasm', 'exit', '7'], env: [] }));
  assert.equal((await oci(root, ['exec', '--process', ok, 'ex1'])).code, 7);
});
