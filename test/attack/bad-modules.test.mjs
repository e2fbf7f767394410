// @ts-check
// Bad modules through the CLI (issue 6): each must give exactly one clear
// `error:` line on stderr (no stack trace), the right exit status, and
// finish in time. Valid-but-extreme modules (4 GiB memory, 50 MB) must run.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { tempDir } from '../helpers/tmp.mjs';
import { compileWat } from '../helpers/wasm.mjs';
import { compileAttack, runCli, summary } from './lib.mjs';

const dir = tempDir('tswasi-attack-bad-');
const TIMEOUT = 60_000;
/** @type {{ inputs: number, unclear: number, failures: string[] }} */
const tally = { inputs: 0, unclear: 0, failures: [] };
after(() => {
  summary(`attack: bad inputs ${tally.inputs}, unclear errors ${tally.unclear}`);
  for (const f of tally.failures) summary(`  UNCLEAR ${f}`);
});

/** @param {string} text a module as parsed, not validated: some are meant to be invalid */
const wat = (text) => compileWat(text, { name: 'm.wat', validate: false });
const uleb = (/** @type {number} */ n) => { /** @type {number[]} */ const out = []; do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n); return out; };
const section = (/** @type {number} */ id, /** @type {number[]} */ body) => Buffer.from([id, ...uleb(body.length), ...body]);
const str = (/** @type {string} */ s) => [...uleb(Buffer.byteLength(s)), ...Buffer.from(s)];
/**
 * A module with one data segment of `size` bytes, memory to hold it, and an empty _start.
 * @param {number} size
 */
function bigDataModule(size) {
  const pages = Math.ceil(size / 65536) + 1;
  const head = Buffer.concat([
    Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    section(1, [1, 0x60, 0, 0]),
    section(3, [1, 0]),
    section(5, [1, 0, ...uleb(pages)]),
    section(7, [2, ...str('memory'), 2, 0, ...str('_start'), 0, 0]),
    section(10, [1, 2, 0, 0x0b]),
  ]);
  const segHead = Buffer.from([1, 0, 0x41, 0, 0x0b, ...uleb(size)]);
  const data = Buffer.alloc(size, 0x5a);
  const body = Buffer.concat([segHead, data]);
  return Buffer.concat([head, Buffer.from([11, ...uleb(body.length)]), body]);
}
/**
 * @param {string} name
 * @param {string | Uint8Array} bytes
 */
function write(name, bytes) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return p;
}

/**
 * expect: { code, error: RegExp for the one line (or null: no error expected), stdout?: RegExp }
 * @param {string} label
 * @param {string} file
 * @param {{ code: number, error: RegExp | null, stdout?: RegExp }} expect
 * @param {string[]} [extraArgs]
 */
async function check(label, file, expect, extraArgs = []) {
  tally.inputs++;
  const r = await runCli(['run', ...extraArgs, file], { timeout: TIMEOUT });
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  const problems = [];
  if (r.timedOut) problems.push(`no exit within ${TIMEOUT} ms`);
  if (r.signal) problems.push(`killed by ${r.signal}`);
  if (r.code !== expect.code) problems.push(`exit status ${r.code}, expected ${expect.code}`);
  if (/\n\s+at |node:internal|Error: .*\n.*at /.test(r.stderr)) problems.push('stack trace on stderr');
  if (expect.error) {
    if (lines.length !== 1) problems.push(`${lines.length} stderr lines, expected 1`);
    if (!lines[0]?.startsWith('error: ')) problems.push('stderr does not start with "error: "');
    else if (!expect.error.test(lines[0])) problems.push(`unclear: ${JSON.stringify(lines[0])} does not say ${expect.error}`);
  } else if (lines.length) problems.push(`unexpected stderr`);
  if (expect.stdout && !expect.stdout.test(r.stdout)) problems.push(`stdout ${JSON.stringify(r.stdout.slice(0, 200))}`);
  if (problems.length) {
    tally.unclear++;
    tally.failures.push(`${label}: ${problems.join('; ')} — stderr: ${JSON.stringify(r.stderr.slice(0, 300))}`);
  }
  assert.deepEqual(problems, [], `${label}\nexit ${r.code} signal ${r.signal} in ${r.ms} ms\nstderr:\n${r.stderr.slice(0, 3000)}`);
  return r;
}

