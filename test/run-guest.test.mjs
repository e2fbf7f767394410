// @ts-check
// The one runGuest (src/run-guest.ts) the pool, `tswasi run` and the
// container runner share: each way a guest ends comes back as one outcome.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT } from './helpers/wasm.mjs';

const { runGuest } = await import(path.join(ROOT, 'dist/src/run-guest.js'));
const { errorLine } = await import(path.join(ROOT, 'dist/src/errors.js'));
const { compileWat } = await import(path.join(ROOT, 'dist/src/wat.js'));
const { limitMemory } = await import(path.join(ROOT, 'dist/src/memory-limit.js'));

/** @param {string} body @param {number} [limitPages] */
async function mod(body, limitPages) {
  const bytes = await compileWat(new TextEncoder().encode(`(module ${body})`), 'test.wat');
  return new WebAssembly.Module(limitPages === undefined ? bytes : limitMemory(bytes, limitPages));
}
const EXIT = '(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))';
const wasi = { args: ['t'], env: {}, stdout: 1, stderr: 2 };

test('an exit code', async () => {
  const module = await mod(`${EXIT} (memory (export "memory") 1) (func (export "_start") (call $exit (i32.const 3)))`);
  assert.deepEqual(runGuest({ module, wasi }), { exitCode: 3 });
});

test('a trap: 134, its name and the wasm frames', async () => {
  const module = await mod(`(memory (export "memory") 1) (func $inner unreachable) (func $main (export "_start") (call $inner))`);
  const o = runGuest({ module, wasi });
  assert.equal(o.exitCode, 134);
  assert.equal(o.error.kind, 'trap');
  assert.deepEqual(o.error.frames, ['inner', 'main']);
  assert.equal(errorLine(o.error), 'error: wasm trap: unreachable (at inner <- main)');
});

test('a guest that fails at its memory cap is told apart from other failures', async () => {
  // Grows one page at a time until memory.grow fails, then exits 1 (as a failed malloc would).
  const grow = `${EXIT} (memory (export "memory") 1)
    (func (export "_start") (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) (call $exit (i32.const 1)))`;
  const capped = runGuest({ module: await mod(grow, 64), wasi, memoryLimitPages: 64 });
  assert.equal(capped.exitCode, 1);
  assert.deepEqual(capped.error, { kind: 'memory', message: `memory limit of ${64 * 65536} bytes reached` });
  const plain = runGuest({ module: await mod(`${EXIT} (memory (export "memory") 1) (func (export "_start") (call $exit (i32.const 1)))`), wasi, memoryLimitPages: 64 });
  assert.deepEqual(plain, { exitCode: 1 });
});

test('a host error is an outcome, not an exception: a missing import, a missing export', async () => {
  const missing = runGuest({ module: await mod('(import "env" "nope" (func)) (func (export "_start"))'), wasi });
  assert.equal(missing.exitCode, 1);
  assert.equal(missing.error.kind, 'error');
  assert.match(missing.error.message, /unknown import: `env::nope`/);
  const noExport = runGuest({ module: await mod('(memory (export "memory") 1)'), wasi, invoke: 'f' });
  assert.deepEqual(noExport, { exitCode: 1, error: { kind: 'error', message: 'failed to find export `f`' } });
});

test('a WASI function imported with another type than the spec\'s fails to link; one imported twice links', async () => {
  const wrong = runGuest({ module: await mod('(import "wasi_snapshot_preview1" "proc_exit" (func (param i64))) (memory (export "memory") 1) (func (export "_start"))'), wasi });
  assert.equal(wrong.exitCode, 1);
  assert.match(wrong.error.message, /^failed to instantiate: .*"proc_exit".*does not match the expected type/);
  const twice = runGuest({ module: await mod(`${EXIT} (import "wasi_snapshot_preview1" "proc_exit" (func $exit2 (param i32))) (memory (export "memory") 1) (func (export "_start") (call $exit2 (i32.const 5)))`), wasi });
  assert.deepEqual(twice, { exitCode: 5 });
});

test('--invoke: the export\'s result, i64 past 2^53 as text', async () => {
  const module = await mod('(memory (export "memory") 1) (func (export "add") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))');
  assert.deepEqual(runGuest({ module, wasi, invoke: 'add', invokeArgs: ['9007199254740993', '9007199254740993'] }), { exitCode: 0, results: ['18014398509481986'] });
});

test('AssemblyScript\'s env.abort is provided (every runner has it: containers did not) and ends as a trap', async () => {
  const module = await mod(`(import "env" "abort" (func $abort (param i32 i32 i32 i32))) (memory (export "memory") 1)
    (func (export "_start") (call $abort (i32.const 0) (i32.const 0) (i32.const 7) (i32.const 9)))`);
  const o = runGuest({ module, wasi });
  assert.equal(o.exitCode, 134);
  assert.equal(o.error.kind, 'trap');
  assert.match(o.error.message, /^wasm trap: abort: null in null\(7:9\)/);
});
