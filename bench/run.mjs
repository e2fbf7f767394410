#!/usr/bin/env node
// Benchmark harness: tswasi vs node:wasi on the workloads in bench/c/.
//
//   node bench/run.mjs [--rounds N] [--only a,b] [--json FILE]
//                      [--engines tswasi,node] [--warmup N] [--tmpdir DIR] [--quick]
//
// Each round runs engine A then engine B (A B A B ...), every run in a fresh
// child process (bench/runner.mjs), so drift (thermal, page cache, other
// load) hits both engines alike. Reported per workload:
//   - median in-process time (instantiate + start) per engine
//   - ratio A/B = median of the per-round ratios
//   - whole-process wall time per engine and its ratio (spawn -> exit)
// and finally the geometric mean of the per-workload ratios.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH_DIR, ROOT_DIR, WORKLOADS, buildWorkload, getWorkload, scratchBase } from './lib/workloads.mjs';

const HELP = `usage: node bench/run.mjs [options]
  --rounds N         rounds per workload (default 5); each round = 1 run per engine
  --only a,b         only these workloads (${WORKLOADS.map((w) => w.name).join(', ')})
  --json FILE        also write raw runs + summary as JSON
  --engines A,B      engines to compare, A/B ratio (default tswasi,node);
                     'node,node' validates the harness without tswasi (A/A noise)
  --warmup N         unrecorded warm-up rounds per workload (default 1)
  --tmpdir DIR       where per-run scratch dirs go (default /dev/shm if tmpfs,
                     else $TMPDIR or /tmp) -- see README for why
  --quick            tiny workload sizes: smoke-test the harness in seconds
  --timeout S        per-run timeout in seconds (default 300)
  --no-verify        skip the untimed correctness run per engine (guest exit
                     code + exact stdout byte count) before each workload
`;

function parseArgs(argv) {
  const o = { rounds: 5, only: null, json: null, engines: ['tswasi', 'node'], warmup: 1, quick: false, timeout: 300, tmpdir: null, verify: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(0, eq) : a;
    const val = () => (eq > 0 ? a.slice(eq + 1) : argv[++i]);
    switch (key) {
      case '--rounds': o.rounds = posInt(key, val()); break;
      case '--warmup': o.warmup = posInt(key, val(), true); break;
      case '--timeout': o.timeout = posInt(key, val()); break;
      case '--only': o.only = val().split(',').filter(Boolean); break;
      case '--json': o.json = val(); break;
      case '--tmpdir': o.tmpdir = val(); break;
      case '--engines': o.engines = val().split(','); break;
      case '--quick': o.quick = true; break;
      case '--no-verify': o.verify = false; break;
      case '-h': case '--help': process.stdout.write(HELP); process.exit(0);
      default: die(`unknown option ${a}\n${HELP}`);
    }
  }
  if (o.engines.length !== 2) die('--engines needs exactly two engines, e.g. tswasi,node');
  for (const e of o.engines) if (!['tswasi', 'node', 'node:wasi'].includes(e)) die(`unknown engine '${e}'`);
  return o;
}
function posInt(k, v, allowZero = false) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) die(`${k} needs a ${allowZero ? 'non-negative' : 'positive'} integer`);
  return n;
}
function die(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const geomean = (xs) => (xs.length ? Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length) : NaN);

const opts = parseArgs(process.argv.slice(2));
const label = (e) => (e === 'tswasi' ? 'tswasi' : 'node:wasi');
const [A, B] = opts.engines;
const labelA = A === B ? `${label(A)}#A` : label(A);
const labelB = A === B ? `${label(B)}#B` : label(B);

if (opts.engines.includes('tswasi') && !existsSync(join(ROOT_DIR, 'dist', 'wasi', 'index.js'))) {
  die('dist/wasi/index.js not found: run `npm run build` first (or use --engines node,node to test the harness)');
}

let workloads;
try {
  workloads = opts.only ? opts.only.map(getWorkload) : WORKLOADS;
} catch (e) {
  die(e.message);
}

// Build every module up front so no compile happens inside a measured child.
const wasmFor = new Map(workloads.map((w) => [w.name, buildWorkload(w)]));

