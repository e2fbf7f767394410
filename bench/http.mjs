#!/usr/bin/env node
// Sockets (issue 19): a guest serving HTTP itself. test/c/sock_http.c (a
// poll-based HTTP/1.1 keep-alive server, one small fixed response) under
// `tswasi run --listenfd` (or --tcplisten) against the same C source built
// natively with its listener at fd 3, the same autocannon client in this
// process, rounds alternating which goes first; medians of:
//   - requests/s with C keep-alive connections (default 8), and the latency
//     p50/p99 under that load (µs: each response's time as autocannon reports
//     it; its own summary rounds to whole ms);
//   - the server's CPU per request under that load (all its threads: the
//     steadier figure on a shared machine, where requests/s follow the load);
//   - latency p50/p99 of one request at a time on one connection (µs);
//   - CPU of the idle server (listening, no connection) over 3 s, all threads;
//   - RSS and Pss (/proc/<pid>/smaps_rollup) with 100 connections open, each
//     having made one request.
//
//   npm run build && node bench/http.mjs [--rounds 5] [--seconds 5] [--connections 8] [--tcplisten] [--json FILE]
//
// Needs clang with wasm32-wasi (wasi-libc) and a native C compiler (NATIVE_CC, default clang).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import autocannon from 'autocannon';
import { buildSockProgram, freePort, startServer } from '../test/helpers/listen.mjs';
import { cpuMs, cpuOver, memoryKiB } from '../test/helpers/procstat.mjs';

const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const rounds = Number(opt('--rounds', 5));
const seconds = Number(opt('--seconds', 5));
const connections = Number(opt('--connections', 8));
const useTcplisten = argv.includes('--tcplisten');
const jsonOut = opt('--json', undefined);
const only = opt('--only', undefined); // native | tswasi: one side (checking the harness)
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

const programs = { native: buildSockProgram('native', 'sock_http'), tswasi: buildSockProgram('tswasi', 'sock_http') };
for (const [k, v] of Object.entries(programs)) if (!v) throw new Error(`cannot build sock_http for ${k}: no compiler`);

