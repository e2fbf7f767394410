// @ts-check
// tswasi inspect: what a module is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileC, runCli, tempDir } from './helpers/wasm.mjs';

/** @typedef {import('../dist/src/inspect.js').ModuleReport} ModuleReport what `inspect --json` prints */

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
  const j = /** @type {ModuleReport} */ (JSON.parse(r.stdout));
  assert.equal(j.kind, 'command');
  assert.ok(j.imports.every((i) => i.provided));
});

test('inspect on a non-module is one clear error', async () => {
  const r = await runCli(['inspect', '/etc/hostname']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: /);
});

test('inspect marks a WASI import with the wrong type as not provided, naming the right type', async () => {
  const dir = tempDir();
  const file = join(dir, 'mistyped.wat');
  // fd_write takes four i32s; this module declares it with three, so it would not link.
  writeFileSync(file, `(module
    (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
    (memory (export "memory") 1)
    (func (export "_start")))`);
  let r = await runCli(['inspect', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wasi_snapshot_preview1 \(1 not provided by tswasi as typed\)/);
  assert.match(r.stdout, /✗ fd_write: func \(i32, i32, i32\) -> \(i32\) \(wrong type: tswasi's is \(i32, i32, i32, i32\) -> \(i32\)\)/);
  assert.match(r.stdout, /✓ proc_exit: func \(i32\) -> \(\)/);
  r = await runCli(['inspect', '--json', file]);
  const fdWrite = /** @type {ModuleReport} */ (JSON.parse(r.stdout)).imports.find((i) => i.name === 'fd_write');
  assert.ok(fdWrite, 'fd_write is listed');
  assert.equal(fdWrite.provided, false);
  assert.equal(fdWrite.expected, '(i32, i32, i32, i32) -> (i32)');
});

test('inspect names the WASI calls by group; a socket server is told where its listeners come from', async (t) => {
  const server = compileC('http_serve');
  const plain = compileC('trace_demo');
  if (!server || !plain) return t.skip('no toolchain');
  let r = await runCli(['inspect', server]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^WASI calls by group: .*\bsock 4\b/m);
  assert.match(r.stdout, /^sockets: sock_accept, sock_recv, sock_send, sock_shutdown - it serves on listeners the host gives it \(tswasi run --tcplisten/m);
  assert.match(r.stdout, /✓ sock_recv: func \(i32, i32, i32, i32, i32, i32\) -> \(i32\)/);
  r = await runCli(['inspect', '--json', server]);
  assert.deepEqual(/** @type {ModuleReport} */ (JSON.parse(r.stdout)).wasiGroups.sock, ['sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown']);
  r = await runCli(['inspect', plain]);
  assert.doesNotMatch(r.stdout, /^sockets:/m);
  assert.match(r.stdout, /^WASI calls by group: /m);
});