const RUNNER = join(BENCH_DIR, 'runner.mjs');
const childEnv = { ...process.env, NODE_NO_WARNINGS: '1' };
delete childEnv.NODE_OPTIONS; // no --cpu-prof/--inspect etc. leaking into measured runs
if (opts.tmpdir) childEnv.BENCH_TMPDIR = opts.tmpdir;
const SCRATCH = (() => {
  const saved = process.env.BENCH_TMPDIR;
  if (opts.tmpdir) process.env.BENCH_TMPDIR = opts.tmpdir;
  const s = scratchBase();
  if (saved === undefined) delete process.env.BENCH_TMPDIR; else process.env.BENCH_TMPDIR = saved;
  return s;
})();
childEnv.BENCH_TMPDIR = SCRATCH; // children skip the /proc/mounts probe

function runOnce(engine, w, verify = false) {
  const args = [RUNNER, engine, w.name, '--wasm', wasmFor.get(w.name)];
  if (verify) args.push('--check-stdout');
  if (opts.quick) args.push('--', ...w.quickArgs);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: opts.timeout * 1000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const wallMs = performance.now() - t0;
  const line = (r.stdout || '').trim().split('\n').filter((l) => l.startsWith('{')).pop();
  let res = null;
  try { res = line ? JSON.parse(line) : null; } catch { /* reported below */ }
  if (r.status !== 0 || !res || res.exitCode !== 0) {
    const why = r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `status ${r.status}`;
    const err = (r.stderr || '').trim().split('\n').slice(-5).join('\n      ');
    return { ok: false, engine, wallMs, error: `${why}${err ? `\n      ${err}` : ''}` };
  }
  return { ok: true, ...res, engine, wallMs };
}

const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const results = [];
const startedAt = new Date();
const loadBefore = loadavg()[0];
const tAll = performance.now();
process.stderr.write(
  `bench: ${workloads.length} workload(s) x ${opts.rounds} round(s) x [${labelA}, ${labelB}]` +
    `${opts.warmup ? ` (+${opts.warmup} warm-up)` : ''}${opts.quick ? ' [quick sizes]' : ''}, scratch in ${SCRATCH}\n`,
);

for (const w of workloads) {
  const rounds = [];
  let failed = null;
  if (opts.verify) {
    for (const e of [...new Set([A, B])]) {
      const res = runOnce(e, w, true);
      if (!res.ok) {
        failed = `${label(e)} (verify run): ${res.error}`;
        break;
      }
    }
    if (!failed) process.stderr.write(`  ${w.name.padEnd(13)} verified (exit 0, stdout ${(w.stdoutBytes ?? (() => 0))(opts.quick ? w.quickArgs : w.args)} bytes) on ${[...new Set([label(A), label(B)])].join(', ')}\n`);
  }
  for (let r = -opts.warmup; r < opts.rounds && !failed; r++) {
    const pair = [];
    for (const e of [A, B]) {
      const res = runOnce(e, w);
      if (!res.ok) {
        failed = `${label(e)}: ${res.error}`;
        break;
      }
      pair.push(res);
    }
    if (failed) break;
    const [a, b] = pair;
    process.stderr.write(
      `  ${w.name.padEnd(13)} ${r < 0 ? 'warm-up ' : `round ${r + 1}/${opts.rounds}`}  ` +
        `${labelA} ${fmt(a.ms)} ms  ${labelB} ${fmt(b.ms)} ms  ratio ${fmt(a.ms / b.ms, 3)}` +
        `  (wall ${fmt(a.wallMs, 0)} / ${fmt(b.wallMs, 0)} ms)\n`,
    );
    if (r >= 0) rounds.push({ round: r + 1, a, b, ratio: a.ms / b.ms, wallRatio: a.wallMs / b.wallMs });
  }
  if (failed) process.stderr.write(`  ${w.name}: FAILED -- ${failed}\n`);
  const summary = failed
    ? null
    : {
        medianA: median(rounds.map((x) => x.a.ms)),
        medianB: median(rounds.map((x) => x.b.ms)),
        ratio: median(rounds.map((x) => x.ratio)),
        ratioMin: Math.min(...rounds.map((x) => x.ratio)),
        ratioMax: Math.max(...rounds.map((x) => x.ratio)),
        wallA: median(rounds.map((x) => x.a.wallMs)),
        wallB: median(rounds.map((x) => x.b.wallMs)),
        wallRatio: median(rounds.map((x) => x.wallRatio)),
      };
  results.push({ workload: w.name, describe: w.describe, failed, rounds, summary });
}
const totalS = (performance.now() - tAll) / 1000;
const loadAfter = loadavg()[0];
const busy = Math.max(loadBefore, loadAfter) > cpus().length * 0.5;

