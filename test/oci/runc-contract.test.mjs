// @ts-check
// runc's contract, side by side: the same commands in the same situations on
// real runc (a native busybox container) and on tswasi-oci (a Wasm
// container); exit codes and error words must match, on stderr and in the
// --log JSON that containerd's shim reads. Engines match on these words:
// containerd's `checkKillError` tolerates only "container not running",
// "no such process", "os: process already finished" and "does not exist".
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, tempDir } from '../helpers/wasm.mjs';
import { OCI_BIN, bundle, run, runcBundle } from '../helpers/oci.mjs';
import { sleep } from '../helpers/wait.mjs';

const runcMissing = spawnSync('runc', ['--version']).status !== 0 ? 'runc not found'
  : process.getuid?.() !== 0 ? 'runc needs root' : null;
const skip = runcMissing !== null && process.env.CI !== 'true' ? runcMissing : false;

/**
 * A runtime under test: runs `args` with its own --root and a JSON --log.
 * @param {string} name
 * @param {string[]} argv0 the command (and the arguments before runc's)
 */
function runtime(name, argv0) {
  const base = tempDir(`tswasi-contract-${name}-`);
  const root = path.join(base, 'root');
  const log = path.join(base, 'log.json');
  return {
    name,
    root,
    /** @type {string[]} stderr of each step, as play() ran them */
    stderrs: [],
    /** @param {string[]} args */
    async cmd(args) {
      fs.rmSync(log, { force: true });
      const r = await run(argv0[0], [...argv0.slice(1), '--root', root, '--log', log, '--log-format', 'json', ...args], { timeout: 30_000 });
      /** @type {string | null} */
      let logMsg = null;
      try {
        const lines = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.level === 'error');
        logMsg = lines.at(-1)?.msg ?? null;
      } catch { /* no log written: no error */ }
      return { code: r.code, stdout: r.stdout, stderr: r.stderr, logMsg };
    },
  };
}

function wasmBundle() {
  const wasm = compileC('oci_tool');
  if (!wasm) throw new Error('no wasm32-wasi toolchain');
  return bundle(tempDir('tswasi-contract-wasm-'), { args: ['/tool.wasm', 'sleep'], files: [[wasm, 'tool.wasm']] });
}

/** @typedef {ReturnType<typeof runtime>} Runtime */
/**
 * @typedef {{ do: string[], wait?: string, what?: undefined, cmd?: undefined, label?: undefined, status?: undefined }
 *   | { what: string, cmd: string[], label?: string, status?: string, do?: undefined, wait?: undefined }} Step
 */

const ID = 'ctr1';
/** @type {Runtime[]} */
const created = [];

/**
 * @param {Runtime} rt
 * @param {string} id
 * @param {string} status
 */
async function waitStatus(rt, id, status) {
  for (let i = 0; i < 500; i++) {
    const r = await rt.cmd(['state', id]);
    if (r.code === 0 && JSON.parse(r.stdout).status === status) return;
    await sleep(20);
  }
  assert.fail(`${rt.name}: ${id} never reached ${status}`);
}

/**
 * The situations and the commands tried in each. Every step runs on both
 * runtimes in the same order; `do` steps set up the next situation.
 * @param {string} bundleDir
 * @returns {Step[]}
 */
