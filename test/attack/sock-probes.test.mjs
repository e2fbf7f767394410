// @ts-check
// Socket probes (issue 19): a guest uses only the sockets it was given.
// test/attack/c/sock_probe.c runs under `tswasi run --tcplisten` with a
// sandbox preopen; real clients connect to its listener, send "PEER<k>:…"
// and read what it sends back. Every socket call on files, directories,
// stdio, closed and renumbered fds, after shutdown, with huge or overlapping
// iovecs and with flags no call defines gets the errno pinned below (the
// wasmtime table); no call throws on the host; every byte the guest receives
// is a byte a peer sent, and every byte a peer receives is one the guest
// sent to it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { toolchainProblem } from '../helpers/wasm.mjs';
import { connectWhenListening, freePort } from '../helpers/tcp.mjs';
import { run } from '../helpers/spawn.mjs';
import { CLI } from '../helpers/paths.mjs';
import { compileAttack, leaks, makeWorld, summary } from './lib.mjs';

const wasm = compileAttack('sock_probe');
/** @type {Array<[string, number]>} probe name, clients */
const probes = wasm
  ? (await run(process.execPath, [CLI, 'run', wasm, 'list'])).stdout.trim().split('\n').map((l) => { const [n, k] = l.split(' '); return [n, Number(k)]; })
  : [];
let calls = 0;
after(() => summary(`attack: socket probes ${probes.length}, ${calls} socket calls checked`));

/**
 * What client k of a probe does: what it sends, and when it ends its side.
 * `end`: 'eof' — when the guest closes; 'sent' — right after sending; a string — once it has received that.
 * @typedef {{ send: string, end: 'eof' | 'sent' | string }} ClientPlan
 * @type {Record<string, ClientPlan[]>}
 */
const PLANS = {
  shutdown: [{ send: 'PEER1:first', end: 'eof' }, { send: 'PEER2:and-bye', end: 'sent' }],
  poll: [{ send: 'PEER1:poll-me', end: 'G1:polled' }],
};
/** @param {string} probe @param {number} k */
const plan = (probe, k) => PLANS[probe]?.[k - 1] ?? { send: `PEER${k}:hello-${k}`, end: 'eof' };

/**
 * Connect (polling until the guest's listener is there), send, end as planned.
 * @param {number} port
 * @param {ClientPlan} p
 * @returns {Promise<{ received: Promise<string> }>} once sent; `received`: all it got, at its end
 */
async function client(port, p) {
  const sock = await connectWhenListening(port);
  /** @type {Buffer[]} */
  const got = [];
  const text = () => Buffer.concat(got).toString('latin1');
  /** @type {Promise<string>} */
  const received = new Promise((resolve, reject) => {
    sock.on('data', (/** @type {Buffer} */ d) => {
      got.push(d);
      if (p.end !== 'eof' && p.end !== 'sent' && text().includes(p.end)) sock.end();
    });
    sock.on('end', () => { sock.end(); resolve(text()); });
    sock.on('error', (/** @type {NodeJS.ErrnoException} */ e) => (e.code === 'ECONNRESET' ? resolve(`${text()}<reset>`) : reject(e)));
  });
  await new Promise((resolve) => sock.write(p.send, resolve));
  if (p.end === 'sent') sock.end();
  return { received };
}

/**
 * Run one probe: the guest, its clients in order, everything each side saw.
 * @param {string} probe
 * @param {number} clients
 */
async function runProbe(probe, clients) {
  assert.ok(wasm);
  const w = await makeWorld('host');
  const fs = await import('node:fs');
  fs.writeFileSync(`${w.sandbox}/inside.txt`, 'inside data');
  const port = await freePort();
  const guest = run(process.execPath, [CLI, 'run', '--tcplisten', `127.0.0.1:${port}`, '--dir', `${w.sandbox}::/sandbox`, wasm, probe], { stdoutEncoding: 'latin1', timeout: 30_000 });
  /** @type {Array<{ sent: string, received: Promise<string> }>} */
  const peers = [];
  // In order: client k's connection is the k-th the guest accepts.
  for (let k = 1; k <= clients; k++) {
    const p = plan(probe, k);
    peers.push({ sent: p.send, received: (await client(port, p)).received });
  }
  const r = await guest;
  const received = await Promise.all(peers.map((p) => p.received));
  return { r, sent: peers.map((p) => p.sent), received, w };
}

/** What each probe prints and what its clients receive, exactly. @type {Record<string, { guest: string, peers: string[] }>} */
const EXPECTED = {};

for (const [probe, clients] of probes) {
  test(`socket probe ${probe}`, { skip: !wasm && `no toolchain: ${toolchainProblem()}`, timeout: 60_000 }, async () => {
    const { r, sent, received } = await runProbe(probe, clients);
    assert.equal(r.code, 0, `exit ${r.code}\n${r.stderr}\n${r.stdout}`);
    assert.match(r.stdout, /DONE\n$/);
    assert.doesNotMatch(r.stderr, /internal error|TypeError|RangeError|\n\s+at /, r.stderr);
    assert.deepEqual(leaks(r.stdout), []);
    // Every byte the guest received came from a peer, in one piece of what it sent.
    for (const m of r.stdout.matchAll(/^SAW (.*?) n=(\d+): (.*)$/gm)) {
      const bytes = m[3].replace(/(\\x00)+$/, '');
      assert.ok(bytes === '' || sent.some((s) => s.includes(bytes)), `${m[1]}: "${bytes}" is no peer's data`);
    }
    // Every byte a peer received is what the guest sent to it (G<k>:…), nothing else.
    received.forEach((got, i) => assert.match(got, new RegExp(`^(G${i + 1}:[A-Za-z0-9:-]*)*(<reset>)?$`), `client ${i + 1} got ${JSON.stringify(got)}`));
    calls += [...r.stdout.matchAll(/ e=/g)].length;
    const want = EXPECTED[probe];
    assert.ok(want, `no expected transcript for ${probe}:\n${r.stdout}`);
    assert.equal(r.stdout, want.guest);
    assert.deepEqual(received, want.peers);
  });
}

