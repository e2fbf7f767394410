// @ts-check
// tswasi-oci under faults (issue 6), called directly as conmon and
// containerd's shim call it. Every bad input gives one clear line and a
// non-zero status; concurrent and killed commands never lose or tear state.
// runc keeps every container's state (--root here); tswasi-oci only a Wasm
// container's rewritten bundle copy, until delete.
//
//   ATTACK_CYCLES=n   create/start/delete cycles of the last test (default 100;
//                     the 500 take ~6 min here;
//                     10 at a time)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundle as writeBundle } from '../helpers/oci.mjs';
import { BUNDLE_COPIES } from '../helpers/run-dir.mjs';
import { OCI_BIN } from '../helpers/paths.mjs';
import { tempDir } from '../helpers/tmp.mjs';
import { sleep } from '../helpers/wait.mjs';
import { toolchainProblem } from '../helpers/wasm.mjs';
import { compileAttack, oci, summary } from './lib.mjs';

// 500 cycles take about 6 minutes here (10 at a time): the default is 100; ATTACK_CYCLES=500 for the full run.
const CYCLES = Number(process.env.ATTACK_CYCLES || 100);
const PARALLEL = 10;
const wasm = compileAttack('ocitool');
const skip = !wasm && `no toolchain: ${toolchainProblem()}`;
/** @type {{ cases: number, lost: number, notes: string[] }} */
const tally = { cases: 0, lost: 0, notes: [] };
/** @type {string[]} */
const roots = [];
after(() => {
  // Whatever a failed test left running is ours: end it by pid.
  for (const root of roots) for (const l of containerProcs(root)) { try { process.kill(Number(l.trim().split(' ')[0]), 'SIGKILL'); } catch {} }
  summary(`attack: OCI fault cases ${tally.cases}, state lost ${tally.lost}`);
  for (const n of tally.notes) summary(`  ${n}`);
});

const rootDir = () => { const r = path.join(tempDir('tswasi-attack-ociroot-'), 'state'); roots.push(r); return r; };
/**
 * `p`, or a failure naming what did not happen: a wait that can hang fails this test, never its neighbours.
 * @template T
 * @param {Promise<T>} p
 * @param {number} ms
 * @param {string} what
 * @returns {Promise<T>}
 */
function withTimeout(p, ms, what) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  return Promise.race([p, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}
// Every test has a time limit: a hung command fails its own test with a message.
const LIMIT = { timeout: 300_000 };
/**
 * @param {string[]} args
 * @param {Partial<import('../helpers/oci.mjs').BundleOptions>} [opts]
 */
function toolBundle(args, opts = {}) {
  assert.ok(wasm);
  return writeBundle(path.join(tempDir('tswasi-attack-b-'), 'b'), { args: ['/tool.wasm', ...args], files: [[wasm, 'tool.wasm']], ...opts });
}
/** One clear line: non-zero, exactly one stderr line, ours ("tswasi-oci: ...") or runc's own, no stack trace, no JSON parse error. */
/**
 * @param {import('../helpers/spawn.mjs').RunResult} r
 * @param {RegExp | null} re
 * @param {string} [label]
 * @param {{ jsonOk?: boolean }} [options]
 */
function oneLine(r, re, label, { jsonOk = false } = {}) {
  const lines = r.stderr.split('\n').filter(Boolean);
  const problems = [];
  if (r.code === 0) problems.push('exit status 0');
  if (r.timedOut) problems.push('timed out');
  if (lines.length !== 1) problems.push(`${lines.length} stderr lines`);
  if (!/^(tswasi-oci: |time="[^"]+" level=error msg=)/.test(lines[0] ?? '')) problems.push('neither "tswasi-oci: " nor runc\'s error line');
  if (/\n\s+at |node:internal/.test(r.stderr)) problems.push('stack trace');
  if (!jsonOk && /Unexpected token|JSON at position|Unexpected end of JSON|Unterminated string/.test(r.stderr)) problems.push('raw JSON parse error shown');
  if (re && !re.test(lines[0] ?? '')) problems.push(`does not say ${re}`);
  assert.deepEqual(problems, [], `${label ?? ''}\nexit ${r.code}\nstderr: ${r.stderr}`);
}
/**
 * The container's state JSON, or null.
 * @param {string} root
 * @param {string} id
 * @returns {Promise<{ status: string, pid?: number, [k: string]: unknown } | null>}
 */
const stateOf = async (root, id) => {
  const r = await oci(root, ['state', id]);
  return r.code === 0 ? JSON.parse(r.stdout) : null;
};
/**
 * @param {string} root
 * @param {string} id
 * @param {string} status
 */
async function waitStatus(root, id, status, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const s = await stateOf(root, id);
    if (s?.status === status) return s;
    if (Date.now() > end) return s;
    await sleep(20);
  }
}
/** "pid id" of every container of this root whose process is alive, as runc lists them. */
/** @param {string} root */
function containerProcs(root) {
  const r = spawnSync('runc', ['--root', root, 'list', '--format', 'json'], { encoding: 'utf8' });
  /** @type {Array<{ pid: number, id: string }>} runc list's JSON */
  const list = JSON.parse(r.stdout.trim() || 'null') ?? [];
  return list.filter((c) => c.pid > 0 && fs.existsSync(`/proc/${c.pid}`)).map((c) => `${c.pid} /${c.id}`);
}
/** tswasi-oci's bundle copies of containers with these ids (there until delete). */
const COPIES = BUNDLE_COPIES;
/**
 * The bundle copies of these ids under this --root (oci/bundle-copies.ts names
 * them "<id>.<root key>.<random>"): another run's, on this machine at the same
 * time or left by a killed one, are not this test's.
 * @param {string[]} ids
 * @param {string} root
 */
function copiesOf(ids, root) {
  const key = createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 8);
  try { return fs.readdirSync(COPIES).filter((f) => ids.some((id) => f.startsWith(`${id}.${key}.`))); } catch { return []; }
}
/** @param {string} root */
function stateEntries(root) {
  try { return fs.readdirSync(root); } catch { return []; }
}

