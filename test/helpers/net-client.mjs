// @ts-check
// The clients of the socket tests (test/sockets*.test.mjs): connecting to a
// server started by listen.mjs, collecting what it sends, and the checks
// every case makes of how the server ended.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { buildSockProgram } from './listen.mjs';

/**
 * The program for `target`, or a skip when its compiler is missing.
 * @param {import('node:test').TestContext} t
 * @param {import('./listen.mjs').Target} target
 * @param {string} name
 */
export function program(t, target, name) {
  const p = buildSockProgram(target, name);
  if (!p) t.skip(`no ${target === 'native' ? 'native' : 'wasm32-wasi'} C toolchain`);
  return p;
}

/**
 * A connected client socket; its 'error' fails what awaits it.
 * @param {number} port
 * @param {boolean} [allowHalfOpen] keep sending after the server's EOF (else Node ends ours at once)
 * @param {string} [host]
 */
export async function connect(port, allowHalfOpen = false, host = '127.0.0.1') {
  const s = net.connect({ port, host, allowHalfOpen });
  await once(s, 'connect');
  s.setNoDelay(true);
  return s;
}

/**
 * Everything a socket receives, and a way to wait for more of it: a wait
 * ends as soon as its condition holds, and fails at once when the socket
 * errs or closes first (a reset, a server that died), or after 20 s.
 * @param {net.Socket} s
 */
export function collect(s) {
  /** @type {Buffer[]} */
  const chunks = [];
  let ended = false;
  let closed = false;
  /** @type {Error | null} */
  let failed = null;
  /** @type {Set<() => void>} */
  const waits = new Set();
  const wake = () => { for (const w of [...waits]) w(); };
  s.on('data', (c) => { chunks.push(c); wake(); });
  s.on('end', () => { ended = true; wake(); });
  s.on('error', (e) => { failed = e; wake(); });
  s.on('close', () => { closed = true; wake(); });
  const data = () => Buffer.concat(chunks);
  /** @param {string} what @param {() => boolean} done */
  const until = (what, done) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`timed out after 20 s waiting for ${what}; got ${JSON.stringify(data().toString('latin1').slice(-200))}`)), 20_000);
    /** @param {Error} [e] */
    const finish = (e) => { clearTimeout(timer); waits.delete(check); if (e) reject(e); else resolve(data()); };
    const check = () => {
      if (done()) finish();
      else if (failed) finish(new Error(`waiting for ${what}: ${failed.message}`));
      else if (closed) finish(new Error(`waiting for ${what}: the connection closed; got ${JSON.stringify(data().toString('latin1').slice(-200))}`));
    };
    waits.add(check);
    check();
  });
  return {
    data,
    /** @param {string} what @param {(b: Buffer) => boolean} done */
    until: (what, done) => until(what, () => done(data())),
    /** The data, once the peer sent EOF. */
    toEnd: () => until('EOF from the server', () => ended),
  };
}

/**
 * Connect to `port` until it is listening (a host that opens it at start-up); the connected socket.
 * @param {number} port
 * @param {import('./listen.mjs').Server} srv
 * @param {string} [host]
 */
export async function connectWhenUp(port, srv, host = '127.0.0.1') {
  const end = Date.now() + 20_000;
  for (;;) {
    try {
      return await connect(port, false, host);
    } catch (e) {
      // Refused: not listening yet, unless the server has ended.
      if (srv.exit || Date.now() > end) throw new Error(`no listener on ${port}: ${e}\n${srv.describe()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/**
 * Connecting to `port` is refused: nothing listens there.
 * @param {number} port
 */
export async function assertRefused(port) {
  const s = net.connect({ port, host: '127.0.0.1' });
  const [e] = await once(s, 'error').catch((err) => [err]);
  s.destroy();
  assert.equal(/** @type {NodeJS.ErrnoException} */ (e).code, 'ECONNREFUSED', `port ${port}: ${e}`);
}

/**
 * The server ended on its own with status 0 and printed `re`.
 * @param {import('./listen.mjs').Server} srv
 * @param {RegExp} re
 */
export async function assertServed(srv, re) {
  const exit = await srv.waitExit();
  assert.deepEqual(exit, { code: 0, signal: null }, srv.describe());
  assert.match(srv.stdout, re, srv.describe());
}
