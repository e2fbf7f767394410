// @ts-check
// The `tswasi` command line: wasmtime's flags and exit statuses, and one
// clear line (never a stack trace) for every kind of bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, runCli, tempDir, ROOT } from './helpers/wasm.mjs';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/**
 * One line on stderr, starting with "error: ", and no JavaScript stack.
 * @param {import('./helpers/spawn.mjs').RunResult} res
 * @param {RegExp} pattern
 */
function assertOneLineError(res, pattern) {
  const lines = res.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${res.stderr}`);
  assert.match(lines[0], /^error: /);
  assert.doesNotMatch(res.stderr, /\n\s+at /);
  if (pattern) assert.match(lines[0], pattern);
}

test('--version prints "tswasi X.Y.Z"', async () => {
  const res = await runCli(['--version']);
  assert.equal(res.code, 0);
  assert.equal(res.stdout.trim(), `tswasi ${pkg.version}`);
});

test('--help documents every run flag', async () => {
  const res = await runCli(['run', '--help']);
  assert.equal(res.code, 0);
  for (const flag of ['--dir', '--env', '--invoke', 'HOST[::GUEST]', 'NAME=VALUE']) assert.ok(res.stdout.includes(flag), flag);
});

test('exit status is the guest\'s exit code; args and env reach the guest', async (t) => {
  const wasm = compileC('cli_exit');
  if (!wasm) return t.skip('no wasm32-wasi toolchain');
  for (const code of [0, 1, 42, 255]) {
    const res = await runCli(['run', '--env', 'TSWASI_TEST_VAR=v1', wasm, String(code), '--not-a-flag', '-x']);
    assert.equal(res.code, code, res.stderr);
    assert.equal(res.stdout, `arg1=${code}\narg2=--not-a-flag\narg3=-x\nenv=v1\n`);
  }
  // `--env NAME` passes the host's value; the implicit-run form works too.
  const res = await runCli(['--env', 'TSWASI_TEST_VAR', wasm, '3'], { env: { ...process.env, TSWASI_TEST_VAR: 'from-host' } });
  assert.equal(res.code, 3);
  assert.match(res.stdout, /env=from-host/);
});

test('a trap prints one line with the trap and the wasm frames, and exits 134', async (t) => {
  const wasm = compileC('cli_trap');
  if (!wasm) return t.skip('no wasm32-wasi toolchain');
  const res = await runCli(['run', wasm]);
  assert.equal(res.code, 134);
  assertOneLineError(res, /^error: wasm trap: unreachable \(at deep_inner <- deep_outer <- .*_start/);
});

test('a missing import is named', async (t) => {
  const wasm = compileC('cli_import');
  if (!wasm) return t.skip('no wasm32-wasi toolchain');
  const res = await runCli(['run', wasm]);
  assert.equal(res.code, 1);
  assertOneLineError(res, /env::not_provided/);
});

test('--invoke calls an export with arguments and prints the result', async (t) => {
  const wasm = compileC('cli_invoke');
  if (!wasm) return t.skip('no wasm32-wasi toolchain');
  const res = await runCli(['run', '--invoke', 'add', wasm, '40', '2']);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout, '42\n');
  const missing = await runCli(['run', '--invoke', 'nope', wasm]);
  assert.equal(missing.code, 1);
  assertOneLineError(missing, /nope/);
  const trap = await runCli(['run', '--invoke', 'fail_exit', wasm]);
  assert.equal(trap.code, 134);
  assertOneLineError(trap, /wasm trap: unreachable/);
});

test('bad modules and bad flags: one clear line, non-zero exit', async () => {
  const dir = tempDir();
  const empty = path.join(dir, 'empty.wasm');
  fs.writeFileSync(empty, '');
  const text = path.join(dir, 'text.wasm');
  fs.writeFileSync(text, 'hello, not wasm');
  const truncated = path.join(dir, 'truncated.wasm');
  fs.writeFileSync(truncated, Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0x7f]));
  const component = path.join(dir, 'component.wasm');
  fs.writeFileSync(component, Buffer.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]));
  /** @type {Array<[string[], RegExp, number]>} */
  const cases = [
    [['run', empty], /empty\.wasm is not a WebAssembly module \(empty file\)/, 1],
    [['run', text], /not a WebAssembly module \(bad magic number\)/, 1],
    [['run', truncated], /failed to compile/, 1],
    [['run', component], /unsupported WebAssembly binary version/, 1],
    [['run', path.join(dir, 'missing.wasm')], /cannot read module .*missing\.wasm: no such file/, 1],
    [['run', dir], /is a directory/, 1],
    [['run', '--bogus', empty], /unknown option: --bogus/, 2],
    [['run', '--dir', path.join(dir, 'nope'), empty], /no such directory/, 1],
    [['run'], /./, 2],
  ];
  for (const [args, pattern, code] of cases) {
    const res = await runCli(args);
    assert.equal(res.code, code, `${args.join(' ')}: ${res.stderr}`);
    assertOneLineError(res, pattern);
  }
});

test('--dir HOST::GUEST and --dir HOST map directories like wasmtime', async (t) => {
  const wasm = compileC('cli_exit');
  if (!wasm) return t.skip('no wasm32-wasi toolchain');
  const demo = path.join(ROOT, 'examples', 'hello.wasm');
  const dir = tempDir();
  const res = await runCli(['run', '--dir', `${dir}::.`, demo, 'tests']);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /wrote and read back: written by a WASI guest/);
  assert.deepEqual(fs.readdirSync(dir), [], 'the demo removes its file');
});

test('write-combined stdout keeps its order with stderr and is out before a sleep', async (t) => {
  const wasm = compileC('stdio_order');
  if (!wasm) return t.skip('no wasm32-wasi toolchain');
  const { spawn } = await import('node:child_process');
  // stdout and stderr into one pipe, as `2>&1 | cat` would.
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli/tswasi.js'), 'run', wasm], { stdio: ['ignore', 'pipe', 'pipe'] });
  let merged = '';
  /** @type {Array<[number, string]>} */
  const chunks = [];
  const started = Date.now();
  const onData = (/** @type {Buffer} */ c) => { merged += c; chunks.push([Date.now() - started, String(c)]); };
  child.stdout.on('data', onData);
  /** @type {string[]} */
  const errChunks = [];
  child.stderr.on('data', (c) => errChunks.push(String(c)));
  const code = await new Promise((r) => child.on('close', r));
  assert.equal(code, 0);
  assert.equal(errChunks.join(''), 'E'.repeat(10));
  assert.equal(merged, 'o'.repeat(1000) + '\nbefore-sleep\nafter-sleep\n');
  // "before-sleep" arrived before the 300 ms sleep ended, not at exit.
  const before = chunks.find(([, s]) => s.includes('before-sleep'));
  const after = chunks.find(([, s]) => s.includes('after-sleep'));
  assert.ok(before && after, merged);
  assert.ok(after[0] - before[0] >= 200, `before-sleep at ${before[0]} ms, after-sleep at ${after[0]} ms`);

  // Same fds for both streams: the bytes interleave exactly as written.
  const dir = tempDir();
  const out = path.join(dir, 'out.txt');
  const fd = fs.openSync(out, 'w');
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/cli/tswasi.js'), 'run', wasm], { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  assert.equal(r.status, 0);
  const expected = Array.from({ length: 10 }, () => 'o'.repeat(100) + 'E').join('') + '\nbefore-sleep\nafter-sleep\n';
  assert.equal(fs.readFileSync(out, 'utf8'), expected);
});

test('--max-wasm-stack: a guest that recurses past V8\'s ~1 MB runs on a thread with that much stack', async () => {
  // 60,000 nested calls: past the main thread's stack (~15,000), within wasmtime's -W max-wasm-stack=8388608.
  const wat = path.join(tempDir(), 'recurse.wat');
  fs.writeFileSync(wat, `(module
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (func $r (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $r (i32.sub (local.get 0) (i32.const 1)))))))
    (func (export "_start") (call $exit (i32.ne (call $r (i32.const 60000)) (i32.const 60000)))))`);
  const shallow = await runCli(['run', wat]);
  assert.equal(shallow.code, 134);
  assertOneLineError(shallow, /^error: wasm trap: call stack exhausted \(at r <- r/);
  const deep = await runCli(['run', '--max-wasm-stack', String(8 << 20), wat]);
  assert.equal(deep.code, 0, deep.stderr);
  assert.equal(deep.stderr, '');
  for (const bad of ['0', '-1', 'lots', String(2 ** 31)]) {
    const r = await runCli(['run', '--max-wasm-stack', bad, wat]);
    assert.equal(r.code, 2, `--max-wasm-stack ${bad}`);
    assertOneLineError(r, /invalid --max-wasm-stack/);
  }  // wasmtime's spelling of the same setting.
  const w = await runCli(['run', '-W', `max-wasm-stack=${8 << 20}`, wat]);
  assert.equal(w.code, 0, w.stderr);
  for (const [flag, words] of /** @type {Array<[string, RegExp]>} */ ([['fuel=10', /unsupported -W option: fuel/], ['max-wasm-stack=lots', /invalid -W max-wasm-stack=lots/]])) {
    const r = await runCli(['run', '-W', flag, wat]);
    assert.equal(r.code, 2, `-W ${flag}`);
    assertOneLineError(r, words);
  }
});