test('config.json missing or malformed: one clear line, nothing left behind', { skip, ...LIMIT }, async () => {
  const root = rootDir();
  const cases = {
    missing: null, empty: '', brace: '{', array: '[]', nul: 'null', number: '42', 'process-not-object': '{"ociVersion":"1.0.2","process":5,"root":{"path":"rootfs"}}',
    'args-not-array': '{"ociVersion":"1.0.2","process":{"args":"x","cwd":"/"},"root":{"path":"rootfs"}}',
    'root-not-object': '{"ociVersion":"1.0.2","process":{"args":["/tool.wasm"],"cwd":"/"},"root":7}',
    'mounts-not-array': '{"ociVersion":"1.0.2","process":{"args":["/tool.wasm"],"cwd":"/"},"root":{"path":"rootfs"},"mounts":{},"annotations":{"module.wasm.image/variant":"compat"}}',
    garbage: Buffer.from([0xff, 0xfe, 0, 1, 2, 3, 0x7b]), 'deep-nesting': '['.repeat(100000) + ']'.repeat(100000),
    'no-process': '{"ociVersion":"1.0.2","root":{"path":"rootfs"},"annotations":{"module.wasm.image/variant":"compat"}}',
  };
  for (const [name, text] of Object.entries(cases)) {
    tally.cases++;
    const b = toolBundle(['exit', '0']);
    if (text === null) fs.rmSync(path.join(b, 'config.json'));
    else fs.writeFileSync(path.join(b, 'config.json'), text);
    for (const cmd of ['create', 'run']) {
      const r = await oci(root, [cmd, '--bundle', b, `bad-${name}`]);
      // A config error must name the file; saying "invalid JSON" there is clear.
      oneLine(r, text === null ? /config\.json/ : /config\.json|process|root|args|mounts|ociVersion/i, `${cmd} with config ${name}`, { jsonOk: true });
    }
  }
  assert.deepEqual(stateEntries(root).filter((e) => !e.startsWith('.')), []);
  assert.deepEqual(containerProcs(root), []);
});

