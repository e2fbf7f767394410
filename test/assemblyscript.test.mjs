// @ts-check
// AssemblyScript modules, compiled in the test run by the AssemblyScript
// compiler (npm `assemblyscript`): env.abort/trace/seed, and strings across
// --invoke and pool.run({ invoke }) through @assemblyscript/loader.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, runCli, tempDir } from './helpers/wasm.mjs';

/** @type {string} */
let wasm;
before(() => {
  wasm = path.join(tempDir(), 'strings.wasm');
  const asc = path.join(ROOT, 'node_modules/.bin/asc');
  const r = spawnSync(asc, [path.join(ROOT, 'test/as/strings.ts'), '-o', wasm, '--exportRuntime', '-O2'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('tswasi run --invoke passes and returns AssemblyScript strings and numbers', async () => {
  let r = await runCli(['run', '--invoke', 'greet', wasm, 'wasm world']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello, wasm world!\n');
  r = await runCli(['run', '--invoke', 'add', wasm, '40', '2']);
  assert.equal(r.stdout, '42\n');
});

test('env.abort is a trap whose message carries the message, file, line and column', async () => {
  const r = await runCli(['run', '--invoke', 'fail', wasm, 'bad input']);
  assert.equal(r.code, 134);
  assert.match(r.stderr, /^error: wasm trap: abort: bad input in .*strings\.ts\(3:\d+\)/);
});

test('pool.run({ invoke }) on an AssemblyScript module', async () => {
  const { run } = await import('../dist/src/index.js');
  const r = await run(wasm, { invoke: 'greet', invokeArgs: ['pool'] });
  assert.deepEqual(r.results, ['hello, pool!']);
});

test('tswasi inspect says it was built by AssemblyScript and that tswasi provides env.abort', async () => {
  const r = await runCli(['inspect', wasm]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /built by AssemblyScript/);
  assert.match(r.stdout, /✓ abort: func \(i32, i32, i32, i32\) -> \(\)/);
  assert.match(r.stdout, /greet: func \(i32\) -> \(i32\)/);
});
