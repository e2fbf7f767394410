// @ts-check
// tswasi-oci's door (oci/argv.ts, oci/cli.ts): argv read once by the command
// table, the container id checked there with runc's rule and words, so a bad
// id never reaches a command, a path or the native runtime; everything else
// reaches the native runtime exactly as it came (less our --native-runtime).
// In-process (the table, oci/runc-errors.ts's id rule, the split of the
// global options from the command) and through the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgv, UsageError } from '../dist/oci/argv.js';
import { invocation } from './helpers/oci-argv.mjs';
import { COMMANDS, GLOBAL_OPTIONS } from '../dist/oci/command-table.js';
import { lastLogEntry } from './helpers/oci.mjs';
import { run, runOci } from './helpers/spawn.mjs';
import { tempDir } from './helpers/tmp.mjs';
import { ERR_EMPTY_ID, ERR_INVALID_ID, ID_MAX, NAME_MAX, idProblem } from '../dist/oci/runc-errors.js';
import { newCopyDir, removeCopies } from '../dist/oci/bundle-copies.js';
import { withIdLock } from '../dist/oci/id-lock.js';
import { optionArgs, optionValues } from '../dist/oci/options.js';

const runcMissing = spawnSync('runc', ['--version']).status !== 0 ? 'runc not found' : null;

const BAD_IDS = [['../x', 'invalid container ID format'], ['a/b', 'invalid container ID format'], ['.a', 'invalid container ID format'],
  ['..', 'invalid container ID format'], ['x'.repeat(256), 'invalid container ID format'], ['a b', 'invalid container ID format'], ['', 'container id cannot be empty']];
const WITH_ID = Object.entries(COMMANDS).filter(([, c]) => c.operands !== 'none').map(([name]) => name);

test('the table: every command and option named once', () => {
  assert.deepEqual(WITH_ID.sort(), ['checkpoint', 'create', 'delete', 'events', 'exec', 'kill', 'pause', 'ps', 'restore', 'resume', 'run', 'start', 'state', 'update']);
  /** @type {[string, { options: readonly import('../dist/oci/command-table.js').OptionSpec[] }][]} */
  const tables = [['global', { options: GLOBAL_OPTIONS }], ...Object.entries(COMMANDS)];
  for (const [name, c] of tables) {
    const longs = c.options.map((o) => o.name);
    const shorts = c.options.flatMap((o) => (o.short ? [o.short] : []));
    assert.equal(new Set(longs).size, longs.length, `${name}: a long option twice`);
    assert.equal(new Set(shorts).size, shorts.length, `${name}: a short option twice`);
  }
});

test('a bad id is refused at the door for every command that names a container, in runc\'s words', () => {
  for (const command of WITH_ID) {
    for (const [id, words] of BAD_IDS) {
      const args = command === 'kill' ? [id, '9'] : command === 'exec' ? [id, '/tool.wasm'] : [id];
      assert.throws(() => parseArgv(['--root', '/r', command, ...args]), (e) => e instanceof Error && !(e instanceof UsageError) && e.message === words, `${command} ${JSON.stringify(id)}`);
    }
    const inv = invocation(['--root', '/r', command, 'good_id-1.2', ...(command === 'kill' ? ['9'] : [])]);
    assert.equal(inv.id, 'good_id-1.2');
  }
});

test('argv split once: globals, command, options, operands; the native runtime\'s argv is ours less --native-runtime', () => {
  let inv = invocation(['--root', '/r', '--native-runtime=/x/runc', '--log', 'L', '--native-runtime', '/y', '--debug', 'kill', '--all', 'c1', '9']);
  assert.deepEqual(inv.nativeArgs, ['--root', '/r', '--log', 'L', '--debug', 'kill', '--all', 'c1', '9']);
  assert.deepEqual(inv.globalArgs, ['--root', '/r', '--log', 'L', '--debug']);
  assert.equal(inv.globals.value('native-runtime'), '/y');
  assert.equal(inv.id, 'c1');
  assert.deepEqual(inv.operands, ['9']);
  assert.ok(inv.options.flag('all'));

  // Ours with one id: options anywhere; values in both spellings; a count checked.
  inv = invocation(['create', 'c2', '-b', '/b', '--pid-file=/p', '--preserve-fds', '2', '--no-pivot']);
  assert.equal(inv.id, 'c2');
  assert.equal(inv.options.value('bundle'), '/b');
  assert.equal(inv.options.value('pid-file'), '/p');
  assert.equal(inv.options.count('preserve-fds'), 2);
  assert.ok(inv.options.flag('no-pivot'));
  assert.throws(() => parseArgv(['create', '--preserve-fds', 'x', 'c']), UsageError);
  assert.throws(() => parseArgv(['create', '--bogus', 'c']), { message: 'unknown option: --bogus' });
  assert.throws(() => parseArgv(['create', 'a', 'b']), { message: 'create: one container id, got 2' });
  assert.throws(() => parseArgv(['create']), { message: 'create: a container id is required' });
  assert.throws(() => parseArgv(['--log-format', 'xml', 'list']), UsageError);
  assert.throws(() => parseArgv(['frobnicate']), { message: 'unknown command: frobnicate' });
  assert.throws(() => parseArgv(['toString']), { message: 'unknown command: toString' });

  // exec: after the id everything is the command's, --help and -e included.
  inv = invocation(['exec', '-e', 'A=1', '--env', 'B=2', '-t', 'c3', '/tool.wasm', '--help', '-e', 'x']);
  assert.deepEqual(inv.options.list('env'), ['A=1', 'B=2']);
  assert.ok(inv.options.flag('tty'));
  assert.deepEqual(inv.operands, ['/tool.wasm', '--help', '-e', 'x']);

  // The native runtime's commands: an option we do not know is its to judge.
  inv = invocation(['ps', '--newer-option', 'c4', '-ef']);
  assert.equal(inv.id, 'c4');
  assert.deepEqual(inv.nativeArgs, ['ps', '--newer-option', 'c4', '-ef']);

  assert.deepEqual(parseArgv(['--help']), { kind: 'help', command: undefined });
  assert.deepEqual(parseArgv(['--root', 'r', 'kill', '-h', 'nope']), { kind: 'help', command: 'kill' });
  assert.deepEqual(parseArgv(['-v', 'list']), { kind: 'version' });
});

