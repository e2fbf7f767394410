// @ts-check
// Load: 100,000 pool invocations with flat memory, and 50 Wasm containers
// running at once through the OCI runtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, tempDir, ROOT } from '../helpers/wasm.mjs';
import { OCI_BIN, bundle, ociToolsProblem, run } from '../helpers/oci.mjs';

const INVOCATIONS = Number(process.env.ATTACK_POOL_CALLS || 100_000);
const CONTAINERS = Number(process.env.ATTACK_CONTAINERS || 50);

test(`${INVOCATIONS} pool invocations: memory stays flat`, { timeout: 30 * 60_000 }, async (t) => {
  const wasm = compileC('pool_guest');
  if (!wasm) return t.skip('no toolchain');
  const { createPool } = await import('../../dist/src/index.js');
  const pool = createPool({ maxThreads: 2, minThreads: 2 });
  const rss = () => Math.round(process.memoryUsage().rss / 2 ** 20);
  try {
    const batch = async (/** @type {number} */ n) => {
      const rs = await Promise.all(Array.from({ length: n }, (_, i) => pool.run(wasm, { args: ['g', 'env', 'K'], env: { K: String(i) } })));
      for (const [i, r] of rs.entries()) assert.equal(r.stdout.toString(), `${i}\n`);
    };
    await batch(2000); // warm up: threads, JIT, module compiled
    global.gc?.();
    const start = rss();
    const t0 = Date.now();
    for (let done = 2000; done < INVOCATIONS; done += 1000) await batch(1000);
    global.gc?.();
    const end = rss();
    const secs = (Date.now() - t0) / 1000;
    console.log(`load: pool invocations ${INVOCATIONS}, ${(INVOCATIONS / secs).toFixed(0)}/s, RSS ${start} MiB at start, ${end} MiB at end`);
    assert.ok(end < start + 150, `RSS grew from ${start} to ${end} MiB`);
  } finally {
    await pool.destroy();
  }
});

const ociProblem = ociToolsProblem();
test(`${CONTAINERS} Wasm containers running at once through tswasi-oci`, { skip: ociProblem && process.env.CI !== 'true' ? ociProblem : false, timeout: 10 * 60_000 }, async (t) => {
  const wasm = compileC('oci_tool');
  if (!wasm) return t.skip('no toolchain');
  const root = path.join(tempDir('tswasi-load-'), 'state');
  const b = bundle(tempDir('tswasi-load-b-'), { args: ['/tool.wasm', 'sleep'], files: [[wasm, 'tool.wasm']] });
  const oci = (/** @type {string[]} */ args) => run(process.execPath, [OCI_BIN, '--root', root, ...args], { timeout: 120_000 });
  const ids = Array.from({ length: CONTAINERS }, (_, i) => `load${i}`);
  // Created and started 10 at a time (each runtime call is a Node process).
  for (let i = 0; i < ids.length; i += 10) {
    const group = ids.slice(i, i + 10);
    for (const r of await Promise.all(group.map((id) => oci(['create', '--bundle', b, id])))) assert.equal(r.code, 0, r.stderr);
    for (const r of await Promise.all(group.map((id) => oci(['start', id])))) assert.equal(r.code, 0, r.stderr);
  }
  const list = JSON.parse((await oci(['list', '--format', 'json'])).stdout);
  const running = list.filter((/** @type {{ status: string }} */ c) => c.status === 'running').length;
  console.log(`load: containers ${CONTAINERS} started, ${running} running at once`);
  assert.equal(running, CONTAINERS);
  for (let i = 0; i < ids.length; i += 10) {
    const group = ids.slice(i, i + 10);
    for (const r of await Promise.all(group.map((id) => oci(['delete', '--force', id])))) assert.equal(r.code, 0, r.stderr);
  }
  assert.deepEqual(fs.readdirSync(root).filter((f) => !f.startsWith('.')), []);
});
