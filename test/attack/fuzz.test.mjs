// @ts-check
// Fuzzing every WASI import with fast-check (issue 6). See fuzz-lib.mjs.
//
//   FUZZ_RUNS=n          runs per backend (default 1500; each run is
//                        FUZZ_CALLS_PER_RUN calls, default 120, on a fresh WASI
//                        instance over the same sandbox)
//   FUZZ_SEED=n          replay a seed (printed at the end of every run)
//   FUZZ_CALL_LIMIT_MS   time bound of one call (default 2000)
//
// A failing run is appended to fuzz-regressions.json (its seed, path and
// the whole counterexample) and replayed by the first test from then on.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { armWatchdog, disarmWatchdog } from '../helpers/watchdog.mjs';
import { ATTACK_DIR, summary } from './lib.mjs';
import {
  SIGS, CALLS_PER_RUN, runArb, prepare, instance, resetMemory, execute, fuzzWorld, outsideChanges, replant, serialise, deserialise,
} from './fuzz-lib.mjs';

const RUNS = Number(process.env.FUZZ_RUNS || 1500);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const CALL_LIMIT_MS = Number(process.env.FUZZ_CALL_LIMIT_MS || 2000);
const REGRESSIONS = path.join(ATTACK_DIR, 'fuzz-regressions.json');
/** @typedef {{ backend: 'host' | 'mem', seed: number, path?: string | null, found: string, problems: string[], run: { memSeed: number, cmds: import('./fuzz-lib.mjs').Command[] } }} Regression a saved counterexample */
/** FUZZ_TRACE=file: log every call before it is made (to find a crash). */
const TRACE = process.env.FUZZ_TRACE ? fs.openSync(process.env.FUZZ_TRACE, 'w') : null;
const BACKENDS = (process.env.FUZZ_BACKENDS || 'host,mem').split(',').map((b) => {
  if (b !== 'host' && b !== 'mem') throw new Error(`FUZZ_BACKENDS: ${b} is neither host nor mem`);
  return b;
});

await prepare();
// Start the watchdog thread now: runOne() arms it synchronously.
await armWatchdog('fuzz setup');
disarmWatchdog();
const stats = {
  calls: 0, byMode: { wasm: 0, direct: 0, raw: 0 }, host: 0, exits: 0, syserr: 0, errnos: /** @type {Map<string | number, number>} */ (new Map()),
  maxMs: 0, maxName: '', fns: /** @type {Set<string>} */ (new Set()), outsideChanged: 0, mapped: 0, mappedKinds: /** @type {Set<string>} */ (new Set()),
  /** Socket calls that succeeded, by name: the listener and connections were really used. */
  sockOk: /** @type {Map<string, number>} */ (new Map()),
};
/** @type {string[]} */
const hostFindings = [];
after(() => {
  const publicCalls = stats.byMode.wasm + stats.byMode.direct;
  summary(`fuzz: calls ${stats.calls}, host exceptions ${stats.host} (seed ${SEED}; ${publicCalls} through wasiImport [${stats.byMode.wasm} via a wasm trampoline, ${stats.byMode.direct} direct], ${stats.byMode.raw} raw unguarded; ${stats.fns.size}/${Object.keys(SIGS).length} functions; ${stats.exits} proc_exit; errnos ${[...stats.errnos].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([e, n]) => `${e}:${n}`).join(' ')} (${stats.errnos.size} distinct); slowest call ${stats.maxMs.toFixed(1)} ms (${stats.maxName}); outside changed in ${stats.outsideChanged} runs)`);
  summary(`fuzz: socket calls that succeeded on the real listener and connections: ${[...stats.sockOk].map(([n, c]) => `${n} ${c}`).join(', ') || 'none'}`);
  for (const f of hostFindings.slice(0, 20)) summary(`  HOST ${f}`);
  if (stats.mapped) summary(`fuzz: ${stats.mapped} raw calls threw an exception that errnoOf maps on purpose (not counted as host exceptions): ${[...stats.mappedKinds].slice(0, 8).join(' | ')}`);
});

/**
 * @param {import('./fuzz-lib.mjs').FuzzWorld} w
 * @param {{ memSeed: number, cmds: import('./fuzz-lib.mjs').Command[] }} run
 * @param {string} label
 * @returns {string[]} what went wrong
 */