/**
 * A native runtime that records each call, then is runc.
 * @param {string} dir
 */
function recordingRuntime(dir) {
  const calls = path.join(dir, 'calls');
  const bin = path.join(dir, 'runtime');
  fs.writeFileSync(bin, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\nexec runc "$@"\n`, { mode: 0o755 });
  return { bin, calls: () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : []) };
}

test('tswasi-oci: a bad id never reaches a path or the native runtime', { skip: runcMissing !== null && process.env.CI !== 'true' ? runcMissing : false, timeout: 120_000 }, async () => {
  const dir = tempDir('tswasi-route-test-');
  const rt = recordingRuntime(dir);
  const root = path.join(dir, 'a', 'root');
  const log = path.join(dir, 'log.json');
  const tree = async () => (await run('find', [dir, '-printf', '%p %s\n'])).stdout;
  const before = await tree();
  for (const command of WITH_ID) {
    for (const id of ['../x', '.native', '']) {
      const args = command === 'kill' ? [id, '9'] : command === 'exec' ? [id, '/tool.wasm'] : command === 'create' || command === 'run' ? ['--bundle', dir, id] : [id];
      const r = await runOci(root, ['--log', log, '--log-format', 'json', '--native-runtime', rt.bin, command, ...args], { timeout: 30_000 });
      const words = id === '' ? 'container id cannot be empty' : 'invalid container ID format';
      assert.equal(r.code, 1, `${command} ${id}: ${r.stderr}`);
      assert.equal(r.stderr, `tswasi-oci: ${words}\n`, `${command} ${id}`);
      assert.equal(lastLogEntry(log).msg, words);
      fs.rmSync(log);
    }
  }
  assert.deepEqual(rt.calls(), [], 'the native runtime was never called');
  assert.equal(await tree(), before, 'nothing was created or changed');

  // A good id goes on: pass-through commands reach runc exactly as they came.
  const r = await runOci(root, ['--native-runtime=' + rt.bin, 'kill', '--all', 'nope', 'KILL'], { timeout: 30_000 });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /container does not exist/);
  assert.deepEqual(rt.calls(), [`--root ${root} kill --all nope KILL`]);
});

test("container ids: runc's rule, no leading dot, at most ID_MAX characters", () => {
  for (const ok of ['a', 'ctr1', 'A-b_c+d,e.f', '0123456789abcdef'.repeat(4), '-x', 'x'.repeat(ID_MAX), 'a..b']) {
    assert.equal(idProblem(ok), null, ok);
  }
  assert.equal(idProblem(''), ERR_EMPTY_ID);
  for (const bad of ['.', '..', '.a', '.ID.lock', 'a/b', '../x', '/abs', 'a b', 'a\nb', 'é', 'a:b', 'x'.repeat(ID_MAX + 1), 'a\0']) {
    assert.equal(idProblem(bad), ERR_INVALID_ID, JSON.stringify(bad));
  }
  // runc's bound: its state directory <root>/<id> is one file name.
  assert.equal(ID_MAX, 255);
  // runc's words, which engines match on.
  assert.equal(ERR_INVALID_ID, 'invalid container ID format');
  assert.equal(ERR_EMPTY_ID, 'container id cannot be empty');
});

test('argv split: global options (valued or not, = or separate) before the command; --native-runtime taken out', () => {
  // (Separate values, --native-runtime=, kill's operands: the tests above.)
  let inv = invocation(['--log=/l', '--native-runtime', '/usr/bin/runc', '--systemd-cgroup', 'state', 'x']);
  assert.deepEqual(inv.globalArgs, ['--log=/l', '--systemd-cgroup']);
  assert.equal(inv.globals.value('log'), '/l');
  assert.equal(inv.globals.value('native-runtime'), '/usr/bin/runc');
  assert.equal(inv.command, 'state');
  assert.equal(inv.id, 'x');
  // A valued option's value is not the command, even when it looks like one.
  inv = invocation(['--root', 'delete', 'start', 'id']);
  assert.deepEqual(inv.globalArgs, ['--root', 'delete']);
  assert.equal(inv.command, 'start');
  assert.equal(inv.id, 'id');
  // Options after the command belong to it: not a global, whether the command is ours or the native runtime's.
  assert.throws(() => parseArgv(['state', '--root', '/r', 'x']), (e) => e instanceof UsageError && e.message === 'unknown option: --root');
  inv = invocation(['ps', '--root', 'x']);
  assert.deepEqual(inv.globalArgs, []);
  assert.equal(inv.globals.value('root'), undefined);
  assert.deepEqual(inv.nativeArgs, ['ps', '--root', 'x']);
  assert.equal(inv.id, 'x');
  assert.throws(() => parseArgv([]), (e) => e instanceof UsageError && e.message === 'a command is required');
  // A valued option at the very end: no value, no command.
  assert.throws(() => parseArgv(['--root']), (e) => e instanceof UsageError && e.message === '--root needs a value');
});

test('the longest id runc takes names our files within NAME_MAX: bundle copies and the create lock', async () => {
  const saved = process.env.TSWASI_OCI_RUN_DIR;
  process.env.TSWASI_OCI_RUN_DIR = tempDir('tswasi-oci-names-');
  try {
    const head = 'a'.repeat(ID_MAX - 1);
    const ids = [`${head}b`, `${head}c`, 'x'.repeat(NAME_MAX - 18), 'x'.repeat(NAME_MAX - 17)];
    assert.ok(ids.every((id) => idProblem(id) === null));
    const bundles = path.join(process.env.TSWASI_OCI_RUN_DIR, 'bundles');
    const copies = ids.map((id) => newCopyDir('/r', id));
    for (const c of copies) assert.ok(path.basename(c).length <= NAME_MAX, `${path.basename(c).length}`);
    // An id that fits is its own name; a longer one is shortened, and ids alike but for their end stay apart.
    assert.ok(path.basename(copies[2]).startsWith(`${ids[2]}.`));
    assert.ok(!path.basename(copies[3]).startsWith(ids[3]));
    assert.equal(new Set(copies.map((c) => path.basename(c).split('.')[0])).size, 4);
    let ran = 0;
    for (const id of ids) await withIdLock('/r', id, async () => { ran++; });
    assert.equal(ran, 4);
    removeCopies('/r', ids[0]);
    assert.deepEqual(fs.readdirSync(bundles).sort(), copies.slice(1).map((c) => path.basename(c)).sort());
    for (const id of ids.slice(1)) removeCopies('/r', id);
    assert.deepEqual(fs.readdirSync(bundles), []);
  } finally {
    if (saved === undefined) delete process.env.TSWASI_OCI_RUN_DIR;
    else process.env.TSWASI_OCI_RUN_DIR = saved;
  }
});

test('options: read typed from the table, written back for the native runtime in the table\'s order', () => {
  const inv = parseArgv(['exec', '-d', '--env=A=1', '-e', 'B=2', '--preserve-fds', '2', '--pid-file', '/p', '--no-new-privs=false', 'c', 'tool.wasm', 'x']);
  assert.equal(inv.kind, 'run');
  if (inv.kind !== 'run') return;
  const o = optionValues(COMMANDS.exec.options, inv.options);
  assert.equal(o.detach, true);
  assert.deepEqual(o.env, ['A=1', 'B=2']);
  assert.equal(o.preserveFds, 2);
  assert.equal(o.pidFile, '/p');
  assert.equal(o.noNewPrivs, false);
  assert.equal(o.cwd, undefined);
  assert.deepEqual(inv.operands, ['tool.wasm', 'x']);
  assert.deepEqual(optionArgs(COMMANDS.exec.options, { ...o, process: '/proc.json', preserveFds: 3 }),
    ['--process', '/proc.json', '--detach', '--pid-file', '/p', '--env', 'A=1', '--env', 'B=2', '--preserve-fds', '3']);
  // Left out, undefined, false and empty write nothing; 0 is a count like any other.
  assert.deepEqual(optionArgs(COMMANDS.create.options, { bundle: undefined, noPivot: false, preserveFds: 0 }), ['--preserve-fds', '0']);
});