function steps(bundleDir) {
  return [
    // unknown and invalid ids
    ...[['state', ID], ['start', ID], ['kill', ID, '9'], ['kill', '--all', ID, '9'], ['delete', ID],
      ['delete', '--force', ID], ['pause', ID], ['resume', ID], ['ps', ID]].map((c) => ({ what: 'unknown id', cmd: c })),
    ...[['state', '../x'], ['start', '../../../x'], ['kill', 'a/b', '9'], ['kill', '--all', '..', '9'], ['delete', '.'],
      ['delete', '--force', '../x'], ['state', 'a b'], ['state', 'é'], ['state', 'a:b'], ['state', '']].map((c) => ({ what: 'invalid id', cmd: c })),
    // ids runc accepts although they look odd: valid, so "does not exist"
    ...[['state', '_a'], ['state', 'a,b'], ['state', '+a'], ['state', 'a..b']].map((c) => ({ what: 'odd valid id', cmd: c })),
    // created, not started
    { do: ['create', '--bundle', bundleDir, ID] },
    { what: 'created', cmd: ['create', '--bundle', bundleDir, ID], label: 'create again' },
    { what: 'created', cmd: ['state', ID], status: 'created' },
    { what: 'created', cmd: ['kill', '--all', ID, '0'] },
    { what: 'created', cmd: ['kill', ID, '0'] },
    { what: 'created', cmd: ['delete', ID] },
    { what: 'deleted', cmd: ['state', ID] },
    // running
    { do: ['create', '--bundle', bundleDir, ID] },
    { do: ['start', ID] },
    { what: 'running', cmd: ['state', ID], status: 'running' },
    { what: 'running', cmd: ['start', ID] },
    { what: 'running', cmd: ['delete', ID] },
    { what: 'running', cmd: ['kill', ID, '0'] },
    { what: 'running', cmd: ['resume', ID] },
    // paused
    { do: ['pause', ID] },
    { what: 'paused', cmd: ['state', ID], status: 'paused' },
    { what: 'paused', cmd: ['start', ID] },
    { what: 'paused', cmd: ['pause', ID] },
    { what: 'paused', cmd: ['delete', ID] },
    { do: ['resume', ID] },
    // stopped: what containerd's shim does after a task exits
    { do: ['kill', ID, '9'], wait: 'stopped' },
    { what: 'stopped', cmd: ['state', ID], status: 'stopped' },
    { what: 'stopped', cmd: ['kill', '--all', ID, '9'] },
    { what: 'stopped', cmd: ['kill', '-a', ID, 'SIGKILL'] },
    { what: 'stopped', cmd: ['kill', ID, '9'] },
    { what: 'stopped', cmd: ['kill', ID] },
    { what: 'stopped', cmd: ['start', ID] },
    { what: 'stopped', cmd: ['pause', ID] },
    { what: 'stopped', cmd: ['resume', ID] },
    { what: 'stopped', cmd: ['delete', ID] },
    { what: 'deleted', cmd: ['state', ID] },
    { what: 'deleted', cmd: ['delete', '--force', ID] },
  ];
}

/**
 * @param {Runtime} rt
 * @param {string} bundleDir
 */
async function play(rt, bundleDir) {
  const out = [];
  rt.stderrs = [];
  created.push(rt);
  for (const s of steps(bundleDir)) {
    if (s.do) {
      const r = await rt.cmd(s.do);
      assert.equal(r.code, 0, `${rt.name} ${s.do.join(' ')}: ${r.stderr}`);
      if (s.wait) await waitStatus(rt, ID, s.wait);
      continue;
    }
    const r = await rt.cmd(s.cmd);
    const stderrLine = r.stderr.trim().split('\n').pop() ?? '';
    rt.stderrs.push(r.stderr);
    out.push({
      step: `${s.what}: ${s.label ?? s.cmd.join(' ')}`,
      code: r.code,
      // containerd reads the last error of the JSON log; runc prints the same words on stderr.
      // runc alone prefixes create's errors with its own name ("runc create failed: ").
      error: r.logMsg?.replace(/^runc create failed: /, '') ?? null,
      stderrHasError: r.logMsg === null ? null : stderrLine.endsWith(r.logMsg),
      status: s.status && r.code === 0 ? JSON.parse(r.stdout).status : undefined,
    });
  }
  return out;
}

after(async () => {
  for (const rt of created) await rt.cmd(['delete', '--force', ID]);
});

