// @ts-check
// The worker pool and the embedding API: import { WASI, run, createPool } from 'tswasi'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { memfs } from 'memfs';
import { compileC, tempDir, ROOT } from './helpers/wasm.mjs';

const api = await import('../dist/src/index.js');
const guest = () => compileC('pool_guest');

test('the public entry point exports WASI, run and createPool', () => {
  assert.equal(typeof api.WASI, 'function');
  assert.equal(typeof api.run, 'function');
  assert.equal(typeof api.createPool, 'function');
});

test('each call gets a fresh instance: memory and globals never leak between calls', async (t) => {
  const wasm = guest();
  if (!wasm) return t.skip('no toolchain');
  const pool = api.createPool({ maxThreads: 1 });
  try {
    for (let i = 0; i < 5; i++) {
      const r = await pool.run(wasm, { args: ['g', 'state'] });
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdout.toString(), 'counter=0 buffer=\n');
    }
  } finally {
    await pool.destroy();
  }
});

test('a module as a path, as bytes and compiled; run() is the one-shot form', async (t) => {
  const wasm = guest();
  if (!wasm) return t.skip('no toolchain');
  const bytes = fs.readFileSync(wasm);
  const pool = api.createPool({ maxThreads: 2 });
  try {
    for (const m of [wasm, bytes, new WebAssembly.Module(bytes)]) {
      const r = await pool.run(m, { args: ['g', 'env', 'X'], env: { X: 'y' } });
      assert.equal(r.stdout.toString(), 'y\n');
      assert.ok(r.durationMs >= 0);
    }
  } finally {
    await pool.destroy();
  }
  const r = await api.run(wasm, { args: ['g', 'env', 'X'], env: { X: 'one-shot' } });
  assert.equal(r.stdout.toString(), 'one-shot\n');
});

test('a module path that cannot be read rejects with the CLI\'s one-line error', async () => {
  const dir = tempDir();
  const missing = path.join(dir, 'missing.wasm');
  const pool = api.createPool({ maxThreads: 1 });
  try {
    await assert.rejects(pool.run(missing), (e) => {
      assert.ok(e instanceof api.UserError, `a UserError, not ${e?.constructor?.name}`);
      assert.equal(e.message, `cannot read module ${missing}: no such file`);
      return true;
    });
    await assert.rejects(pool.run(dir), { message: `cannot read module ${dir}: is a directory` });
  } finally {
    await pool.destroy();
  }
  await assert.rejects(api.run(missing), { message: `cannot read module ${missing}: no such file` });
});

test('concurrent calls: outputs never mix', async (t) => {
  const wasm = guest();
  if (!wasm) return t.skip('no toolchain');
  const pool = api.createPool({ maxThreads: 2 });
  try {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => pool.run(wasm, { args: ['g', 'id', String(i)] })));
    results.forEach((r, i) => assert.equal(r.stdout.toString(), `[${i}]`.repeat(200) + '\n'));
  } finally {
    await pool.destroy();
  }
});

test('timeoutMs stops a spinning guest; the worker is replaced and the pool goes on', async (t) => {
  const wasm = guest();
  if (!wasm) return t.skip('no toolchain');
  const pool = api.createPool({ maxThreads: 1 });
  try {
    const started = Date.now();
    const r = await pool.run(wasm, { args: ['g', 'spin'], timeoutMs: 300 });
    assert.equal(r.error?.kind, 'timeout');
    assert.equal(r.exitCode, 124);
    assert.ok(Date.now() - started < 3000);
    const after = await pool.run(wasm, { args: ['g', 'state'] });
    assert.equal(after.stdout.toString(), 'counter=0 buffer=\n');
  } finally {
    await pool.destroy();
  }
});

test('calls handed ahead to a busy thread: a call that times out shares no thread, so it stops no other call', async (t) => {
  const wasm = guest();
  if (!wasm) return t.skip('no toolchain');
  assert.throws(() => api.createPool({ tasksPerThread: 0 }), /tasksPerThread must be a whole number >= 1/);
  const pool = api.createPool({ maxThreads: 1, tasksPerThread: 4 });
  try {
    const before = Array.from({ length: 6 }, (_, i) => pool.run(wasm, { args: ['g', 'id', String(i)] }));
    const spin = pool.run(wasm, { args: ['g', 'spin'], timeoutMs: 300 });
    const after = Array.from({ length: 6 }, (_, i) => pool.run(wasm, { args: ['g', 'id', String(i + 6)] }));
    const results = await Promise.all([...before, ...after]);
    results.forEach((r, i) => assert.deepEqual([r.exitCode, r.stdout.toString()], [0, `[${i}]`.repeat(200) + '\n']));
    assert.equal((await spin).error?.kind, 'timeout');
  } finally {
    await pool.destroy();
  }
});

test('captured output many times its ring\'s size comes back whole', async (t) => {
  const wasm = guest();
  if (!wasm) return t.skip('no toolchain');
  const pool = api.createPool({ maxThreads: 2 });
  try {
    const input = Buffer.alloc(1 << 20);
    for (let i = 0; i < input.length; i++) input[i] = (i * 7 + (i >> 12)) & 0xff;
    const rs = await Promise.all([0, 1, 2].map(() => pool.run(wasm, { args: ['g', 'cat'], stdin: input })));
    for (const r of rs) {
      assert.equal(r.exitCode, 0);
      assert.ok(r.stdout.equals(input), 'stdout is stdin, byte for byte');
    }
  } finally {
    await pool.destroy();
  }
});

