// @ts-check
// The conformance programs through the CLI, `tswasi run`, as wasmtime would
// run them: exit statuses, --dir HOST::GUEST, --env, argv, piped stdio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, runCli, tempDir, toolchainProblem } from './helpers/wasm.mjs';
import { makeOutside } from './helpers/fixtures.mjs';
import { snapshotTree } from './helpers/snapshot.mjs';

/**
 * @param {import('node:test').TestContext} t
 * @param {string} name
 */
function wasmOrSkip(t, name) {
  const w = compileC(name);
  if (!w) t.skip(`no wasm32-wasi toolchain: ${toolchainProblem()}`);
  return w;
}

/** @param {import('./helpers/spawn.mjs').RunResult} r */
const show = (r) => `status ${r.code} signal ${r.signal}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;

test('cli: proc_exit(42) is the exit status; output before it is flushed', async (t) => {
  const w = wasmOrSkip(t, 'proc');
  if (!w) return;
  const r = await runCli(['run', w, 'exit42']);
  assert.equal(r.code, 42, show(r));
  assert.equal(r.stdout, 'before\n');
});

test('cli: main returning 7, proc_exit(255), proc_raise, sched_yield', async (t) => {
  const w = wasmOrSkip(t, 'proc');
  if (!w) return;
  let r = await runCli(['run', w, 'ret7']);
  assert.equal(r.code, 7, show(r));
  r = await runCli(['run', w, 'exit255']);
  assert.equal(r.code, 255, show(r));
  for (const mode of ['raise', 'yield']) {
    r = await runCli(['run', w, mode]);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'ok\n', show(r));
  }
});

test('cli: argv and --env NAME=VALUE (only the given variables)', async (t) => {
  const w = wasmOrSkip(t, 'args_env');
  if (!w) return;
  // argv[0] is the module path as given (like wasmtime); args_env expects
  // "args_env", so run a copy by that name from its directory.
  const dir = tempDir();
  fs.copyFileSync(w, path.join(dir, 'args_env'));
  const r = await runCli(['run', '--env', 'K=V', '--env', 'EMPTY=', '--env', 'EQ=x=y', 'args_env', 'a', 'b c', 'ünï', ''], {
    cwd: dir,
    env: { ...process.env, SHOULD_NOT_LEAK: '1' },
  });
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, 'ok\n');
});

test('cli: --env NAME passes the host value through', async (t) => {
  const w = wasmOrSkip(t, 'args_env');
  if (!w) return;
  const dir = tempDir();
  fs.copyFileSync(w, path.join(dir, 'args_env'));
  const r = await runCli(['run', '--env', 'K', '--env', 'EMPTY', '--env', 'EQ', 'args_env', 'a', 'b c', 'ünï', ''], {
    cwd: dir,
    env: { ...process.env, K: 'V', EMPTY: '', EQ: 'x=y' },
  });
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, 'ok\n');
});

test('cli: piped stdin, stdout and stderr', async (t) => {
  const w = wasmOrSkip(t, 'stdio');
  if (!w) return;
  const input = 'piped input\n'.repeat(5000);
  const r = await runCli(['run', w], { input });
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, `in:${input.length}:${input.toUpperCase()}\nok\n`);
  assert.equal(r.stderr, 'to-stderr\nvia-libc\n');
});

for (const name of ['fd_io', 'fd_readdir', 'path_ops', 'symlinks', 'poll']) {
  test(`cli: ${name} with --dir HOST::/sandbox`, async (t) => {
    const w = wasmOrSkip(t, name);
    if (!w) return;
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'sandbox'));
    const r = await runCli(['run', '--dir', `${path.join(root, 'sandbox')}::/sandbox`, w]);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /(^|\n)ok\n$/, show(r));
  });
}

test('cli: the sandbox rules hold for --dir HOST::/sandbox', async (t) => {
  const w = wasmOrSkip(t, 'sandbox_paths');
  if (!w) return;
  const root = tempDir();
  const sandbox = path.join(root, 'sandbox');
  fs.mkdirSync(path.join(sandbox, 'data', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(sandbox, 'data', 'file.txt'), 'inside');
  makeOutside(fs, path.join(root, 'outside'));
  const before = snapshotTree(fs, path.join(root, 'outside'));
  const r = await runCli(['run', '--dir', `${sandbox}::/sandbox`, w]);
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, /(^|\n)ok\n$/, show(r));
  assert.doesNotMatch(r.stdout, /LEAK/);
  assert.deepEqual(snapshotTree(fs, path.join(root, 'outside')), before);
});
