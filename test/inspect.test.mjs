// @ts-check
// tswasi inspect: what a module is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileC, runCli } from './helpers/wasm.mjs';

test('a C command: WASI preview1, imports all provided, exports, memory, custom sections', async (t) => {
  const wasm = compileC('cli_import');
  const cmd = compileC('trace_demo');
  if (!wasm || !cmd) return t.skip('no toolchain');
  let r = await runCli(['inspect', cmd]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /a command \(_start\)/);
  assert.match(r.stdout, /WASI: preview1 \(wasi_snapshot_preview1\)/);
  assert.match(r.stdout, /wasi_snapshot_preview1 \(all provided by tswasi\)/);
  assert.match(r.stdout, /✓ path_open: func \(i32, i32, i32, i32, i32, i64, i64, i32, i32\) -> \(i32\)/);
  assert.match(r.stdout, /_start: func \(\) -> \(\)/);
  assert.match(r.stdout, /memory: memory \d+ pages/);
  assert.match(r.stdout, /producers\.processed-by: .*clang/);
  r = await runCli(['inspect', wasm]);
  assert.match(r.stdout, /env \(1 not provided by tswasi\)/);
  assert.match(r.stdout, /✗ not_provided: func \(i32\) -> \(i32\)/);
  r = await runCli(['inspect', '--json', cmd]);
  const j = JSON.parse(r.stdout);
  assert.equal(j.kind, 'command');
  assert.ok(j.imports.every((/** @type {{ provided: boolean }} */ i) => i.provided));
});

test('inspect on a non-module is one clear error', async () => {
  const r = await runCli(['inspect', '/etc/hostname']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: /);
});
