// @ts-check
// The module cache (src/module-cache.ts): one store of compiled modules keyed
// by content hash and memory limit, bounded, least recently used out first;
// used in-process by compileModule, compileModuleFile and the pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ModuleCache, moduleKey, contentHash, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_BYTES } from '../dist/src/module-cache.js';
import { compileModule, compileModuleFile } from '../dist/src/module.js';
import { createPool, UserError } from '../dist/src/index.js';
import { compileC, tempDir } from './helpers/wasm.mjs';

/** Three different real modules, or null without a toolchain. */
function modules() {
  const names = ['pool_guest', 'cli_exit', 'args_env'];
  /** @type {string[]} */
  const paths = [];
  for (const n of names) {
    const p = compileC(n);
    if (p === null) return null;
    paths.push(p);
  }
  const bytes = paths.map((p) => new Uint8Array(fs.readFileSync(p)));
  assert.equal(new Set(bytes.map((b) => contentHash(b))).size, 3, 'the three modules differ');
  return { paths, bytes };
}
/**
 * @param {Uint8Array} bytes
 * @param {number} [pages] the memory limit
 */
const key = (bytes, pages) => moduleKey(contentHash(bytes), pages);

test('the same bytes compile once: later calls (other buffers, same content) get the same module', (t) => {
  const m = modules();
  if (!m) return t.skip('no toolchain');
  const cache = new ModuleCache();
  const first = compileModule(m.bytes[0], 'a.wasm', { cache });
  const again = compileModule(new Uint8Array(m.bytes[0]), 'a.wasm', { cache });
  assert.equal(again, first);
  assert.equal(cache.stores, 1);
  assert.equal(cache.hits, 1);
  assert.equal(cache.size, 1);
  assert.equal(cache.bytes, m.bytes[0].length);
  assert.notEqual(compileModule(m.bytes[0], 'a.wasm', { cache: false }), first, 'cache: false compiles anew');
  assert.equal(cache.stores, 1);
});

test('a memory limit makes another module: one entry per (content, limit)', (t) => {
  const m = modules();
  if (!m) return t.skip('no toolchain');
  const cache = new ModuleCache();
  const plain = compileModule(m.bytes[0], 'a.wasm', { cache });
  const small = compileModule(m.bytes[0], 'a.wasm', { cache, memoryLimitPages: 64 });
  const large = compileModule(m.bytes[0], 'a.wasm', { cache, memoryLimitPages: 128 });
  assert.equal(new Set([plain, small, large]).size, 3);
  assert.equal(cache.size, 3);
  /** @type {[number | undefined, WebAssembly.Module][]} */
  const byLimit = [[undefined, plain], [64, small], [128, large]];
  for (const [pages, mod] of byLimit) {
    assert.ok(cache.has(key(m.bytes[0], pages)));
    assert.equal(compileModule(m.bytes[0], 'a.wasm', { cache, memoryLimitPages: pages }), mod);
  }
  assert.equal(cache.stores, 3);
  // The limit is applied before compiling: one below the module's initial memory is refused, and nothing is kept.
  assert.throws(() => compileModule(m.bytes[0], 'a.wasm', { cache, memoryLimitPages: 1 }), /memory limit exceeded: the module needs/);
  assert.equal(cache.size, 3);
});

test('the bound by count evicts the least recently used module', (t) => {
  const m = modules();
  if (!m) return t.skip('no toolchain');
  const [a, b, c] = m.bytes;
  const cache = new ModuleCache({ maxEntries: 2 });
  const ma = compileModule(a, 'a', { cache });
  const mb = compileModule(b, 'b', { cache });
  assert.equal(compileModule(a, 'a', { cache }), ma, 'a is now the most recently used');
  compileModule(c, 'c', { cache });
  assert.equal(cache.size, 2);
  assert.ok(!cache.has(key(b)), 'b, the least recently used, was evicted');
  assert.ok(cache.has(key(a)) && cache.has(key(c)));
  assert.equal(cache.bytes, a.length + c.length);
  assert.notEqual(compileModule(b, 'b', { cache }), mb, 'an evicted module is compiled again');
  assert.ok(!cache.has(key(a)), 'and pushes out a, now the least recently used');
});

test('the bound by source bytes evicts the least recently used; a module over the whole bound is not kept', (t) => {
  const m = modules();
  if (!m) return t.skip('no toolchain');
  const [a, b, c] = m.bytes;
  const cache = new ModuleCache({ maxBytes: a.length + b.length });
  compileModule(a, 'a', { cache });
  compileModule(b, 'b', { cache });
  assert.equal(cache.size, 2);
  compileModule(c, 'c', { cache });
  assert.ok(cache.bytes <= a.length + b.length, `${cache.bytes} bytes kept`);
  assert.ok(cache.has(key(c)));
  assert.ok(!cache.has(key(a)), 'a, the least recently used, was evicted');

  const tiny = new ModuleCache({ maxBytes: Math.min(a.length, b.length) - 1 });
  const first = compileModule(a, 'a', { cache: tiny });
  assert.equal(tiny.size, 0);
  assert.notEqual(compileModule(a, 'a', { cache: tiny }), first);
  assert.equal(new ModuleCache({ maxEntries: 0 }).size, 0);
});