test('missing rootfs; entrypoint missing or not Wasm under compat', { skip, ...LIMIT }, async () => {
  assert.ok(wasm);
  const root = rootDir();
  /** @type {Array<[string, (bundle: string) => void, RegExp | null]>} */
  const cases = [
    ['missing-rootfs', (b) => fs.rmSync(path.join(b, 'rootfs'), { recursive: true }), /rootfs|root|not found|no such/i],
    ['rootfs-is-file', (b) => { fs.rmSync(path.join(b, 'rootfs'), { recursive: true }); fs.writeFileSync(path.join(b, 'rootfs'), 'x'); }, /rootfs|root|directory|not found/i],
    ['entrypoint-missing', (b) => fs.rmSync(path.join(b, 'rootfs', 'tool.wasm')), /tool\.wasm|entrypoint|not found/i],
    ['entrypoint-text', (b) => fs.writeFileSync(path.join(b, 'rootfs', 'tool.wasm'), 'just some text\n'), /tool\.wasm|WebAssembly|wasm|compile/i],
    ['entrypoint-elf', (b) => fs.writeFileSync(path.join(b, 'rootfs', 'tool.wasm'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...Array(56).fill(0)])), null],
    ['entrypoint-empty', (b) => fs.writeFileSync(path.join(b, 'rootfs', 'tool.wasm'), ''), /tool\.wasm|WebAssembly|empty|compile/i],
    ['entrypoint-dir', (b) => { fs.rmSync(path.join(b, 'rootfs', 'tool.wasm')); fs.mkdirSync(path.join(b, 'rootfs', 'tool.wasm')); }, /tool\.wasm|directory|not found|entrypoint/i],
    ['entrypoint-bad-wasm', (b) => fs.writeFileSync(path.join(b, 'rootfs', 'tool.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0xff])), /compile|tool\.wasm/i],
    ['entrypoint-escape-link', (b) => { fs.rmSync(path.join(b, 'rootfs', 'tool.wasm')); fs.symlinkSync(wasm, path.join(b, 'rootfs', 'tool.wasm')); }, /tool\.wasm|entrypoint|not found/i],
  ];
  for (const [name, mutate, re] of cases) {
    tally.cases++;
    const b = toolBundle(['exit', '0']);
    mutate(b);
    const r = await oci(root, ['create', '--bundle', b, name]);
    if (name === 'entrypoint-elf') {
      // ELF under compat is still Wasm-by-annotation: one clear line (or a hand-off the native runtime refuses).
      assert.notEqual(r.code, 0);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    } else oneLine(r, re, name);
  }
  assert.deepEqual(stateEntries(root).filter((e) => !e.startsWith('.')), []);
  assert.deepEqual(containerProcs(root), []);
});

test('unknown signals are refused with one line; the container keeps running', { skip, ...LIMIT }, async () => {
  const root = rootDir();
  const b = toolBundle(['spin']);
  assert.equal((await oci(root, ['create', '--bundle', b, 'sig'])).code, 0);
  assert.equal((await oci(root, ['start', 'sig'])).code, 0);
  // (0 is no signal but a valid one: runc checks the process is there and says nothing.)
  for (const s of ['FOO', 'SIGFOO', '65', '99999999999999999999', '-1', '-9', '1.5', 'SIG', 'kill9', ' 9', '9 ']) {
    tally.cases++;
    const r = await oci(root, ['kill', 'sig', s]);
    oneLine(r, /signal|invalid argument/i, `kill ${JSON.stringify(s)}`);
  }
  assert.equal((await stateOf(root, 'sig'))?.status, 'running');
  for (const id of ['nosuch', '../etc', 'a/b', '', '-x']) {
    tally.cases++;
    const r = await oci(root, ['kill', id, 'KILL']);
    oneLine(r, null, `kill of id ${JSON.stringify(id)}`);
  }
  assert.equal((await oci(root, ['delete', '--force', 'sig'])).code, 0);
  assert.deepEqual(containerProcs(root), []);
});

test('the same id created many times at once: exactly one wins, the rest say "already exists"', { skip, ...LIMIT }, async () => {
  for (let round = 0; round < 3; round++) {
    tally.cases++;
    const root = rootDir();
    const b = toolBundle(['spin']);
    const rs = await Promise.all(Array.from({ length: 8 }, () => oci(root, ['create', '--bundle', b, 'twin'])));
    const ok = rs.filter((r) => r.code === 0);
    for (const r of rs.filter((x) => x.code !== 0)) oneLine(r, /already exists|lock/i, 'losing create');
    assert.equal(ok.length, 1, rs.map((r) => `${r.code} ${r.stderr}`).join('\n'));
    const st = await stateOf(root, 'twin');
    if (st?.status !== 'created') tally.lost++;
    assert.equal(st?.status, 'created');
    assert.equal(containerProcs(root).length, 1, containerProcs(root).join('\n'));
    assert.equal((await oci(root, ['delete', '--force', 'twin'])).code, 0);
    assert.deepEqual(stateEntries(root).filter((e) => !e.startsWith('.')), []);
    assert.deepEqual(copiesOf(['twin'], root), [], 'bundle copies left');
    assert.deepEqual(containerProcs(root), []);
  }
});

test('commands racing on one id (state, kill, delete, start at once) never tear state', { skip, ...LIMIT }, async () => {
  for (let round = 0; round < 5; round++) {
    tally.cases++;
    const root = rootDir();
    const b = toolBundle(['spin']);
    assert.equal((await oci(root, ['create', '--bundle', b, 'race'])).code, 0);
    const cmds = [['start', 'race'], ['start', 'race'], ['state', 'race'], ['state', 'race'], ['state', 'race'], ['kill', 'race', 'KILL'],
      ['kill', 'race', 'TERM'], ['delete', 'race'], ['delete', '--force', 'race'], ['delete', '--force', 'race'], ['list', '--format', 'json'], ['state', 'race']];
    const rs = await Promise.all(cmds.map((c) => oci(root, c)));
    rs.forEach((r, i) => {
      if (r.code !== 0) oneLine(r, null, `racing ${cmds[i].join(' ')}`);
      if (cmds[i][0] === 'state' && r.code === 0) assert.doesNotThrow(() => JSON.parse(r.stdout), r.stdout);
      if (cmds[i][0] === 'list' && r.code === 0) assert.doesNotThrow(() => JSON.parse(r.stdout), r.stdout);
    });
    // Afterwards: gone, or stopped and deletable. Never half there.
    const st = await stateOf(root, 'race');
    if (st !== null) {
      assert.ok(['stopped', 'running', 'created'].includes(st.status), JSON.stringify(st));
      assert.equal((await oci(root, ['delete', '--force', 'race'])).code, 0);
    }
    await sleep(50);
    assert.deepEqual(stateEntries(root).filter((e) => !e.startsWith('.')), []);
    assert.deepEqual(containerProcs(root), []);
  }
});

test('the container process killed with SIGKILL: state becomes stopped, delete works without --force', { skip, ...LIMIT }, async () => {
  for (const phase of ['created', 'running']) {
    tally.cases++;
    const root = rootDir();
    const b = toolBundle(['spin']);
    const pidFile = path.join(path.dirname(b), 'pid');
    assert.equal((await oci(root, ['create', '--bundle', b, '--pid-file', pidFile, 'k9'])).code, 0);
    if (phase === 'running') assert.equal((await oci(root, ['start', 'k9'])).code, 0);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    assert.equal((await stateOf(root, 'k9'))?.status, phase);
    process.kill(pid, 'SIGKILL');
    const st = await waitStatus(root, 'k9', 'stopped');
    if (st?.status !== 'stopped') tally.lost++;
    assert.equal(st?.status, 'stopped', JSON.stringify(st));
    if (phase === 'created') oneLine(await oci(root, ['start', 'k9']), /state|stopped|exited/i, 'start after SIGKILL');
    const d = await oci(root, ['delete', 'k9']);
    assert.equal(d.code, 0, d.stderr);
    assert.deepEqual(stateEntries(root).filter((e) => !e.startsWith('.')), []);
  }
});

test('delete of a running container without --force is refused; it keeps running', { skip, ...LIMIT }, async () => {
  tally.cases++;
  const root = rootDir();
  const b = toolBundle(['spin']);
  // A created (not started) container may be deleted without --force, as with runc.
  assert.equal((await oci(root, ['create', '--bundle', b, 'fresh'])).code, 0);
  assert.equal((await oci(root, ['delete', 'fresh'])).code, 0);
  await sleep(50);
  assert.deepEqual(containerProcs(root), []);
  assert.equal((await oci(root, ['create', '--bundle', b, 'busy'])).code, 0);
  assert.equal((await oci(root, ['start', 'busy'])).code, 0);
  oneLine(await oci(root, ['delete', 'busy']), /not stopped|running/i, 'delete of a running container');
  assert.equal((await stateOf(root, 'busy'))?.status, 'running');
  assert.equal(containerProcs(root).length, 1);
  assert.equal((await oci(root, ['delete', '--force', 'busy'])).code, 0);
  assert.deepEqual(containerProcs(root), []);
});

test('a crash between state writes: stray temp files, a create killed mid-way, a torn record', { skip, ...LIMIT }, async () => {
  const root = rootDir();
  // (a) stray half-written temp files next to a good record are never read.
  tally.cases++;
  const b = toolBundle(['spin']);
  assert.equal((await oci(root, ['create', '--bundle', b, 'stray'])).code, 0);
  fs.writeFileSync(path.join(root, 'stray', '.record.json.99999.tmp'), '{"id":"stray","bundle":"/nowh');
  fs.writeFileSync(path.join(root, 'stray', 'state.json.tmp'), '{"oops');
  assert.equal((await stateOf(root, 'stray'))?.status, 'created');
  let r = await oci(root, ['list', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).map((/** @type {{ id: string }} */ c) => c.id), ['stray']);
  assert.equal((await oci(root, ['delete', '--force', 'stray'])).code, 0);

  // A stale lock left by a dead process is taken over.
  tally.cases++;
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, '.stale.lock'), '999999');
  assert.equal((await oci(root, ['create', '--bundle', b, 'stale'])).code, 0);
  assert.equal((await oci(root, ['delete', '--force', 'stale'])).code, 0);

  // (b) `create` killed at random moments: afterwards the id is either absent
  // or readable; never a JSON error; delete --force always cleans up.
  const orphanNotes = [];
  for (let i = 0; i < 12; i++) {
    tally.cases++;
    const id = `half${i}`;
    const child = spawn(process.execPath, [OCI_BIN, '--root', root, 'create', '--bundle', b, id], { stdio: 'ignore', detached: false });
    // Listen before anything can end it: on a fast machine create is done within the sleep.
    const exited = new Promise((res) => child.once('exit', res));
    await sleep(i * 25);
    child.kill('SIGKILL');
    await withTimeout(exited, 30_000, `killed create #${i} did not exit`);
    const s = await oci(root, ['state', id]);
    if (s.code === 0) assert.doesNotThrow(() => JSON.parse(s.stdout), s.stdout);
    else oneLine(s, /does not exist|not exist|lock/i, `state after killed create #${i}`);
    const l = await oci(root, ['list', '--format', 'json']);
    if (l.code !== 0) { tally.lost++; oneLine(l, null, 'list'); }
    assert.doesNotThrow(() => JSON.parse(l.stdout), l.stdout + l.stderr);
    const d = await oci(root, ['delete', '--force', id]);
    assert.equal(d.code, 0, `delete --force after killed create #${i}: ${d.stderr}`);
    await sleep(50);
    const orphans = containerProcs(root).filter((l) => l.endsWith(`/${id}`));
    if (orphans.length) {
      orphanNotes.push(`create killed after ${i * 25} ms: its container process ${orphans.map((l) => l.trim().split(' ')[0]).join(',')} outlived \`delete --force\` (state ${s.code === 0 ? JSON.parse(s.stdout).status : 'absent'})`);
      for (const l of orphans) process.kill(Number(l.trim().split(' ')[0]), 'SIGKILL');
    }
    // The id can be used again.
    const c = await oci(root, ['create', '--bundle', b, id]);
    assert.equal(c.code, 0, `create again after killed create #${i}: ${c.stderr}`);
    assert.equal((await oci(root, ['delete', '--force', id])).code, 0);
  }
  if (orphanNotes.length) tally.notes.push(...orphanNotes.map((n) => `LEAK ${n}`));
  assert.deepEqual(orphanNotes, [], 'a create killed mid-way leaves a container process that delete --force does not end');
  assert.deepEqual(copiesOf(Array.from({ length: 12 }, (_, i) => `half${i}`), root), [], 'bundle copies left');
  assert.deepEqual(containerProcs(root), []);
  assert.deepEqual(stateEntries(root).filter((e) => !e.startsWith('.')), []);
});