test('an AbortSignal stops a guest; the call rejects with AbortError', async (t) => {
  const wasm = guest();
  if (!wasm) return t.skip('no toolchain');
  const pool = api.createPool({ maxThreads: 1 });
  try {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    await assert.rejects(pool.run(wasm, { args: ['g', 'spin'], signal: ac.signal }), { name: 'AbortError' });
    assert.equal((await pool.run(wasm, { args: ['g', 'env', 'A'], env: { A: 'ok' } })).stdout.toString(), 'ok\n');
  } finally {
    await pool.destroy();
  }
});

test('memoryLimit: growing past it is a clear error, not a crash of the pool', async (t) => {
  const wasm = guest();
  if (!wasm) return t.skip('no toolchain');
  const pool = api.createPool({ maxThreads: 1 });
  try {
    const r = await pool.run(wasm, { args: ['g', 'oom'], memoryLimit: 16 * 1024 * 1024 });
    assert.equal(r.error?.kind, 'memory', JSON.stringify(r.error));
    assert.match(r.error.message, /memory limit of 16777216 bytes reached/);
    assert.notEqual(r.exitCode, 0);
    const ok = await pool.run(wasm, { args: ['g', 'state'], memoryLimit: 16 * 1024 * 1024 });
    assert.equal(ok.exitCode, 0);
  } finally {
    await pool.destroy();
  }
});

test('a trap comes back as a value and the pool survives it', async (t) => {
  const trap = compileC('cli_trap');
  const wasm = guest();
  if (!trap || !wasm) return t.skip('no toolchain');
  const pool = api.createPool({ maxThreads: 1 });
  try {
    const r = await pool.run(trap, { args: ['t'] });
    assert.equal(r.exitCode, 134);
    assert.equal(r.error?.kind, 'trap');
    assert.match(r.error.message, /^wasm trap: unreachable/);
    assert.equal((await pool.run(wasm, { args: ['g', 'state'] })).exitCode, 0);
  } finally {
    await pool.destroy();
  }
});

test('a full queue rejects with a clear error', async (t) => {
  const wasm = guest();
  if (!wasm) return t.skip('no toolchain');
  const pool = api.createPool({ maxThreads: 1, maxQueue: 1 });
  try {
    const busy = pool.run(wasm, { args: ['g', 'spin'], timeoutMs: 500 });
    await sleep(100);
    const queued = pool.run(wasm, { args: ['g', 'state'] });
    await sleep(50);
    await assert.rejects(pool.run(wasm, { args: ['g', 'state'] }), /queue is full/);
    assert.equal((await busy).error?.kind, 'timeout');
    assert.equal((await queued).exitCode, 0);
  } finally {
    await pool.destroy();
  }
});

test('stdin from a stream (shared memory, no polling), stdout streamed as written', async (t) => {
  const wasm = guest();
  if (!wasm) return t.skip('no toolchain');
  const pool = api.createPool({ maxThreads: 1 });
  try {
    const big = Buffer.alloc(300 * 1024, 'abcdefghij');
    async function* slowly() {
      for (let i = 0; i < big.length; i += 50_000) {
        await sleep(5);
        yield big.subarray(i, i + 50_000);
      }
    }
    /** @type {Uint8Array[]} */
    const chunks = [];
    const r = await pool.run(wasm, { args: ['g', 'cat'], stdin: Readable.from(slowly()), stdout: (c) => chunks.push(c) });
    assert.equal(r.exitCode, 0);
    assert.ok(Buffer.concat(chunks).equals(big));
    const s = await pool.run(wasm, { args: ['g', 'cat'], stdin: 'plain string' });
    assert.equal(s.stdout.toString(), 'plain string');
  } finally {
    await pool.destroy();
  }
});

test('preopens: host directories and memfs volumes (the guest\'s changes come back)', async (t) => {
  const wasm = guest();
  if (!wasm) return t.skip('no toolchain');
  const dir = tempDir();
  const { vol } = memfs({ '/existing.txt': 'hi' });
  const pool = api.createPool({ maxThreads: 1 });
  try {
    let r = await pool.run(wasm, { args: ['g', 'write', '/host/out.txt', 'to host'], preopens: { '/host': dir } });
    assert.equal(r.exitCode, 0);
    assert.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), 'to host');
    r = await pool.run(wasm, { args: ['g', 'write', '/mem/out.txt', 'to memory'], preopens: { '/mem': vol } });
    assert.equal(r.exitCode, 0);
    assert.deepEqual(vol.toJSON(), { '/existing.txt': 'hi', '/out.txt': 'to memory' });
  } finally {
    await pool.destroy();
  }
});

test('pools destroyed while their workers start never take the process down; the worker is CommonJS', async (t) => {
  const wasm = guest();
  if (!wasm) return t.skip('no toolchain');
  // piscina require()s the worker's file. Were it an ES module, Node 22's
  // require(esm) could meet a worker's termination while linking it: a fatal
  // V8 error that ends the embedding process (seen once in CI, after a
  // pool.destroy()). The launcher is CommonJS and exports the handler.
  const { createRequire } = await import('node:module');
  const worker = path.join(ROOT, 'dist/src/pool/guest-worker.cjs');
  const exported = createRequire(import.meta.url)(worker);
  assert.equal(typeof exported.default, 'function');
  const script = `
    const { createPool } = await import(${JSON.stringify(path.join(ROOT, 'dist/src/index.js'))});
    for (let i = 0; i < 40; i++) {
      const pool = createPool({ maxThreads: 2, minThreads: 2 });
      const end = performance.now() + (i % 20) * 2 + Math.random() * 2;
      await new Promise((r) => { const spin = () => (performance.now() >= end ? r() : setImmediate(spin)); spin(); });
      await pool.destroy();
    }
    const pool = createPool({ maxThreads: 1 });
    const r = await pool.run(${JSON.stringify(wasm)}, { args: ['g', 'state'] });
    await pool.destroy();
    process.stdout.write(r.stdout);`;
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'counter=0 buffer=\n');
});
