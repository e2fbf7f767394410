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
import fs from 'node:fs';
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

/**
 * What each probe prints and what its clients receive, exactly (errnos: docs/sockets.md's table).
 * @type {Record<string, { guest: string, peers: string[] }>} */
const EXPECTED = {
  not_sockets: {
    guest: "listener blocking e=SUCCESS\n" +
      "file accept e=NOTSOCK\n" +
      "file recv e=NOTSOCK\n" +
      "file send e=NOTSOCK\n" +
      "file shutdown e=NOTSOCK\n" +
      "preopen accept e=NOTSOCK\n" +
      "preopen recv e=NOTSOCK\n" +
      "preopen send e=NOTSOCK\n" +
      "preopen shutdown e=NOTSOCK\n" +
      "open dir e=SUCCESS\n" +
      "dir accept e=NOTSOCK\n" +
      "dir recv e=NOTSOCK\n" +
      "dir send e=NOTSOCK\n" +
      "dir shutdown e=NOTSOCK\n" +
      "stdin accept e=NOTSOCK\n" +
      "stdin recv e=NOTSOCK\n" +
      "stdin send e=NOTSOCK\n" +
      "stdin shutdown e=NOTSOCK\n" +
      "stdout accept e=NOTSOCK\n" +
      "stdout recv e=NOTSOCK\n" +
      "stdout send e=NOTSOCK\n" +
      "stdout shutdown e=NOTSOCK\n" +
      "stderr accept e=NOTSOCK\n" +
      "stderr recv e=NOTSOCK\n" +
      "stderr send e=NOTSOCK\n" +
      "stderr shutdown e=NOTSOCK\n" +
      "close file e=SUCCESS\n" +
      "closed accept e=BADF\n" +
      "closed recv e=BADF\n" +
      "closed send e=BADF\n" +
      "closed shutdown e=BADF\n" +
      "never accept e=BADF\n" +
      "never recv e=BADF\n" +
      "never send e=BADF\n" +
      "never shutdown e=BADF\n" +
      "minus1 accept e=BADF\n" +
      "minus1 recv e=BADF\n" +
      "minus1 send e=BADF\n" +
      "minus1 shutdown e=BADF\n" +
      "accept e=SUCCESS\n" +
      "recv e=SUCCESS\n" +
      "SAW recv n=13: PEER1:hello-1\n" +
      "send e=SUCCESS\n" +
      "close e=SUCCESS\n" +
      "DONE\n",
    peers: ["G1:after-probes"],
  },
  wrong_kind: {
    guest: "listener blocking e=SUCCESS\n" +
      "listener recv e=NOTCONN\n" +
      "listener send e=NOTCONN\n" +
      "listener fd_read e=BADF\n" +
      "listener fd_write e=BADF\n" +
      "listener shutdown e=NOTCONN\n" +
      "listener filestat e=SUCCESS\n" +
      "listener filestat type=6 size=0 ino=0\n" +
      "listener prestat e=SUCCESS\n" +
      "listener seek e=NOTCAPABLE\n" +
      "listener open e=NOTCAPABLE\n" +
      "listener readdir e=NOTCAPABLE\n" +
      "listener fdstat e=SUCCESS\n" +
      "listener filetype=6 accept-right=1\n" +
      "accept e=SUCCESS\n" +
      "conn fdstat e=SUCCESS\n" +
      "conn filetype=6 flags=0\n" +
      "conn accept e=INVAL\n" +
      "conn seek e=NOTCAPABLE\n" +
      "conn pread e=NOTCAPABLE\n" +
      "conn pwrite e=NOTCAPABLE\n" +
      "conn prestat e=BADF\n" +
      "conn open e=NOTCAPABLE\n" +
      "conn fd_read e=SUCCESS\n" +
      "SAW conn fd_read n=13: PEER1:hello-1\n" +
      "conn fd_write e=SUCCESS\n" +
      "close e=SUCCESS\n" +
      "DONE\n",
    peers: ["G1:fd_write"],
  },
  garbage_flags: {
    guest: "listener blocking e=SUCCESS\n" +
      "accept flags=0x1 e=INVAL\n" +
      "accept flags=0x2 e=INVAL\n" +
      "accept flags=0x8 e=INVAL\n" +
      "accept flags=0x10 e=INVAL\n" +
      "accept flags=0x20 e=INVAL\n" +
      "accept flags=0x8000 e=INVAL\n" +
      "accept flags=0xffff e=INVAL\n" +
      "accept e=SUCCESS\n" +
      "recv ri_flags=0x4 e=INVAL\n" +
      "recv ri_flags=0x8 e=INVAL\n" +
      "recv ri_flags=0x100 e=INVAL\n" +
      "recv ri_flags=0x8000 e=INVAL\n" +
      "recv ri_flags=0xffff e=INVAL\n" +
      "send si_flags=0x1 e=INVAL\n" +
      "send si_flags=0x8000 e=INVAL\n" +
      "send si_flags=0xffff e=INVAL\n" +
      "shutdown how=0x0 e=INVAL\n" +
      "shutdown how=0x4 e=INVAL\n" +
      "shutdown how=0x7 e=INVAL\n" +
      "shutdown how=0xff e=INVAL\n" +
      "recv peek e=SUCCESS\n" +
      "SAW recv peek n=13: PEER1:hello-1\n" +
      "recv e=SUCCESS\n" +
      "SAW recv n=13: PEER1:hello-1\n" +
      "send e=SUCCESS\n" +
      "close e=SUCCESS\n" +
      "DONE\n",
    peers: ["G1:still-open"],
  },
  iovecs: {
    guest: "listener blocking e=SUCCESS\n" +
      "accept e=SUCCESS\n" +
      "recv straddling the end e=FAULT\n" +
      "recv past the end e=FAULT\n" +
      "recv 4 GiB iovec e=FAULT\n" +
      "recv iovec array past the end e=FAULT\n" +
      "recv 2^28 iovecs e=FAULT\n" +
      "recv results past the end e=FAULT\n" +
      "send past the end e=FAULT\n" +
      "send 4 GiB iovec e=FAULT\n" +
      "recv 0 iovecs e=SUCCESS\n" +
      "recv 0 iovecs n=0\n" +
      "recv overlapping e=SUCCESS\n" +
      "recv overlapping n=13\n" +
      "SAW recv overlapping n=12: PEERllo-1\\x00\\x00\\x00\n" +
      "send overlapping e=SUCCESS\n" +
      "send overlapping n=15\n" +
      "close e=SUCCESS\n" +
      "DONE\n",
    peers: ["G1:abcdefabcdef"],
  },
  shutdown: {
    guest: "listener blocking e=SUCCESS\n" +
      "accept e=SUCCESS\n" +
      "recv e=SUCCESS\n" +
      "SAW recv n=11: PEER1:first\n" +
      "shutdown WR e=SUCCESS\n" +
      "send after WR e=PIPE\n" +
      "fd_write after WR e=PIPE\n" +
      "shutdown WR again e=SUCCESS\n" +
      "shutdown RD e=SUCCESS\n" +
      "recv after RD e=SUCCESS\n" +
      "SAW recv after RD n=0: \n" +
      "shutdown RD|WR e=SUCCESS\n" +
      "close e=SUCCESS\n" +
      "accept 2 e=SUCCESS\n" +
      "recv 2 e=SUCCESS\n" +
      "SAW recv 2 n=13: PEER2:and-bye\n" +
      "recv 2 at the end e=SUCCESS\n" +
      "SAW recv 2 at the end n=0: \n" +
      "close 2 e=SUCCESS\n" +
      "DONE\n",
    peers: ["", ""],
  },
  renumber: {
    guest: "listener blocking e=SUCCESS\n" +
      "accept e=SUCCESS\n" +
      "renumber conn over a file e=SUCCESS\n" +
      "old conn number accept e=BADF\n" +
      "old conn number recv e=BADF\n" +
      "old conn number send e=BADF\n" +
      "old conn number shutdown e=BADF\n" +
      "recv on new number e=SUCCESS\n" +
      "SAW recv on new number n=13: PEER1:hello-1\n" +
      "send on new number e=SUCCESS\n" +
      "renumber file over conn e=SUCCESS\n" +
      "file over conn accept e=NOTSOCK\n" +
      "file over conn recv e=NOTSOCK\n" +
      "file over conn send e=NOTSOCK\n" +
      "file over conn shutdown e=NOTSOCK\n" +
      "renumber listener over file e=SUCCESS\n" +
      "old listener number accept e=BADF\n" +
      "old listener number recv e=BADF\n" +
      "old listener number send e=BADF\n" +
      "old listener number shutdown e=BADF\n" +
      "accept on new number e=SUCCESS\n" +
      "recv 2 e=SUCCESS\n" +
      "SAW recv 2 n=13: PEER2:hello-2\n" +
      "send 2 e=SUCCESS\n" +
      "close 2 e=SUCCESS\n" +
      "close listener e=SUCCESS\n" +
      "closed listener accept e=BADF\n" +
      "closed listener recv e=BADF\n" +
      "closed listener send e=BADF\n" +
      "closed listener shutdown e=BADF\n" +
      "DONE\n",
    peers: ["G1:renumbered", "G2:via-renumbered"],
  },
  poll: {
    guest: "listener blocking e=SUCCESS\n" +
      "accept e=SUCCESS\n" +
      "poll read e=SUCCESS\n" +
      "poll read event ud=1 type=1 error=SUCCESS nbytes>0=1 hangup=0\n" +
      "poll all e=SUCCESS\n" +
      "poll all event ud=1 type=1 error=SUCCESS nbytes>0=1 hangup=0\n" +
      "poll all event ud=2 type=2 error=SUCCESS nbytes>0=1 hangup=0\n" +
      "poll all event ud=3 type=1 error=SUCCESS nbytes>0=1 hangup=0\n" +
      "poll all event ud=4 type=1 error=BADF nbytes>0=0 hangup=0\n" +
      "recv e=SUCCESS\n" +
      "SAW recv n=13: PEER1:poll-me\n" +
      "send e=SUCCESS\n" +
      "poll hangup e=SUCCESS\n" +
      "poll hangup event ud=1 type=1 error=SUCCESS nbytes>0=0 hangup=1\n" +
      "recv at the end e=SUCCESS\n" +
      "SAW recv at the end n=0: \n" +
      "close e=SUCCESS\n" +
      "DONE\n",
    peers: ["G1:polled"],
  },
};