function runOne(w, run, label) {
  const ctx = instance(w);
  resetMemory(ctx.memory, run.memSeed);
  /** @type {string[]} */
  const problems = [];
  // Synchronous: the thread runs since the setup's awaited call.
  void armWatchdog(label);
  try {
    for (const cmd of run.cmds) {
      if (TRACE !== null) fs.writeSync(TRACE, `${label} ${cmd.name} ${cmd.mode} ${serialise(cmd.args)} ${cmd.patch ? 'patched' : ''} rss=${Math.round(process.memoryUsage.rss() / 1e6)}MB\n`);
      const r = execute(ctx, cmd);
      stats.calls++;
      stats.byMode[cmd.mode]++;
      stats.fns.add(cmd.name);
      if (r.ms > stats.maxMs) { stats.maxMs = r.ms; stats.maxName = cmd.name; }
      if (r.outcome === 'errno' && r.detail === 0 && cmd.name.startsWith('sock_')) stats.sockOk.set(cmd.name, (stats.sockOk.get(cmd.name) ?? 0) + 1);
      if (r.outcome === 'errno') stats.errnos.set(r.detail, (stats.errnos.get(r.detail) ?? 0) + 1);
      else if (r.outcome === 'exit') stats.exits++;
      else if (r.outcome === 'syserr') stats.syserr++;
      else if (r.outcome === 'mapped') { stats.mapped++; stats.mappedKinds.add(String(r.detail).replace(/Received .*/, '')); }
      else {
        stats.host++;
        const msg = `${cmd.name} [${cmd.mode}] ${serialise(cmd.args)}: ${r.detail}`;
        hostFindings.push(`${msg}\n      ${(r.stack ?? '').split('\n').slice(1, 4).join('\n      ')}`);
        problems.push(msg);
      }
      if (r.ms > CALL_LIMIT_MS) problems.push(`${cmd.name} [${cmd.mode}] took ${r.ms.toFixed(0)} ms`);
    }
  } finally {
    disarmWatchdog();
    ctx.close();
  }
  const changed = outsideChanges(w);
  if (changed.length) {
    stats.outsideChanged++;
    problems.push(`outside changed: ${changed.slice(0, 5).join('; ')}`);
  }
  return problems;
}

/** @param {Regression} entry */
function saveRegression(entry) {
  /** @type {Regression[]} */
  let list = [];
  try { list = deserialise(fs.readFileSync(REGRESSIONS, 'utf8')); } catch {}
  list.push(entry);
  fs.writeFileSync(REGRESSIONS, serialise(list) + '\n');
}

test('every import of new WASI() is fuzzed, with its real signature', () => {
  const ctx = instance({ preopen: '/tmp' });
  assert.deepEqual(Object.keys(ctx.wasi.wasiImport).sort(), Object.keys(SIGS).sort());
  ctx.close();
});

test('fuzz regressions (saved counterexamples) stay fixed', async () => {
  /** @type {Regression[]} */
  let list = [];
  try { list = deserialise(fs.readFileSync(REGRESSIONS, 'utf8')); } catch { /* none yet */ }
  const failures = [];
  for (const [i, r] of list.entries()) {
    const w = await fuzzWorld(r.backend);
    const problems = runOne(w, r.run, `fuzz regression ${i}`);
    if (problems.length) failures.push(`regression #${i} (seed ${r.seed}, ${r.backend}, first found: ${r.found}):\n    ${problems.slice(0, 5).join('\n    ')}`);
  }
  assert.deepEqual(failures, []);
});

for (const backend of BACKENDS) {
  test(`fuzz every WASI import: ${RUNS} runs x ${CALLS_PER_RUN} calls [${backend}]`, { timeout: 30 * 60_000 }, async () => {
    const w = await fuzzWorld(backend);
    let n = 0;
    /** @type {string[]} */
    let lastProblems = [];
    const prop = fc.property(runArb, (run) => {
      if (++n % 50 === 0) replant(w);
      lastProblems = runOne(w, run, `fuzz ${backend} run ${n}`);
      return lastProblems.length === 0;
    });
    const details = fc.check(prop, { numRuns: RUNS, seed: SEED + (backend === 'mem' ? 1 : 0), endOnFailure: !process.env.FUZZ_SHRINK });
    if (details.failed) {
      const run = details.counterexample?.[0];
      if (run) saveRegression({ backend, seed: details.seed, path: details.counterexamplePath, found: new Date().toISOString(), problems: lastProblems.slice(0, 5), run });
      assert.fail(`fuzzing found a failure (seed ${details.seed}, path ${details.counterexamplePath}; saved to fuzz-regressions.json):\n  ${lastProblems.slice(0, 10).join('\n  ')}${details.errorInstance instanceof Error ? `\n${details.errorInstance.stack}` : ''}`);
    }
  });
}

test('the fuzz runs used the real listener and connection (socket calls succeeded)', { skip: RUNS < 100 && 'FUZZ_RUNS < 100: too few calls to expect one' }, () => {
  const ok = [...stats.sockOk.values()].reduce((a, b) => a + b, 0);
  assert.ok(ok > 0, 'no socket call succeeded');
});
