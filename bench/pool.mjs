#!/usr/bin/env node
// Embedding benchmarks (issue 4, issue 10), side by side in one run:
//  1. invocations per second, for a trivial module (examples/hello.wasm: a few
//     lines of output) and the CGI example (examples/cgi.wasm: reads stdin):
//     the tswasi pool (2 threads, module compiled once), node:wasi in-process
//     on the main thread (compile once, instantiate per call), and one process
//     per call; then where a pooled call's time goes (guest time inside the
//     worker against the whole call);
//  2. examples/http-service.mjs under load from a second process on loopback
//     (autocannon, bounded in time) against the same service on node:wasi.
//   node bench/pool.mjs [--seconds S] [--calls N] [--no-http]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createPool } from '../dist/src/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => { const i = process.argv.indexOf(name); return i >= 0 ? Number(process.argv[i + 1]) : def; };
const seconds = arg('--seconds', 5);
const calls = arg('--calls', 2000);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

// CPU time of each of this process's threads (Linux), in µs: where a pooled call's CPU goes.
const threadCpu = () => {
  if (!fs.existsSync('/proc/self/task')) return null;
  const tick = 10_000; // µs per clock tick (USER_HZ 100)
  return new Map(fs.readdirSync('/proc/self/task').map((tid) => {
    const st = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return [tid, (Number(f[11]) + Number(f[12])) * tick];
  }));
};
/** The main thread, the pool's workers (its two busiest other threads), and the rest (V8's GC and compiler threads, libuv's). */
function cpuByThread(before, after, calls) {
  if (before === null || after === null) return '';
  const main = String(process.pid);
  const d = [...after].map(([tid, us]) => [tid, us - (before.get(tid) ?? 0)]);
  const others = d.filter(([tid]) => tid !== main).sort((a, b) => b[1] - a[1]);
  const sum = (xs) => xs.reduce((n, [, us]) => n + us, 0);
  const per = (us) => (us / calls).toFixed(0);
  return `CPU µs per call: main thread ${per(sum(d.filter(([tid]) => tid === main)))}, workers ${per(sum(others.slice(0, 2)))}, other threads (V8 compiler and GC, libuv) ${per(sum(others.slice(2)))}`;
}

