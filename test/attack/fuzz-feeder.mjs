// @ts-check
// The fuzzer's network (a worker thread, so it runs while the fuzzing thread
// is blocked in a guest's call): one listening net.Server, served to each
// fuzz run's WASI instance through tswasi's own host (hostListeners, as the
// pool serves an embedder's servers), and clients that keep connecting while
// a run lasts. Each client sends PEER bytes at once, reads and drops what the
// guest sends, and ends after a while, so a guest's blocking accept, recv,
// send or poll on a socket always ends: a connection is always coming, bytes
// or the end always come, and what the guest sends is always read.
//
// Requests come as messages ({ op: 'open' } / { op: 'close' }); each answer is
// a message on the reply port, and a bump of the flag the asking thread
// waits on with Atomics.wait (it cannot run its event loop mid-run).
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { hostListeners } from '../../dist/wasi/sockets/open.js';

/** @type {{ reply: import('node:worker_threads').MessagePort, flag: SharedArrayBuffer }} */
const { reply, flag } = workerData;
const flags = new Int32Array(flag);
/** A new client every EVERY_MS while a run lasts; at most OPEN of them at once (the oldest ends). */
const EVERY_MS = 4;
const OPEN = 16;
const PAYLOAD = Buffer.alloc(1024, 'PEER-BYTES-');

const server = net.createServer({ allowHalfOpen: true });
await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
const port = /** @type {net.AddressInfo} */ (server.address()).port;

/** @type {net.Socket[]} */
let clients = [];
/** @type {NodeJS.Timeout | null} */
let timer = null;

function connectOne() {
  const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  c.on('error', () => {});
  c.on('data', () => {});
  c.on('end', () => c.end());
  c.write(PAYLOAD);
  clients.push(c);
  if (clients.length > OPEN) clients.shift()?.end();
}

/** @param {unknown} message */
function answer(message, transfer = /** @type {import('node:worker_threads').Transferable[]} */ ([])) {
  reply.postMessage(message, transfer);
  Atomics.add(flags, 0, 1);
  Atomics.notify(flags, 0);
}

parentPort?.on('message', (/** @type {{ op: 'open' | 'close' }} */ m) => {
  if (m.op === 'open') {
    const { channel } = hostListeners([server]);
    connectOne();
    timer = setInterval(connectOne, EVERY_MS);
    answer({ channel, port }, [channel.port]);
  } else {
    if (timer !== null) clearInterval(timer);
    timer = null;
    for (const c of clients) c.destroy();
    clients = [];
    answer({ closed: true });
  }
});
answer({ ready: true, port });