test('empty file', async () => {
  await check('empty', write('empty.wasm', Buffer.alloc(0)), { code: 1, error: /empty/i });
});
test('random bytes', async () => {
  await check('random', write('random.wasm', randomBytes(4096)), { code: 1, error: /not a WebAssembly module|magic/i });
});
test('random bytes after a valid header', async () => {
  await check('random-after-header', write('rh.wasm', Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), randomBytes(4096)])), { code: 1, error: /compile/i });
});
test('truncated module (half of a real one, and the header alone)', async () => {
  const wasm = compileAttack('escape') ?? (await wat('(module (memory (export "memory") 1) (func (export "_start")))'));
  const bytes = fs.readFileSync(typeof wasm === 'string' ? wasm : write('tmp.wasm', wasm));
  await check('truncated-half', write('half.wasm', bytes.subarray(0, Math.floor(bytes.length / 2))), { code: 1, error: /compile/i });
  await check('truncated-header', write('header.wasm', bytes.subarray(0, 6)), { code: 1, error: /compile|version|WebAssembly/i });
  await check('magic-only', write('magic.wasm', bytes.subarray(0, 4)), { code: 1, error: /compile|version|WebAssembly/i });
});
test('wrong version (2, a component\'s 0x0d)', async () => {
  await check('version-2', write('v2.wasm', Buffer.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])), { code: 1, error: /version/i });
  await check('component', write('comp.wasm', Buffer.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0])), { code: 1, error: /version|component/i });
});
test('a module importing unknown functions', async () => {
  await check('unknown-import', write('imp.wasm', await wat('(module (import "env" "not_provided" (func)) (memory (export "memory") 1) (func (export "_start")))')), { code: 1, error: /unknown import.*env.*not_provided/ });
  await check('unknown-wasi-import', write('imp2.wasm', await wat('(module (import "wasi_snapshot_preview1" "no_such_call" (func)) (memory (export "memory") 1) (func (export "_start")))')), { code: 1, error: /unknown import.*no_such_call/ });
  await check('wrong-signature', write('imp3.wasm', await wat('(module (import "wasi_snapshot_preview1" "fd_write" (func (param i64))) (memory (export "memory") 1) (func (export "_start")))')), { code: 1, error: /fd_write|import|signature|type/i });
  await check('memory-import', write('imp4.wasm', await wat('(module (import "env" "memory" (memory 1)) (func (export "_start")))')), { code: 1, error: /import.*memory|memory/i });
});
test('a start function that traps', async () => {
  await check('start-trap', write('st.wasm', await wat('(module (memory (export "memory") 1) (func $s unreachable) (start $s) (func (export "_start")))')), { code: 134, error: /trap|unreachable/i });
  await check('_start-trap', write('st2.wasm', await wat('(module (memory (export "memory") 1) (func (export "_start") i32.const 1 i32.const 0 i32.div_s drop))')), { code: 134, error: /trap.*divide by zero|divide/i });
  await check('stack-overflow', write('so.wasm', await wat('(module (memory (export "memory") 1) (func $f call $f) (func (export "_start") call $f))')), { code: 134, error: /trap|stack/i });
  await check('oob-memory', write('oob.wasm', await wat('(module (memory (export "memory") 1) (func (export "_start") i32.const 70000 i32.load drop))')), { code: 134, error: /trap|out of bounds/i });
});
test('a start function that calls WASI (before memory is attached) and proc_exit', async () => {
  const m = await wat(`(module
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func $s (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))) (call $exit (i32.const 7)))
    (start $s) (func (export "_start")))`);
  // wasmtime runs the start function at instantiation; proc_exit there ends the program with its code.
  tally.inputs++;
  const r = await runCli(['run', write('stexit.wasm', m)], { timeout: TIMEOUT });
  const ok = !r.timedOut && !/\n\s+at /.test(r.stderr) && (r.code === 7 || (r.code === 1 && /^error: [^\n]+\n$/.test(r.stderr)));
  if (!ok) { tally.unclear++; tally.failures.push(`start-proc_exit: exit ${r.code}, stderr ${JSON.stringify(r.stderr.slice(0, 300))}`); }
  assert.ok(ok, `exit ${r.code}\n${r.stderr}`);
});
test('a module declaring 4 GiB of memory (65536 pages) runs or fails with one line', async () => {
  tally.inputs++;
  const m = await wat('(module (memory (export "memory") 65536) (func (export "_start") i32.const 4294967292 i32.const 42 i32.store))');
  const r = await runCli(['run', write('mem4g.wasm', m)], { timeout: TIMEOUT });
  const oneLine = r.code === 1 && /^error: [^\n]*(memory|allocate)[^\n]*\n$/i.test(r.stderr);
  const ran = r.code === 0 && r.stderr === '';
  if (!(oneLine || ran) || r.timedOut) { tally.unclear++; tally.failures.push(`mem-4GiB: exit ${r.code}, stderr ${JSON.stringify(r.stderr.slice(0, 300))}`); }
  assert.ok((oneLine || ran) && !r.timedOut, `exit ${r.code} signal ${r.signal}\n${r.stderr}`);
  // More than 4 GiB cannot even be declared.
  const over = Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), section(5, [1, 0, ...uleb(65537)])]);
  await check('mem-over-4GiB', write('mem4g1.wasm', over), { code: 1, error: /compile|memory|pages|maximum/i });
  // A memory that may grow to 4 GiB, grown all the way.
  await check('grow-to-4GiB', write('grow.wasm', await wat('(module (memory (export "memory") 1 65536) (func (export "_start") (drop (memory.grow (i32.const 65535)))))')), { code: 0, error: null });
});
test('a 50 MB module (a big data segment) runs; a 50 MB module cut short fails with one line', async () => {
  const big = bigDataModule(50 * 1024 * 1024);
  const r = await check('50MB', write('big.wasm', big), { code: 0, error: null });
  assert.ok(r.ms < TIMEOUT);
  await check('50MB-truncated', write('bigcut.wasm', big.subarray(0, big.length - 1000)), { code: 1, error: /compile/i });
});
test('a 50 MB module of many functions', async () => {
  // 2,000,000 functions of one body each would be slow to write by WAT; use 400,000 bodies of ~125 bytes.
  const n = 400_000;
  const body = [0, ...Array(60).fill([0x41, 1, 0x1a]).flat(), 0x0b]; // (i32.const 1; drop) x 60
  const bodies = Buffer.from(Array(n).fill([...uleb(body.length), ...body]).flat());
  const mod = Buffer.concat([
    Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    section(1, [1, 0x60, 0, 0]),
    Buffer.from([3, ...uleb(uleb(n).length + n), ...uleb(n)]), Buffer.alloc(n, 0),
    section(5, [1, 0, 1]),
    section(7, [2, ...str('memory'), 2, 0, ...str('_start'), 0, 0]),
    Buffer.from([10, ...uleb(uleb(n).length + bodies.length), ...uleb(n)]), bodies,
  ]);
  assert.ok(mod.length > 50e6, `${mod.length}`);
  await check('50MB-functions', write('funcs.wasm', mod), { code: 0, error: null });
});
test('not a module at all: a directory, a missing file, a WAT syntax error, no _start, no memory', async () => {
  await check('directory', dir, { code: 1, error: /directory/ });
  await check('missing', path.join(dir, 'nope.wasm'), { code: 1, error: /no such file/ });
  await check('bad-wat', write('bad.wat', '(module (func (export "_start") i32.bogus))'), { code: 1, error: /wat|bogus|parse|compile/i });
  await check('no-start', write('nostart.wasm', await wat('(module (memory (export "memory") 1))')), { code: 1, error: /_start/ });
  await check('no-memory', write('nomem.wasm', await wat('(module (func (export "_start")))')), { code: 1, error: /memory/ });
  await check('start-not-func', write('startglobal.wasm', await wat('(module (memory (export "memory") 1) (global (export "_start") i32 (i32.const 0)))')), { code: 1, error: /_start/ });
});
