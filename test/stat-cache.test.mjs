// @ts-check
// fd_readdir keeps the lstat it takes of each entry (d_ino) to answer the
// guest's next stat of it (wasi/fs/stat-cache.ts). These runs make the kept
// stats stale in every way the guest itself can and check it never sees one;
// a positive control shows the cache was in use (else the rest proves nothing).
// Real files in a temp dir, a real C program.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { IMPL, assertOk, compileC, runWasi, toolchainProblem } from './helpers/wasm.mjs';

const wasm = /** @type {string} */ (compileC('stat_cache'));
const skip = !wasm && `clang/wasi-libc for wasm32-wasi not available: ${toolchainProblem()}`;

/** An embedder's import that changes a file where WASI cannot see it. */
/** @param {{ dir: string | undefined }} where */
const outsideAppend = (where) => ({ test: { outside_append: () => fs.appendFileSync(path.join(/** @type {string} */ (where.dir), 'd', 'p'), 'xyz') } });

test('stat cache: after a listing, every change the guest makes shows in its next stat', { skip }, async () => {
  const r = await runWasi(wasm, { imports: outsideAppend });
  assertOk(r);
});

test('stat cache: in use (an embedder import changing a file right after a listing is not seen at once)', { skip: skip || (IMPL === 'node' && 'node:wasi keeps no stats') }, async () => {
  // 50 tries: each one lists, changes, stats within microseconds; the kept stat lives 5 ms.
  const r = await runWasi(wasm, { args: ['control'], imports: outsideAppend });
  assertOk(r);
  assert.match(r.stdout, /^control: stale\n/, r.stdout);
});

test('stat cache: statCache: false turns it off', { skip: skip || (IMPL === 'node' && 'tswasi option') }, async () => {
  const r = await runWasi(wasm, { args: ['control'], imports: outsideAppend, wasiOptions: { statCache: false } });
  assertOk(r);
  assert.match(r.stdout, /^control: fresh\n/, r.stdout);
});
