// @ts-check
// src/memory-limit.ts in-process: the memory section rewritten so a guest's
// memory.grow fails past the limit, on modules built in the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { WASM_PAGE, limitMemory } from '../dist/src/memory-limit.js';
import { inspectModule } from '../dist/src/inspect.js';
import { UserError } from '../dist/src/errors.js';
import { compileC, compileWat, runWasi, tempDir, toolchainProblem } from './helpers/wasm.mjs';

const provided = () => true;
/**
 * [min, max] pages of each memory, as inspect reads them.
 * @param {Uint8Array} bytes
 * @returns {Array<[number, number | null]>}
 */
const memoriesOf = (bytes) => inspectModule(bytes, provided).memories.map((m) => [m.min, m.max]);

/** A module with a memory of `limits` and an export that grows it by `delta` pages (returns the old size or -1). */
const grower = (/** @type {string} */ limits) => compileWat(`(module
  (memory (export "memory") ${limits})
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "size") (result i32) memory.size))`);

/** @param {Uint8Array} bytes */
function instantiate(bytes) {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from(bytes)), {});
  return /** @type {{ grow(n: number): number, size(): number }} */ (/** @type {unknown} */ (exports));
}

test('a memory without a maximum gets the limit as its maximum; grow past it returns -1', async () => {
  const before = await grower('1');
  assert.deepEqual(memoriesOf(before), [[1, null]]);
  const after = limitMemory(before, 4);
  assert.deepEqual(memoriesOf(after), [[1, 4]]);
  const g = instantiate(after);
  assert.equal(g.grow(3), 1);
  assert.equal(g.grow(1), -1);
  assert.equal(g.size(), 4);
  // The original still grows past it: the limit is the rewrite's doing.
  assert.equal(instantiate(before).grow(8), 1);
});

test('a smaller maximum stays; a larger one is lowered', async () => {
  assert.deepEqual(memoriesOf(limitMemory(await grower('1 2'), 10)), [[1, 2]]);
  assert.deepEqual(memoriesOf(limitMemory(await grower('1 300'), 10)), [[1, 10]]);
});

test('only the memory section changes; a module without memory is unchanged', async () => {
  const before = await compileWat('(module (func (export "f") (result i32) i32.const 7) (global (export "g") i32 (i32.const 1)))');
  assert.deepEqual(Buffer.from(limitMemory(before, 1)), Buffer.from(before));
  const withMem = await grower('2');
  const after = limitMemory(withMem, 5);
  assert.notDeepEqual(Buffer.from(after), Buffer.from(withMem));
  const a = inspectModule(after, provided);
  const b = inspectModule(withMem, provided);
  assert.deepEqual(a.exports.map((e) => `${e.name}:${e.kind}:${e.type ?? ''}`), b.exports.map((e) => `${e.name}:${e.kind}:${e.type ?? ''}`));
});

test('a module that needs more than the limit at start, an imported memory, a 64-bit memory or a broken module: one UserError', async () => {
  const big = await grower('8');
  assert.throws(() => limitMemory(big, 4), (e) => e instanceof UserError && e.message === `memory limit exceeded: the module needs ${8 * WASM_PAGE} bytes of memory at start, the limit is ${4 * WASM_PAGE}`);
  const imported = await compileWat('(module (import "env" "memory" (memory 1)) (func (export "_start")))');
  assert.throws(() => limitMemory(imported, 4), UserError);
  const mem64 = await compileWat('(module (memory i64 1))', { features: { memory64: true } });
  assert.throws(() => limitMemory(mem64, 4), /64-bit memories are not supported/);
  // Cut short: a section says it is longer than what is left.
  const cut = (await grower('1')).subarray(0, 12);
  assert.throws(() => limitMemory(cut, 4), (e) => e instanceof UserError && /^malformed module: /.test(e.message));
});

test('a C guest under a 4 MiB limit: malloc fails inside the guest, which says how far it got', async (t) => {
  const wasm = compileC('oci_grow');
  if (!wasm) return t.skip(`no toolchain: ${toolchainProblem()}`);
  const limited = path.join(tempDir(), 'oci_grow.wasm');
  fs.writeFileSync(limited, limitMemory(fs.readFileSync(wasm), 64));
  const [[min, max]] = memoriesOf(fs.readFileSync(limited));
  assert.equal(max, 64);
  assert.ok(min <= 64);
  const r = await runWasi(limited);
  assert.equal(r.code, 0, r.stderr);
  const m = /^allocated (\d+) MiB\n$/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.ok(Number(m[1]) >= 1 && Number(m[1]) < 4, r.stdout);
});
