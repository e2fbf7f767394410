// @ts-check
// What a module is: `tswasi inspect` through the CLI, then src/inspect.ts
// in-process on modules built in the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileC, compileWat, runCli, tempDir, toolchainProblem } from './helpers/wasm.mjs';
import { formatReport, inspectModule } from '../dist/src/inspect.js';
import { WASI_FUNCTIONS } from '../dist/wasi/functions.js';
import { UserError } from '../dist/src/errors.js';

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

/** What tswasi provides: wasi_snapshot_preview1's functions. */
const provided = (/** @type {string} */ module, /** @type {string} */ name) => module === 'wasi_snapshot_preview1' && name in WASI_FUNCTIONS;

test('a C command: preview1, every import provided with its signature, memory, producers', (t) => {
  const wasm = compileC('trace_demo');
  if (!wasm) return t.skip(`no toolchain: ${toolchainProblem()}`);
  const bytes = fs.readFileSync(wasm);
  const m = inspectModule(bytes, provided);
  assert.equal(m.size, bytes.length);
  assert.equal(m.kind, 'command');
  assert.equal(m.wasi, 'preview1 (wasi_snapshot_preview1)');
  assert.equal(m.assemblyscript, false);
  assert.ok(m.imports.length > 0 && m.imports.every((i) => i.module === 'wasi_snapshot_preview1' && i.kind === 'func' && i.provided));
  const open = m.imports.find((i) => i.name === 'path_open');
  assert.equal(open?.type, '(i32, i32, i32, i32, i32, i64, i64, i32, i32) -> (i32)');
  assert.deepEqual(m.exports.find((e) => e.name === '_start'), { name: '_start', kind: 'func', type: '() -> ()' });
  assert.equal(m.memories.length, 1);
  assert.equal(m.memories[0].exported, 'memory');
  assert.equal(m.memories[0].imported, null);
  assert.equal(m.functions.imported, m.imports.length);
  assert.ok(m.functions.defined > 0);
  assert.ok(m.producers['processed-by']?.some((p) => /clang/.test(p)), JSON.stringify(m.producers));
  const text = formatReport('trace_demo.wasm', m);
  assert.match(text, /a command \(_start\)/);
  assert.match(text, /✓ path_open: func \(i32, i32, i32, i32, i32, i64, i64, i32, i32\) -> \(i32\)/);
});

test('a C import nobody provides, a reactor, a library: kinds and ✗', (t) => {
  const imp = compileC('cli_import');
  const reactor = compileC('reactor_say', ['-mexec-model=reactor']);
  if (!imp || !reactor) return t.skip(`no toolchain: ${toolchainProblem()}`);
  const m = inspectModule(fs.readFileSync(imp), provided);
  assert.deepEqual(m.imports.filter((i) => !i.provided).map((i) => `${i.module}.${i.name} ${i.type}`), ['env.not_provided (i32) -> (i32)']);
  assert.match(formatReport('cli_import.wasm', m), /✗ not_provided: func \(i32\) -> \(i32\)/);
  const r = inspectModule(fs.readFileSync(reactor), provided);
  assert.equal(r.kind, 'reactor');
  assert.ok(r.exports.some((e) => e.name === 'say' && e.type === '(i32) -> (i32)'));
});

test('hand-written modules: limits, shared and imported memories, tables, globals, start, custom sections', async () => {
  const lib = inspectModule(await compileWat(`(module
    (import "env" "mem" (memory 2 10))
    (table (export "t") 4 funcref)
    (global (export "g") (mut i64) (i64.const 0))
    (func $init)
    (start $init)
    (func (export "add") (param i32 f64) (result f64) local.get 1))`), provided);
  assert.equal(lib.kind, 'library');
  assert.equal(lib.wasi, null);
  assert.equal(lib.start, true);
  assert.deepEqual(lib.memories.map((m) => [m.min, m.max, m.shared, m.imported]), [[2, 10, false, 'env::mem']]);
  assert.deepEqual(lib.imports.map((i) => [i.kind, i.provided]), [['memory', false]]);
  assert.deepEqual(lib.exports.map((e) => `${e.name}:${e.kind}`), ['t:table', 'g:global', 'add:func']);
  assert.equal(lib.exports.find((e) => e.name === 'add')?.type, '(i32, f64) -> (f64)');
  // A shared memory (wabt's text parser here refuses them): the header, then a memory section (id 5, 4 bytes): one memory, flags 3 (max, shared), 1..4 pages.
  const sharedBytes = Buffer.concat([(await compileWat('(module)')).subarray(0, 8), Buffer.from([5, 4, 1, 3, 1, 4])]);
  assert.ok(WebAssembly.validate(sharedBytes));
  const shared = inspectModule(sharedBytes, provided);
  assert.deepEqual(shared.memories.map((m) => [m.min, m.max, m.shared, m.exported]), [[1, 4, true, null]]);
  // A custom section: wabt writes the name section when asked; here a hand-built one.
  const bytes = await compileWat('(module)');
  const custom = Buffer.concat([bytes, Buffer.from([0, 8, 5, ...Buffer.from('hello'), 1, 2])]);
  // The section's size, its name included.
  assert.deepEqual(inspectModule(custom, provided).customSections, [{ name: 'hello', size: 8 }]);
});

test('not a module, or a section it reads cut short: one UserError, not a report', async () => {
  assert.throws(() => inspectModule(Buffer.from('hello, not wasm'), provided), (e) => e instanceof UserError && e.message === 'not a WebAssembly module (bad magic number)');
  const bytes = await compileWat('(module (type (func (param i32))) (func (export "f") (type 0)))');
  // Header, then the type section's id and size, and one byte of its body.
  const typeSectionCut = bytes.subarray(0, 8 + 3);
  assert.throws(() => inspectModule(typeSectionCut, provided), (e) => e instanceof UserError && /^malformed module: /.test(e.message));
  // Cut inside the code section, which inspect skips unread: still malformed, not a report.
  const codeCut = bytes.subarray(0, bytes.length - 3);
  assert.throws(() => inspectModule(codeCut, provided), (e) => e instanceof UserError && /^malformed module: section 10 says \d+ bytes, \d+ are left$/.test(e.message));
});