test('limits: defaults, and bad values are rejected', () => {
  const cache = new ModuleCache();
  assert.equal(cache.maxEntries, DEFAULT_MAX_ENTRIES);
  assert.equal(cache.maxBytes, DEFAULT_MAX_BYTES);
  assert.equal(new ModuleCache({ maxBytes: Infinity }).maxBytes, Infinity);
  // '3' stands for a caller in plain JavaScript, which the types do not stop: hence unknown, cast at the call.
  /** @type {unknown[]} */
  const bads = [-1, 1.5, NaN, '3'];
  for (const bad of bads) {
    assert.throws(() => new ModuleCache({ maxEntries: /** @type {number} */ (bad) }), RangeError);
    assert.throws(() => new ModuleCache({ maxBytes: /** @type {number} */ (bad) }), RangeError);
  }
  assert.throws(() => createPool({ moduleCache: { maxEntries: -1 } }), /moduleCache.maxEntries must be a whole number/);
});

test('a module that fails to compile is not kept', () => {
  const cache = new ModuleCache();
  assert.throws(() => compileModule(new Uint8Array([1, 2, 3, 4]), 'x.wasm', { cache }), (e) => e instanceof UserError && /x.wasm is not a WebAssembly module/.test(e.message));
  assert.throws(() => compileModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99]), 'y.wasm', { cache }), /y.wasm failed to compile/);
  assert.equal(cache.size, 0);
});

test('a file is compiled once while unchanged; a changed file is read and compiled again', async (t) => {
  const m = modules();
  if (!m) return t.skip('no toolchain');
  const file = path.join(tempDir(), 'app.wasm');
  fs.writeFileSync(file, m.bytes[0]);
  const cache = new ModuleCache();
  const first = await compileModuleFile(file, { cache });
  assert.equal(await compileModuleFile(file, { cache }), first);
  assert.equal(cache.stores, 1);

  fs.writeFileSync(file, m.bytes[1]);
  const changed = await compileModuleFile(file, { cache });
  assert.notEqual(changed, first);
  assert.equal(cache.stores, 2);
  assert.ok(cache.has(key(m.bytes[1])));

  // Touched but the same content: read and hashed again, found by its hash.
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(file, later, later);
  assert.equal(await compileModuleFile(file, { cache }), changed);
  assert.equal(cache.stores, 2);
  // The same content at another path is the same module.
  const other = path.join(path.dirname(file), 'copy.wasm');
  fs.copyFileSync(file, other);
  assert.equal(await compileModuleFile(other, { cache }), changed);
  await assert.rejects(compileModuleFile(path.join(path.dirname(file), 'none.wasm'), { cache }), /cannot read module .*none.wasm: no such file/);
});

test('an unchanged file (device, inode, size, mtime) is not read again', async (t) => {
  const m = modules();
  if (!m) return t.skip('no toolchain');
  const file = path.join(tempDir(), 'app.wasm');
  const epoch = new Date(1_000_000_000_000);
  fs.writeFileSync(file, m.bytes[0]);
  fs.utimesSync(file, epoch, epoch);
  const cache = new ModuleCache();
  const first = await compileModuleFile(file, { cache });
  // Other bytes of the same size, in place, with the same mtime: the stamp is the same, so the file is not read.
  fs.writeFileSync(file, new Uint8Array(m.bytes[0].length).fill(0xff));
  fs.utimesSync(file, epoch, epoch);
  assert.equal(await compileModuleFile(file, { cache }), first);
  // A new mtime: read again, and these bytes are no module.
  fs.utimesSync(file, new Date(), new Date());
  await assert.rejects(compileModuleFile(file, { cache }), (e) => e instanceof UserError && /app.wasm is not a WebAssembly module \(bad magic number\)/.test(e.message));
});

test('pool: a changed module file is run as changed; a pool may have a cache of its own', async (t) => {
  const m = modules();
  if (!m) return t.skip('no toolchain');
  const file = path.join(tempDir(), 'app.wasm');
  fs.writeFileSync(file, m.bytes[0]);
  for (const options of [{}, { moduleCache: { maxEntries: 1 } }, { moduleCache: { maxEntries: 0 } }]) {
    const pool = createPool({ maxThreads: 1, ...options });
    try {
      fs.writeFileSync(file, m.bytes[0]);
      for (let i = 0; i < 2; i++) {
        const r = await pool.run(file, { args: ['g', 'env', 'X'], env: { X: 'y' } });
        assert.equal(r.stdout.toString(), 'y\n');
      }
      fs.writeFileSync(file, m.bytes[1]);
      const r = await pool.run(file, { args: ['app', '7'] });
      assert.equal(r.exitCode, 7, JSON.stringify(options));
      assert.match(r.stdout.toString(), /^arg1=7\n/);
      const limited = await pool.run(m.bytes[0], { args: ['g', 'env', 'X'], env: { X: 'z' }, memoryLimit: 64 << 20 });
      assert.equal(limited.stdout.toString(), 'z\n');
    } finally {
      await pool.destroy();
    }
  }
});