/** One HTTP/1.1 request on a fresh connection, the connection kept open. */
async function oneRequest(port) {
  const s = net.connect({ port, host: '127.0.0.1' });
  s.on('error', () => {});
  await new Promise((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
  let got = '';
  await new Promise((resolve, reject) => {
    s.on('data', (c) => { got += c; if (got.endsWith('hello\n')) resolve(); });
    s.once('close', () => reject(new Error('closed before the response')));
    s.write('GET /mem HTTP/1.1\r\nHost: bench\r\n\r\n');
  });
  return s;
}

/** A server for `target`, once it answers (with --tcplisten, once tswasi listens). */
async function start(target) {
  let srv;
  let port;
  if (target === 'tswasi' && useTcplisten) {
    port = await freePort();
    srv = await startServer({ target, program: programs[target], listeners: 0, runArgs: ['--tcplisten', `127.0.0.1:${port}`] });
  } else {
    srv = await startServer({ target, program: programs[target] });
    port = srv.ports[0];
  }
  const end = Date.now() + 20_000;
  for (;;) {
    try {
      (await oneRequest(port)).destroy();
      break;
    } catch (e) {
      if (srv.exit || Date.now() > end) throw new Error(`${target} server did not answer: ${e.message}\n${srv.describe()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { srv, port };
}

/** Round trips of one request at a time on one connection: p50 and p99 in µs. */
async function pingPong(port, n = 2000, warm = 200) {
  const s = await oneRequest(port);
  const req = Buffer.from('GET /pp HTTP/1.1\r\nHost: bench\r\n\r\n');
  // Every response to `req` has the same length: learn it from the first.
  let got = '';
  const len = await new Promise((resolve) => {
    const on = (c) => { got += c; if (got.endsWith('hello\n')) { s.off('data', on); resolve(got.length); } };
    s.on('data', on);
    s.write(req);
  });
  let pending = 0;
  let done = null;
  s.on('data', (c) => { pending += c.length; if (pending >= len && done) { pending -= len; const d = done; done = null; d(); } });
  const times = [];
  for (let i = 0; i < warm + n; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise((resolve) => { done = resolve; s.write(req); });
    if (i >= warm) times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  s.destroy();
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(n * 0.5)], p99: times[Math.floor(n * 0.99)] };
}

async function measure(target) {
  const { srv, port } = await start(target);
  try {
    const url = `http://127.0.0.1:${port}/bench`;
    // Warm-up: the guest's hot code tiered up, the connections made.
    await autocannon({ url, connections, duration: 1 });
    const run = autocannon({ url, connections, duration: seconds, expectBody: 'hello\n' });
    const lat = [];
    run.on('response', (_client, _status, _bytes, ms) => lat.push(ms * 1000));
    const cpu0 = cpuMs(srv.pid);
    const r = await run;
    const cpuPerReqUs = ((cpuMs(srv.pid) - cpu0) * 1000) / r.requests.total;
    lat.sort((a, b) => a - b);
    if (r.errors || r.timeouts || r.non2xx || r.mismatches) throw new Error(`${target}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx, ${r.mismatches} mismatches`);
    const pp = await pingPong(port);
    const idleCpuMs = await cpuOver(srv.pid, 3000);
    const socks = [];
    for (let i = 0; i < 100; i++) socks.push(await oneRequest(port));
    const mem = memoryKiB(srv.pid);
    for (const s of socks) s.destroy();
    return { rps: r.requests.average, p50: lat[Math.floor(lat.length * 0.5)], p99: lat[Math.floor(lat.length * 0.99)], cpuPerReqUs, ppP50: pp.p50, ppP99: pp.p99, idleCpuMs, rssMiB: mem.rss / 1024, pssMiB: mem.pss / 1024 };
  } finally {
    await srv.stop();
  }
}

const results = { native: [], tswasi: [] };
for (let round = 0; round < rounds; round++) {
  const order = (round % 2 ? ['tswasi', 'native'] : ['native', 'tswasi']).filter((t) => !only || t === only);
  for (const target of order) {
    const m = await measure(target);
    results[target].push(m);
    console.error(`round ${round + 1}/${rounds} ${target}: ${m.rps.toFixed(0)} req/s, CPU ${m.cpuPerReqUs.toFixed(1)} µs/req, p50 ${m.p50.toFixed(0)} µs, p99 ${m.p99.toFixed(0)} µs, one at a time p50 ${m.ppP50.toFixed(0)} µs p99 ${m.ppP99.toFixed(0)} µs, idle CPU ${m.idleCpuMs.toFixed(1)} ms/3 s, RSS ${m.rssMiB.toFixed(1)} MiB, Pss ${m.pssMiB.toFixed(1)} MiB`);
  }
}

const rows = [
  ['requests/s', 'rps', 0],
  ['server CPU per request (µs)', 'cpuPerReqUs', 1],
  ['latency under load, p50 (µs)', 'p50', 0],
  ['latency under load, p99 (µs)', 'p99', 0],
  ['one request at a time, p50 (µs)', 'ppP50', 0],
  ['one request at a time, p99 (µs)', 'ppP99', 0],
  ['idle CPU over 3 s (ms)', 'idleCpuMs', 1],
  ['RSS, 100 connections (MiB)', 'rssMiB', 1],
  ['Pss, 100 connections (MiB)', 'pssMiB', 1],
];
const med = (target, key) => median(results[target].map((m) => m[key]));
console.log(`sock_http, ${connections} keep-alive connections, ${seconds} s per round, ${rounds} rounds (medians); tswasi via ${useTcplisten ? '--tcplisten' : '--listenfd'}; node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${os.loadavg()[0].toFixed(1)}`);
console.log('');
console.log('| | native | tswasi | tswasi / native |');
console.log('|---|---:|---:|---:|');
for (const [label, key, digits] of rows) {
  const n = results.native.length ? med('native', key) : NaN;
  const w = results.tswasi.length ? med('tswasi', key) : NaN;
  const ratio = n > 0 && w >= 0 ? (w / n).toFixed(2) : '—';
  console.log(`| ${label} | ${Number.isNaN(n) ? '—' : n.toFixed(digits)} | ${Number.isNaN(w) ? '—' : w.toFixed(digits)} | ${ratio} |`);
}
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ node: process.version, date: new Date().toISOString(), connections, seconds, rounds, tcplisten: useTcplisten, results }, null, 2));
