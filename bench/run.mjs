#!/usr/bin/env node
// Benchmark harness: tswasi vs node:wasi on the workloads in bench/c/.
//
//   node bench/run.mjs [--rounds N] [--only a,b] [--json FILE] [--mode both|process|in-process]
//                      [--engines tswasi,node] [--warmup N] [--tmpdir DIR] [--quick]
//
// Every workload is timed two ways, each run a fresh `node` process:
//   - whole process (what a user sees): `tswasi run --dir SCRATCH::/sandbox
//     M.wasm ARGS` against bench/node-wasi-run.mjs (the few lines a node:wasi
//     user writes) with the same arguments, spawn to exit, start-up included;
//   - in process: bench/runner.mjs times instantiate + start only.
// Each round runs A then B for each way (A B A B ...), so drift (thermal,
// page cache, other load) hits both engines alike. Reported per workload: the
// median time per engine, the median of the per-round ratios A/B and their
// range; then the geometric mean of the per-workload ratios.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH_DIR, GUEST_DIR, ROOT_DIR, WORKLOADS, buildWorkload, getWorkload, scratchBase, stdoutProblem } from './lib/workloads.mjs';

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
  --mode M           both (default), process (whole processes only) or
                     in-process (runner.mjs only)
  --no-verify        skip the untimed correctness runs per engine and way (guest
                     exit code + exact stdout) before each workload
