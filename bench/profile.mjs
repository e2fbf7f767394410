#!/usr/bin/env node
// CPU-profile one workload run and summarise where the time goes.
//
//   node bench/profile.mjs <workload> [--engine tswasi|node] [--top N] [--out DIR]
//                          [--interval US] [-- guest args]
//   node bench/profile.mjs --file some.cpuprofile [--top N]
//
// Runs `node --cpu-prof bench/runner.mjs <engine> <workload>` (fresh process,
// NODE_NO_WARNINGS=1), then parses the .cpuprofile and prints
//   1. time by category (wasm guest / tswasi JS / node internals / GC / ...)
//   2. top functions by SELF time (time sampled in the function itself)
//   3. top functions by TOTAL time (self + callees; recursion counted once)
// dist/*.js locations are mapped back to the .ts source via the .js.map
// files when present.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR, ROOT_DIR, buildWorkload, getWorkload } from './lib/workloads.mjs';

const maps = new Map(); // dist .js path -> SourceMap | null

const argv = process.argv.slice(2);
const dd = argv.indexOf('--');
const opts = dd >= 0 ? argv.slice(0, dd) : argv;
const guestArgs = dd >= 0 ? argv.slice(dd) : [];
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
let engine = 'tswasi', top = 25, out = null, file = null, workload = null, interval = null;
for (let i = 0; i < opts.length; i++) {
  const a = opts[i];
  if (a === '--engine') engine = opts[++i];
  else if (a === '--top') top = Number(opts[++i]);
  else if (a === '--out') out = opts[++i];
  else if (a === '--file') file = opts[++i];
  else if (a === '--interval') interval = opts[++i];
  else if (!a.startsWith('--') && !workload) workload = a;
  else {
    process.stderr.write(`profile: bad argument ${a}\n`);
    process.exit(2);
  }
}

if (!file) {
  if (!workload) {
    process.stderr.write('usage: node bench/profile.mjs <workload> [--engine tswasi|node] [--top N] [--out DIR] [--interval US]\n' +
      '       node bench/profile.mjs --file X.cpuprofile [--top N]\n');
    process.exit(2);
  }
  out ??= mkdtempSync(join(tmpdir(), `tswasi-prof-${workload}-`));
  mkdirSync(out, { recursive: true });
  const env = { ...process.env, NODE_NO_WARNINGS: '1' };
  const r = spawnSync(process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', out, ...(interval ? ['--cpu-prof-interval', interval] : []), join(BENCH_DIR, 'runner.mjs'), engine, workload,
      '--wasm', buildWorkload(getWorkload(workload)), ...guestArgs],
    { env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  process.stdout.write(`run: ${r.stdout.trim()}\n`);
  if (r.status !== 0) process.stderr.write(`profile: runner exited with status ${r.status}\n`);
  const profs = readdirSync(out).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (!profs.length) {
    process.stderr.write(`profile: no .cpuprofile written in ${out}\n`);
    process.exit(1);
  }
  file = join(out, profs[profs.length - 1]);
}
process.stdout.write(`profile: ${file}\n`);
summarise(JSON.parse(readFileSync(file, 'utf8')), top);

// ---------------------------------------------------------------------------
function summarise(prof, topN) {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // self time per node from samples/timeDeltas (µs); timeDeltas[i] is the gap
  // *before* sample i, so attribute timeDeltas[i+1] to sample i.
  const selfUs = new Map();
  const { samples, timeDeltas } = prof;
  let totalUs = 0;
  for (let i = 0; i < samples.length; i++) {
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0;
    if (dt <= 0) continue;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + dt);
    totalUs += dt;
  }

  const keyOf = (n) => {
    const cf = n.callFrame;
    return `${cf.functionName || '(anonymous)'}\u0000${cf.url}\u0000${cf.lineNumber}\u0000${cf.columnNumber}`;
  };
  const fn = new Map(); // key -> { name, where, category, self, total }
  const entry = (n) => {
    const k = keyOf(n);
    let e = fn.get(k);
    if (!e) {
      e = { name: n.callFrame.functionName || '(anonymous)', where: location(n.callFrame), category: category(n.callFrame), self: 0, total: 0 };
      fn.set(k, e);
    }
    return e;
  };
  const cats = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    const e = entry(n);
    e.self += us;
    // nearest *tswasi* (else guest/harness) frame above this one that is a
    // different function: which host code issued this native/fs call
    let pid = parent.get(id);
    while (pid !== undefined) {
      const pn = byId.get(pid);
      const c = category(pn.callFrame);
      if (keyOf(pn) !== keyOf(n) && (c === 'tswasi' || c === 'wasm guest' || c.startsWith('wasm->') || c === 'bench harness')) break;
      pid = parent.get(pid);
    }
    if (pid !== undefined) {
      const pe = entry(byId.get(pid));
      e.callers ??= new Map();
      e.callers.set(pe, (e.callers.get(pe) ?? 0) + us);
    }
    cats.set(e.category, (cats.get(e.category) ?? 0) + us);
    // inclusive: walk to the root, counting each function once per stack
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const cn = byId.get(cur);
      const k = keyOf(cn);
      if (seen.has(k)) continue;
      seen.add(k);
      entry(cn).total += us;
    }
  }

  const pct = (us) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
  const ms = (us) => `${(us / 1000).toFixed(1).padStart(8)} ms`;
  const w = process.stdout.write.bind(process.stdout);
  const startE = [...fn.values()].find((e) => e.name === '_start' && e.where.startsWith('wasm:'));
  w(`sampled time: ${(totalUs / 1000).toFixed(1)} ms (${samples.length} samples) -- whole process incl. node boot\n`);
  if (startE) w(`inside the guest's _start (i.e. wasi.start): ${(startE.total / 1000).toFixed(1)} ms = ${pct(startE.total).trim()}\n`);
  w('\n');
  w('by category (self time):\n');
  for (const [c, us] of [...cats].sort((a, b) => b[1] - a[1])) w(`  ${pct(us)} ${ms(us)}  ${c}\n`);

  const all = [...fn.values()].filter((e) => e.name !== '(root)');
  w(`\ntop ${topN} by self time:\n`);
  for (const e of [...all].sort((a, b) => b.self - a.self).slice(0, topN)) {
    if (e.self <= 0) break;
    w(`  ${pct(e.self)} ${ms(e.self)}  ${e.name}  [${e.category}] ${e.where}\n`);
  }
  w('\nwhere the top self-time functions are called from (nearest tswasi/guest frame; share of self time):\n');
  for (const e of [...all].filter((e) => !e.name.startsWith('(')).sort((a, b) => b.self - a.self).slice(0, 8)) {
    if (!e.callers || e.self <= 0) continue;
    w(`  ${e.name} ${e.where ? `(${e.where})` : ''} ${pct(e.self).trim()}:\n`);
    for (const [c, us] of [...e.callers].sort((a, b) => b[1] - a[1]).slice(0, 4)) {
      w(`      ${((100 * us) / e.self).toFixed(0).padStart(3)}%  <- ${c.name}  ${c.where}\n`);
    }
  }
  w(`\ntop ${topN} by total time (self + callees):\n`);
  for (const e of [...all].filter((e) => !e.name.startsWith('(')).sort((a, b) => b.total - a.total).slice(0, topN)) {
    w(`  ${pct(e.total)} ${ms(e.total)}  ${e.name}  [${e.category}] ${e.where}\n`);
  }
}