// ---- table ---------------------------------------------------------------
const header = [
  'workload',
  `${labelA} ms`,
  `${labelB} ms`,
  `ratio ${A === B ? 'A/B' : 'tswasi/node'}`,
  '(min-max)',
  `wall ${A === B ? 'A' : 'tswasi'} ms`,
  `wall ${A === B ? 'B' : 'node'} ms`,
  'wall ratio',
];
const rows = results.map(({ workload, summary: s, failed }) =>
  s
    ? [workload, fmt(s.medianA), fmt(s.medianB), fmt(s.ratio, 3), `${fmt(s.ratioMin, 2)}-${fmt(s.ratioMax, 2)}`,
       fmt(s.wallA, 0), fmt(s.wallB, 0), fmt(s.wallRatio, 3)]
    : [workload, 'FAIL', failed ? failed.split('\n')[0].slice(0, 40) : '', '', '', '', '', ''],
);
const ok = results.filter((r) => r.summary);
const gm = geomean(ok.map((r) => r.summary.ratio));
const gmWall = geomean(ok.map((r) => r.summary.wallRatio));
rows.push(['geomean', '', '', fmt(gm, 3), '', '', '', fmt(gmWall, 3)]);

const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => '| ' + cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ') + ' |';
const out = [
  '',
  `tswasi bench -- node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${opts.rounds} rounds (+${opts.warmup} warm-up), scratch ${SCRATCH}${opts.quick ? ', QUICK sizes' : ''}`,
  `ms = in-process instantiate+start (median); ratio = median of per-round ${labelA}/${labelB}; >1 means ${labelA} is slower`,
  '',
  line(header),
  '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|',
  ...rows.slice(0, -1).map(line),
  '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|',
  line(rows[rows.length - 1]),
  '',
];
const startup = results.find((r) => r.workload === 'startup' && r.summary);
if (startup) {
  out.push(`startup whole-process ratio (spawn -> exit, incl. node boot + module import + compile): ${fmt(startup.summary.wallRatio, 3)}` +
    ` (${fmt(startup.summary.wallA, 0)} ms vs ${fmt(startup.summary.wallB, 0)} ms)`);
}
out.push(`geometric mean of in-process ratios over ${ok.length} workload(s): ${fmt(gm, 3)}` +
  (ok.length < results.length ? `  (${results.length - ok.length} FAILED workload(s) excluded)` : ''));
out.push(`total bench time: ${fmt(totalS, 1)} s; 1-min load average ${fmt(loadBefore, 2)} before, ${fmt(loadAfter, 2)} after`);
if (busy) out.push(`WARNING: the machine was busy (load > ${cpus().length * 0.5} on ${cpus().length} CPUs) -- numbers are noisy, rerun on a quiet machine`);
out.push('');
process.stdout.write(out.join('\n'));

if (opts.json) {
  const doc = {
    meta: {
      startedAt: startedAt.toISOString(),
      node: process.version,
      os: `${process.platform} ${release()}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      rounds: opts.rounds,
      warmup: opts.warmup,
      quick: opts.quick,
      verify: opts.verify,
      scratch: SCRATCH,
      engines: [A, B],
      totalSeconds: totalS,
      loadavgBefore: loadBefore,
      loadavgAfter: loadAfter,
    },
    geomeanRatio: gm,
    geomeanWallRatio: gmWall,
    workloads: results,
  };
  writeFileSync(opts.json, JSON.stringify(doc, null, 2) + '\n');
  process.stderr.write(`bench: wrote ${opts.json}\n`);
}
process.exitCode = results.some((r) => r.failed) ? 1 : 0;