test('tswasi-oci answers as runc 1.1 does: exit codes and error words, stderr and --log json', { skip, timeout: 180_000 }, async () => {
  if (runcMissing) throw new Error(`CI needs runc: ${runcMissing}`);
  const runc = runtime('runc', ['runc']);
  const ours = runtime('tswasi-oci', [process.execPath, OCI_BIN]);
  const want = await play(runc, runcBundle());
  const got = await play(ours, wasmBundle());
  const table = want.map((w, i) => `${w.step.padEnd(40)} runc: ${w.code} ${JSON.stringify(w.error)}   tswasi-oci: ${got[i].code} ${JSON.stringify(got[i].error)}`);
  process.stdout.write(`# runc vs tswasi-oci\n${table.map((l) => `# ${l}`).join('\n')}\n`);
  for (const [i, w] of want.entries()) assert.deepEqual(got[i], w, `${w.step}\n${table.join('\n')}\ntswasi-oci stderr: ${ours.stderrs[i]}`);
  // The words containerd's shim needs after a task exits.
  const byStep = Object.fromEntries(got.map((g) => [g.step, g]));
  assert.equal(byStep[`stopped: kill --all ${ID} 9`].code, 0);
  assert.equal(byStep[`stopped: kill ${ID} 9`].error, 'container not running');
  assert.equal(byStep[`unknown id: kill ${ID} 9`].error, 'container does not exist');
});

test('an invalid id forms no path: start/pause/delete of ../../x (or .native) touch nothing outside --root', { timeout: 60_000 }, async () => {
  const base = tempDir('tswasi-contract-escape-');
  const root = path.join(base, 'a', 'b', 'root');
  fs.mkdirSync(root, { recursive: true });
  // Where `.${id}.lock` and `${id}` would land for these ids: root/.../../../x.lock is
  // base/a/b/x.lock. A lock file naming a dead pid is taken over (unlinked) by
  // a command that takes that lock: this one must survive.
  fs.writeFileSync(path.join(root, '..', 'x.lock'), '999999');
  fs.writeFileSync(path.join(base, 'x.lock'), 'victim');
  fs.mkdirSync(path.join(base, 'x'));
  fs.writeFileSync(path.join(base, 'x', 'record.json'), '{"id":"x"}');
  const before = spawnSync('find', [base, '-printf', '%p %s %T@\n'], { encoding: 'utf8' }).stdout;
  for (const cmd of [['start', '.../../../x'], ['start', '../../../x'], ['pause', '../../../x'], ['resume', '../../../x'],
    ['kill', '../../../x', '9'], ['delete', '--force', '../../../x'], ['delete', '../../../x'], ['state', '../../../x'],
    ['exec', '../../../x', '/tool.wasm'], ['ps', '../../../x'], ['update', '../../../x'],
    ['create', '--bundle', base, '../../../x'], ['run', '--bundle', base, '../../../x']]) {
    const r = await run(process.execPath, [OCI_BIN, '--root', root, ...cmd], { timeout: 30_000 });
    assert.equal(r.code, 1, `${cmd.join(' ')}: ${r.stderr}`);
    // Ours where tswasi-oci forms paths (create, run, exec, delete, state); runc's own for what goes straight to it.
    assert.match(r.stderr, /^(tswasi-oci: invalid container ID format|time="[^"]+" level=error msg="invalid container ID format")\n$/, cmd.join(' '));
  }
  // Our one bound beyond runc's rule: no leading '.' (ids name our files too).
  for (const id of ['.native', '.x.lock', '...', '.a']) {
    const r = await run(process.execPath, [OCI_BIN, '--root', root, 'delete', '--force', id], { timeout: 30_000 });
    assert.equal(r.stderr, 'tswasi-oci: invalid container ID format\n', id);
  }
  const afterTree = spawnSync('find', [base, '-printf', '%p %s %T@\n'], { encoding: 'utf8' }).stdout;
  assert.equal(afterTree, before, 'nothing outside --root was created, changed or removed');
});