test('the bundle copy removed or torn behind tswasi-oci\'s back: runc keeps the state; every command still works', { skip, ...LIMIT }, async () => {
  // tswasi-oci's one file per Wasm container is the rewritten bundle; runc has
  // read it at create and keeps its own state, so losing it loses nothing.
  const root = rootDir();
  const b = toolBundle(['spin']);
  const problems = [];
  for (const damage of ['removed', 'torn']) {
    tally.cases++;
    const id = `copy-${damage}`;
    assert.equal((await oci(root, ['create', '--bundle', b, id])).code, 0);
    const [copy] = copiesOf([id], root);
    assert.ok(copy, 'a bundle copy while the container exists');
    if (damage === 'removed') fs.rmSync(path.join(COPIES, copy), { recursive: true });
    else fs.writeFileSync(path.join(COPIES, copy, 'config.json'), '{"ociVersion":"1.0.2","proc');
    for (const cmd of [['state', id], ['start', id], ['state', id], ['kill', id, 'KILL']]) {
      const r = await oci(root, cmd);
      if (r.code !== 0) problems.push(`${damage}: ${cmd.join(' ')}: exit ${r.code}: ${r.stderr.trim()}`);
    }
    const st = await waitStatus(root, id, 'stopped');
    if (st?.status !== 'stopped') { tally.lost++; problems.push(`${damage}: status ${JSON.stringify(st)}`); }
    const d = await oci(root, ['delete', id]);
    if (d.code !== 0) problems.push(`${damage}: delete: ${d.stderr.trim()}`);
    if (copiesOf([id], root).length) problems.push(`${damage}: copy left: ${copiesOf([id], root)}`);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(containerProcs(root), []);
  assert.deepEqual(stateEntries(root), []);
});

test(`${CYCLES} create/start/delete cycles leak no processes, fds or state directories`, { skip, timeout: 60 * 60_000 }, async () => {
  tally.cases++;
  const root = rootDir();
  const b = toolBundle(['exit', '3']);
  const fdsBefore = fs.readdirSync('/proc/self/fd').length;
  const t0 = Date.now();
  let done = 0;
  /** @type {string[]} */
  const failures = [];
  /** @param {number} i */
  async function cycle(i) {
    const id = `cyc${i}`;
    let r = await oci(root, ['create', '--bundle', b, id]);
    if (r.code !== 0) { failures.push(`create ${id}: ${r.stderr}`); return; }
    r = await oci(root, ['start', id]);
    if (r.code !== 0) failures.push(`start ${id}: ${r.stderr}`);
    const st = await waitStatus(root, id, 'stopped');
    if (st?.status !== 'stopped') failures.push(`${id} did not stop: ${JSON.stringify(st)}`);
    r = await oci(root, ['delete', id]);
    if (r.code !== 0) failures.push(`delete ${id}: ${r.stderr}`);
    done++;
  }
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => { while (next < CYCLES) await cycle(next++); }));
  const ms = Date.now() - t0;
  await sleep(200);
  const fdsAfter = fs.readdirSync('/proc/self/fd').length;
  tally.notes.push(`${CYCLES} create/start/delete cycles (${PARALLEL} at a time) in ${(ms / 1000).toFixed(1)} s; test-process fds ${fdsBefore} -> ${fdsAfter}; container processes left ${containerProcs(root).length}; state entries left ${stateEntries(root).length}`);
  if (failures.length) tally.lost++;
  assert.deepEqual(failures.slice(0, 10), []);
  assert.equal(done, CYCLES);
  assert.deepEqual(containerProcs(root), []);
  assert.deepEqual(stateEntries(root), []);
  assert.deepEqual(copiesOf(Array.from({ length: CYCLES }, (_, i) => `cyc${i}`), root), [], 'bundle copies left');
  assert.ok(fdsAfter <= fdsBefore + 2, `fds ${fdsBefore} -> ${fdsAfter}`);
});