function category(cf) {
  const u = cf.url || '';
  if (cf.functionName === '(garbage collector)') return 'GC';
  if (cf.functionName === '(program)') return 'native/VM (program)';
  if (cf.functionName === '(idle)') return 'idle';
  if (u.startsWith('wasm://')) {
    // wasi-libc's __wasi_* wrappers call the host import; a native host
    // (node:wasi / uvwasi, C++) gets no frame of its own, so its time shows
    // up here. A JS host (tswasi) appears as separate JS frames instead.
    if (/^__(imported_)?wasi_/.test(cf.functionName)) return 'wasm->host call (native host time lands here)';
    return 'wasm guest';
  }
  if (u.startsWith('node:')) return 'node internals';
  if (u.includes('/dist/')) return 'tswasi';
  if (u.includes('/bench/')) return 'bench harness';
  if (u.includes('/node_modules/')) return 'dependencies';
  if (!u) return 'native/builtin';
  return 'other JS';
}

function location(cf) {
  const u = cf.url;
  if (!u) return '';
  const line = cf.lineNumber + 1;
  if (!u.startsWith('file://')) return u.startsWith('wasm://') ? u.replace(/^wasm:\/\/wasm\//, 'wasm:') : `${u}:${line}`;
  const path = fileURLToPath(u);
  let where = `${relative(ROOT_DIR, path)}:${line}`;
  // map dist/**/*.js back to the TypeScript source
  if (!maps.has(path)) {
    let sm = null;
    try {
      if (existsSync(path + '.map')) sm = new SourceMap(JSON.parse(readFileSync(path + '.map', 'utf8')));
    } catch { /* no usable map */ }
    maps.set(path, sm);
  }
  const sm = maps.get(path);
  if (sm) {
    const e = sm.findEntry(cf.lineNumber, cf.columnNumber);
    if (e && e.originalSource) {
      const src = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : join(path, '..', e.originalSource);
      where = `${relative(ROOT_DIR, src)}:${e.originalLine + 1}`;
    }
  }
  return where;
}