for (const [probe, clients] of probes) {
  test(`socket probe ${probe}`, { skip: !wasm && `no toolchain: ${toolchainProblem()}`, timeout: 60_000 }, async () => {
    const { r, sent, received } = await runProbe(probe, clients);
    assert.equal(r.code, 0, `exit ${r.code}\n${r.stderr}\n${r.stdout}`);
    assert.match(r.stdout, /DONE\n$/);
    assert.doesNotMatch(r.stderr, /internal error|TypeError|RangeError|\n\s+at /, r.stderr);
    assert.deepEqual(leaks(r.stdout), []);
    // Every byte the guest received came from a peer, in one piece of what it sent
    // (overlapping iovecs scatter it over itself: that transcript is pinned whole below).
    for (const m of r.stdout.matchAll(/^SAW (.*?) n=(\d+): (.*)$/gm)) {
      if (m[1].includes('overlapping')) continue;
      const bytes = m[3].replace(/(\\x00)+$/, '');
      assert.ok(bytes === '' || sent.some((s) => s.includes(bytes)), `${m[1]}: "${bytes}" is no peer's data`);
    }
    // Every byte a peer received is what the guest sent to it (G<k>:…), nothing else.
    received.forEach((got, i) => assert.match(got, new RegExp(`^(G${i + 1}:[A-Za-z0-9:_-]*)*(<reset>)?$`), `client ${i + 1} got ${JSON.stringify(got)}`));
    calls += [...r.stdout.matchAll(/ e=/g)].length;
    // SOCK_PROBES_PRINT=FILE: what ran, as JSON lines, to review and pin.
    if (process.env.SOCK_PROBES_PRINT) fs.appendFileSync(process.env.SOCK_PROBES_PRINT, `${JSON.stringify({ probe, guest: r.stdout, peers: received })}\n`);
    const want = EXPECTED[probe];
    assert.ok(want, `no expected transcript for ${probe}:\n${r.stdout}`);
    assert.equal(r.stdout, want.guest);
    assert.deepEqual(received, want.peers);
  });
}