// 1. Invocations per second.
async function rates(name, wasm, args, stdinFor) {
  const rates = {};
  const cpu = {}; // CPU µs per call, all threads: robust to other load on the machine
  let perCall = null;
  let byThread = '';
  {
    const pool = createPool({ maxThreads: 2, minThreads: 2 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => pool.run(wasm, { args, stdin: stdinFor(i) })));
    const c0 = process.cpuUsage();
    const th0 = threadCpu();
    const t = performance.now();
    const rs = await Promise.all(Array.from({ length: calls }, (_, i) => pool.run(wasm, { args, stdin: stdinFor(i) })));
    const ms = performance.now() - t;
    const c = process.cpuUsage(c0);
    byThread = cpuByThread(th0, threadCpu(), calls);
    rates['tswasi pool (2 threads)'] = calls / (ms / 1000);
    cpu['tswasi pool (2 threads)'] = (c.user + c.system) / calls;
    if (rs.some((r) => r.exitCode !== 0 || r.stdout.length === 0)) throw new Error('a pool call failed');
    // One call at a time: the latency of a call, and the part of it spent in the worker's runGuest.
    const lat = [];
    const guest = [];
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      const r = await pool.run(wasm, { args, stdin: stdinFor(i) });
      lat.push(performance.now() - t0);
      guest.push(r.durationMs);
    }
    perCall = { throughputMsPerCallPerThread: (ms / calls) * 2, latencyMs: median(lat), guestMs: median(guest) };
    await pool.destroy();
  }
  // node:wasi in a child process: Node 20's node:wasi crashes (SIGSEGV) in
  // some runs of thousands of instances, and with its default fast API calls
  // each new instance costs about 1 ms of CPU; with --no-turbo-fast-api-calls
  // it neither crashes nor pays that, so both are shown.
  for (const [row, flags] of [['node:wasi in-process (main thread)', []], ['node:wasi in-process, --no-turbo-fast-api-calls', ['--no-turbo-fast-api-calls']]]) {
    for (let crashes = 0; ;) {
      const r = spawnSync(process.execPath, ['--no-warnings', ...flags, path.join(ROOT, 'bench/node-wasi-calls.mjs'), wasm, String(calls), args[0]], { encoding: 'utf8' });
      if (r.status === 0) {
        const { rate, cpuUsPerCall } = JSON.parse(r.stdout);
        rates[row] = rate;
        cpu[row] = cpuUsPerCall;
        break;
      }
      console.log(`(${row}: run ${++crashes} died: ${r.signal ?? `status ${r.status}`})`);
      if (crashes === 3) { rates[row] = NaN; break; }
    }
  }
  {
    const n = Math.max(10, Math.round(calls / 100));
    const cli = path.join(ROOT, JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).bin.tswasi);
    const t = performance.now();
    for (let i = 0; i < n; i++) spawnSync(process.execPath, [cli, 'run', wasm, ...args.slice(1)], { input: stdinFor(i), stdio: ['pipe', 'ignore', 'inherit'] });
    rates['one process per call (tswasi run)'] = n / ((performance.now() - t) / 1000);
  }
  const pool = rates['tswasi pool (2 threads)'];
  console.log(`\ninvocations per second, ${calls} calls (${name})`);
  console.log('| runner | calls/s | pool is × faster | CPU µs per call |');
  console.log('|---|---|---|---|');
  for (const [k, v] of Object.entries(rates)) console.log(`| ${k} | ${v.toFixed(0)} | ${(pool / v).toFixed(2)} | ${cpu[k]?.toFixed(0) ?? '-'} |`);
  console.log(`a pooled call (${name}): ${perCall.throughputMsPerCallPerThread.toFixed(3)} ms of a thread at full load; ` +
    `alone ${perCall.latencyMs.toFixed(3)} ms end to end, of which ${perCall.guestMs.toFixed(3)} ms in the worker's runGuest ` +
    `(new WASI + instantiate + _start + output); the rest is the pool: queueing, the message each way, output rings`);
  if (byThread) console.log(`a pooled call (${name}) at full load, ${byThread}`);
}
await rates('examples/hello.wasm', path.join(ROOT, 'examples/hello.wasm'), ['hello'], () => '');
await rates('examples/cgi.wasm', path.join(ROOT, 'examples/cgi.wasm'), ['cgi'], (i) => `call ${i}`);
if (process.argv.includes('--no-http')) process.exit(0);

// 2. HTTP under load.
async function serve(script, args, ready) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => { if (String(c).includes(ready)) resolve(); });
    child.on('exit', (code, sig) => { console.error(`${path.basename(script)} exited (${code ?? sig})`); reject(new Error(`${script} exited`)); });
  });
  return child;
}
async function load(url) {
  const r = await autocannon({ url, method: 'POST', body: 'the quick brown fox jumps over the lazy dog', connections: 16, duration: seconds });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}
const rows = {};
{
  const child = await serve(path.join(ROOT, 'examples/http-service.mjs'), ['--port', '18181', '--threads', '2'], 'http://');
  await load('http://127.0.0.1:18181/'); // warm-up
  rows['tswasi pool service'] = await load('http://127.0.0.1:18181/');
  child.kill('SIGTERM');
}
{
  const child = await serve(path.join(ROOT, 'bench/http-node-wasi.mjs'), ['18182'], 'http://');
  await load('http://127.0.0.1:18182/');
  rows['node:wasi main-thread service'] = await load('http://127.0.0.1:18182/');
  child.kill('SIGTERM');
}
console.log(`\nHTTP, autocannon: 16 connections, ${seconds} s, POST 43 bytes`);
console.log('| service | req/s | p50 ms | p99 ms | errors |');
console.log('|---|---|---|---|---|');
for (const [k, v] of Object.entries(rows)) console.log(`| ${k} | ${v.rps.toFixed(0)} | ${v.p50} | ${v.p99} | ${v.errors} |`);
