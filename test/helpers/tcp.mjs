// @ts-check
// TCP for the socket tests: a port to give a guest's listener, and a client
// that waits for that listener (refused until the guest's host opens it:
// polled, never a fixed sleep).
import http from 'node:http';
import net from 'node:net';
import { waitFor } from './wait.mjs';

/** A TCP port nothing on 127.0.0.1 listens on now (the kernel's pick, released). */
export async function freePort() {
  const s = net.createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(undefined)));
  const port = /** @type {net.AddressInfo} */ (s.address()).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/**
 * GET http://127.0.0.1:port/path once something listens there: "STATUS BODY".
 * @param {number} port
 * @param {string} urlPath
 * @param {number} [timeoutMs] how long to wait for the listener
 * @returns {Promise<string>}
 */
export function httpGet(port, urlPath, timeoutMs = 30_000) {
  return waitFor(`GET ${urlPath} on port ${port}`, () => new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  }), { timeoutMs, everyMs: 50 });
}

/**
 * A connection to 127.0.0.1:port once something listens there.
 * @param {number} port
 * @returns {Promise<net.Socket>}
 */
export function connectWhenListening(port) {
  return waitFor(`a connection to 127.0.0.1:${port}`, () => new Promise(/** @param {(s: net.Socket) => void} resolve */ (resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  }), { everyMs: 20 });
}
