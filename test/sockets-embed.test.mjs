// @ts-check
// Listening sockets given to a guest by an embedder: the WASI class (the
// guest on the caller's thread, its listeners on a host thread) and the pool
// (an embedder's net.Server served from the caller's thread). Real sockets on
// 127.0.0.1, a real C guest (test/c/sock_embed.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { compileC, tempDir, ROOT } from './helpers/wasm.mjs';
import { quietPort } from './helpers/listen.mjs';

const dist = path.join(ROOT, 'dist', 'src', 'index.js');
/** @type {typeof import('../dist/src/index.js')} */
const tswasi = await import(dist);

/**
 * Send `text`, half-close, and resolve with the answer.
 * @param {number} port
 * @param {string} text
 * @returns {Promise<string>}
 */
function ask(port, text) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(text));
    /** @type {Buffer[]} */
    const got = [];
    s.on('data', (d) => got.push(d));
    s.on('end', () => resolve(Buffer.concat(got).toString()));
    s.on('error', reject);
  });
}

test('pool: a net.Server of this thread serves the guest; it stays open after', async () => {
  const wasm = compileC('sock_embed');
  assert.ok(wasm);
  const server = net.createServer({ allowHalfOpen: true });
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
  const addr = server.address();
  assert.ok(addr !== null && typeof addr === 'object');
  const pool = tswasi.createPool({ maxThreads: 1 });
  try {
    const data = tempDir('sock-embed-');
    const running = pool.run(wasm, { args: ['sock_embed', '2'], listeners: [server], preopens: { '/data': data } });
    const answers = await Promise.all([ask(addr.port, 'hello'), ask(addr.port, 'wasm')]);
    assert.deepEqual(answers.sort(), ['HELLO', 'WASM']);
    const r = await running;
    assert.equal(r.exitCode, 0, r.stderr.toString());
    assert.equal(fs.readFileSync(path.join(data, 'served.txt'), 'utf8'), 'served 2\n');
    assert.ok(server.listening, 'the embedder\'s server was closed');
    // A second call uses the same server.
    const again = pool.run(wasm, { args: ['sock_embed', '1'], listeners: [server] });
    assert.equal(await ask(addr.port, 'again'), 'AGAIN');
    assert.equal((await again).exitCode, 0);
  } finally {
    await pool.destroy();
    server.close();
  }
});

test('pool: a listener that cannot be bound is the call\'s error, not a crash', async () => {
  const wasm = compileC('sock_embed');
  assert.ok(wasm);
  const busy = net.createServer();
  await new Promise((r) => busy.listen(0, '127.0.0.1', () => r(undefined)));
  const addr = busy.address();
  assert.ok(addr !== null && typeof addr === 'object');
  const pool = tswasi.createPool({ maxThreads: 1 });
  try {
    const r = await pool.run(wasm, { listeners: [{ host: '127.0.0.1', port: addr.port }] });
    assert.equal(r.exitCode, 1);
    assert.equal(r.error?.message, `failed to bind to address '127.0.0.1:${addr.port}': address already in use`);
  } finally {
    await pool.destroy();
    busy.close();
  }
});

test('WASI class: the guest on this thread, its listener on a host thread; nothing listens after', async () => {
  const wasm = compileC('sock_embed');
  assert.ok(wasm);
  // The guest serves the first connection: its port is one no other test got from port 0
  // (quietPort). A port found free may still be taken before it is bound: try another.
  let port = 0;
  /** @type {InstanceType<typeof tswasi.WASI> | undefined} */
  let wasi;
  for (let i = 0; wasi === undefined; i++) {
    port = await quietPort();
    try {
      wasi = new tswasi.WASI({ args: ['sock_embed', '1'], listeners: [{ host: '127.0.0.1', port }], returnOnExit: true });
    } catch (e) {
      if (!(e instanceof tswasi.ListenError && /address already in use/.test(e.message)) || i === 4) throw e;
    }
  }
  // The client is another process: this thread is about to block in the guest.
  const client = spawn(process.execPath, ['-e', `
    const s = require('node:net').connect(${port}, '127.0.0.1', () => s.end('from a process'));
    const got = []; s.on('data', (d) => got.push(d)); s.on('end', () => process.stdout.write(Buffer.concat(got)));`], { stdio: ['ignore', 'pipe', 'inherit'] });
  /** @type {Buffer[]} */
  const out = [];
  client.stdout.on('data', (d) => out.push(d));
  const exited = new Promise((r) => client.on('exit', r));
  const instance = await WebAssembly.instantiate(new WebAssembly.Module(fs.readFileSync(wasm)), /** @type {any} */ (wasi.getImportObject()));
  assert.equal(wasi.start(instance), 0);
  assert.equal(await exited, 0);
  assert.equal(Buffer.concat(out).toString(), 'FROM A PROCESS');
  // The host thread closed the listener: the port is free again.
  await new Promise((resolve, reject) => {
    const again = net.createServer();
    again.once('error', reject);
    again.listen(port, '127.0.0.1', () => again.close(resolve));
  });
});

test('WASI class: a port in use is a ListenError, before the guest runs', async () => {
  const busy = net.createServer();
  await new Promise((r) => busy.listen(0, '127.0.0.1', () => r(undefined)));
  const addr = busy.address();
  assert.ok(addr !== null && typeof addr === 'object');
  try {
    assert.throws(() => new tswasi.WASI({ listeners: [{ host: '127.0.0.1', port: addr.port }] }),
      (e) => e instanceof tswasi.ListenError && e.message === `failed to bind to address '127.0.0.1:${addr.port}': address already in use`);
  } finally {
    busy.close();
  }
});