`;

function parseArgs(argv) {
  const o = { rounds: 5, only: null, json: null, engines: ['tswasi', 'node'], warmup: 1, quick: false, timeout: 300, tmpdir: null, verify: true, mode: 'both' };
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
      case '--mode': o.mode = val(); break;
      case '-h': case '--help': process.stdout.write(HELP); process.exit(0);
      default: die(`unknown option ${a}\n${HELP}`);
    }
  }
  if (o.engines.length !== 2) die('--engines needs exactly two engines, e.g. tswasi,node');
  for (const e of o.engines) if (!['tswasi', 'node', 'node:wasi'].includes(e)) die(`unknown engine '${e}'`);
  if (!['both', 'process', 'in-process'].includes(o.mode)) die(`unknown --mode '${o.mode}' (both, process, in-process)`);
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

// The command users run: package.json's bin (the CommonJS launcher, which skips the ES module loader's set-up).
const CLI = join(ROOT_DIR, JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8')).bin.tswasi);
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

const NODE_WASI_RUN = join(BENCH_DIR, 'node-wasi-run.mjs');
const WAYS = opts.mode === 'both' ? ['process', 'in-process'] : [opts.mode];

function failure(r, engine, wallMs) {
  const why = r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `status ${r.status}`;
  const err = (r.stderr || '').trim().split('\n').slice(-5).join('\n      ');
  return { ok: false, engine, wallMs, error: `${why}${err ? `\n      ${err}` : ''}` };
}

/** One in-process run: bench/runner.mjs times instantiate + start inside a fresh node. */
function runInProcess(engine, w, verify = false) {
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
  if (r.status !== 0 || !res || res.exitCode !== 0) return failure(r, engine, wallMs);
  return { ok: true, ...res, engine, wallMs };
}

/**
 * One whole-process run, spawn to exit, as a user runs it: `tswasi run` or the
 * node:wasi script, with a fresh scratch dir preopened as /sandbox (made and
 * removed outside the timed region) and the guest's stdout on /dev/null (a
 * file when verifying, checked afterwards).
 */
function runWholeProcess(engine, w, verify = false) {
  const guestArgs = opts.quick ? w.quickArgs : w.args;
  const sandbox = mkdtempSync(join(SCRATCH, `tswasi-bench-${w.name}-`));
  const outPath = `${sandbox}.stdout`;
  const out = openSync(verify ? outPath : '/dev/null', 'w');
  const common = ['--dir', `${sandbox}::${GUEST_DIR}`, '--env', 'BENCH=1', wasmFor.get(w.name), ...guestArgs];
  const args = engine === 'tswasi' ? [CLI, 'run', ...common] : [NODE_WASI_RUN, ...common];
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { env: childEnv, stdio: ['ignore', out, 'pipe'], encoding: 'utf8', timeout: opts.timeout * 1000 });
    const ms = performance.now() - t0;
    if (r.status !== 0) return failure(r, engine, ms);
    if (verify) {
      const problem = stdoutProblem(w, guestArgs, readFileSync(outPath));
      if (problem) return { ok: false, engine, error: problem };
    }
    return { ok: true, engine, ms };
  } finally {
    closeSync(out);
    rmSync(sandbox, { recursive: true, force: true });
    rmSync(outPath, { force: true });
  }
}

const RUN = { process: runWholeProcess, 'in-process': runInProcess };

const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const results = [];
const startedAt = new Date();
const loadBefore = loadavg()[0];
const tAll = performance.now();
process.stderr.write(
  `bench: ${workloads.length} workload(s) x ${opts.rounds} round(s) x [${labelA}, ${labelB}] x [${WAYS.join(', ')}]` +
    `${opts.warmup ? ` (+${opts.warmup} warm-up)` : ''}${opts.quick ? ' [quick sizes]' : ''}, scratch in ${SCRATCH}\n`,
);

function summarize(rounds, way) {
  const rs = rounds.map((x) => x[way]);
  return {
    medianA: median(rs.map((x) => x.a.ms)),
    medianB: median(rs.map((x) => x.b.ms)),
    ratio: median(rs.map((x) => x.ratio)),
    ratioMin: Math.min(...rs.map((x) => x.ratio)),
    ratioMax: Math.max(...rs.map((x) => x.ratio)),
  };
}

for (const w of workloads) {
  const rounds = [];
  let failed = null;
  if (opts.verify) {
    for (const way of WAYS) {
      for (const e of [...new Set([A, B])]) {
        const res = RUN[way](e, w, true);
        if (!res.ok) {
          failed = `${label(e)} (${way} verify run): ${res.error}`;
          break;
        }
      }
      if (failed) break;
    }
    if (!failed) process.stderr.write(`  ${w.name.padEnd(13)} verified (exit 0, same stdout) on ${[...new Set([label(A), label(B)])].join(', ')}, ${WAYS.join(' and ')}\n`);
  }
  for (let r = -opts.warmup; r < opts.rounds && !failed; r++) {
    const round = { round: r + 1 };
    for (const way of WAYS) {
      const pair = [];
      for (const e of [A, B]) {
        const res = RUN[way](e, w);
        if (!res.ok) {
          failed = `${label(e)} (${way}): ${res.error}`;
          break;
        }
        pair.push(res);
      }
      if (failed) break;
      const [a, b] = pair;
      round[way] = { a, b, ratio: a.ms / b.ms };
    }
    if (failed) break;
    process.stderr.write(
      `  ${w.name.padEnd(13)} ${r < 0 ? 'warm-up ' : `round ${r + 1}/${opts.rounds}`}  ` +
        WAYS.map((way) => `${way}: ${labelA} ${fmt(round[way].a.ms)} ms, ${labelB} ${fmt(round[way].b.ms)} ms, ratio ${fmt(round[way].ratio, 3)}`).join('; ') + '\n',
    );
    if (r >= 0) rounds.push(round);
  }
  if (failed) process.stderr.write(`  ${w.name}: FAILED -- ${failed}\n`);
  const summary = failed ? null : Object.fromEntries(WAYS.map((way) => [way, summarize(rounds, way)]));
  results.push({ workload: w.name, describe: w.describe, failed, rounds, summary });
}
const totalS = (performance.now() - tAll) / 1000;
const loadAfter = loadavg()[0];
const busy = Math.max(loadBefore, loadAfter) > cpus().length * 0.5;

// ---- tables --------------------------------------------------------------
const ok = results.filter((r) => r.summary);
const geomeans = {};
function table(way) {
  const header = ['workload', `${labelA} ms`, `${labelB} ms`, `ratio ${A === B ? 'A/B' : 'tswasi/node'}`, '(min-max)'];
  const rows = results.map(({ workload, summary, failed }) => {
    const s = summary?.[way];
    return s
      ? [workload, fmt(s.medianA), fmt(s.medianB), fmt(s.ratio, 3), `${fmt(s.ratioMin, 2)}-${fmt(s.ratioMax, 2)}`]
      : [workload, 'FAIL', failed ? failed.split('\n')[0].slice(0, 40) : '', '', ''];
  });
  geomeans[way] = geomean(ok.map((r) => r.summary[way].ratio));
  rows.push(['geomean', '', '', fmt(geomeans[way], 3), '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => '| ' + cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ') + ' |';
  return [
    line(header),
    '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|',
    ...rows.slice(0, -1).map(line),
    line(rows[rows.length - 1]),
  ];
}
const TITLES = {
  process: `whole process (spawn -> exit, start-up included): \`tswasi run\` vs bench/node-wasi-run.mjs, ms`,
  'in-process': 'in process (WebAssembly.instantiate + start, bench/runner.mjs), ms',
};
const out = [
  '',
  `tswasi bench -- node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${opts.rounds} rounds (+${opts.warmup} warm-up), scratch ${SCRATCH}${opts.quick ? ', QUICK sizes' : ''}`,
  `ms = median; ratio = median of per-round ${labelA}/${labelB}; >1 means ${labelA} is slower`,
];
for (const way of WAYS) out.push('', TITLES[way], '', ...table(way));
out.push('');
for (const way of WAYS) {
  out.push(`geometric mean of ${way} ratios over ${ok.length} workload(s): ${fmt(geomeans[way], 3)}` +
    (ok.length < results.length ? `  (${results.length - ok.length} FAILED workload(s) excluded)` : ''));
}
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
      modes: WAYS,
      scratch: SCRATCH,
      engines: [A, B],
      totalSeconds: totalS,
      loadavgBefore: loadBefore,
      loadavgAfter: loadAfter,
    },
    geomeanRatio: geomeans,
    workloads: results,
  };
  writeFileSync(opts.json, JSON.stringify(doc, null, 2) + '\n');
  process.stderr.write(`bench: wrote ${opts.json}\n`);
}
process.exitCode = results.some((r) => r.failed) ? 1 : 0;
