// @ts-check
// examples/http-service.mjs: a Wasm module per request through the pool, CGI-style.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './helpers/wasm.mjs';

// A service that never says its port would hang: the time limit fails this test with a message instead.
test('the example HTTP service answers requests with the guest\'s stdout', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'examples/http-service.mjs'), '--port', '0', '--threads', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise((resolve, reject) => {
      child.stdout.on('data', (c) => { const m = /127\.0\.0\.1:(\d+)/.exec(String(c)); if (m) resolve(Number(m[1])); });
      child.on('exit', () => reject(new Error('service exited')));
    });
    const bodies = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const res = await fetch(`http://127.0.0.1:${port}/count/${i}`, { method: 'POST', body: 'one two three '.repeat(i + 1), headers: { 'user-agent': 'tswasi-test' } });
      assert.equal(res.status, 200);
      return res.text();
    }));
    bodies.forEach((b, i) => assert.equal(b, `POST /count/${i} from tswasi-test: ${14 * (i + 1)} bytes, ${3 * (i + 1)} words\n`));
    const get = await fetch(`http://127.0.0.1:${port}/?q=1`);
    assert.equal(await get.text(), 'GET / from node: 0 bytes, 0 words\n');
  } finally {
    child.kill('SIGTERM');
  }
});
