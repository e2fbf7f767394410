// @ts-check
// The check-and-use race (issue 6): while the guest loops opening, reading,
// creating, stat-ing, renaming and removing through "swap", the host swaps
// that directory (and a directory inside it) for symlinks to outside, as
// fast as it can. Host backend: a worker thread swaps concurrently with the
// guest's thread. Mem backend (runs on the guest's thread): the volume is
// swapped between every two WASI calls. Nothing outside may be seen or changed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { toolchainProblem } from '../helpers/wasm.mjs';
import {
  compileAttack, makeWorld, worldSnapshot, diffWorld, leaks, runGuest, runCli, summary,
} from './lib.mjs';

const RACE_MS = Number(process.env.ATTACK_RACE_MS || 3000);
const wasm = compileAttack('escape');
const skip = !wasm && `no toolchain: ${toolchainProblem()}`;
/** @type {Array<{ label: string, iters: number, swaps: number, escaped: boolean }>} */
const results = [];
after(() => {
  const esc = results.filter((r) => r.escaped).length;
  summary(`attack: race probes ${results.length}, escapes ${esc} (${results.map((r) => `${r.label}: ${r.iters} guest iterations, ${r.swaps} swaps`).join('; ')})`);
});

/** @param {import('./lib.mjs').World} w */
function plantSwap(w) {
  const F = w.fs;
  const s = (/** @type {string} */ p) => path.posix.join(w.sandbox, p);
  F.mkdirSync(s('swap/sub'), { recursive: true });
  F.writeFileSync(s('swap/data'), 'inside data');
  F.writeFileSync(s('swap/sub/data2'), 'inside data2');
}

// Runs in a worker: swap <sandbox>/swap and <sandbox>/swap/sub for links to outside until told to stop.
const SWAPPER = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { sandbox, targets, subTargets } = workerData;
const stop = new Int32Array(workerData.stop);
const swap = sandbox + '/swap', hidden = sandbox + '/.swapdir';
let swaps = 0, errors = 0;
parentPort.postMessage('up');
while (Atomics.load(stop, 0) === 0) {
  try {
    const t = targets[swaps % targets.length];
    fs.renameSync(swap, hidden);
    fs.symlinkSync(t, swap);
    for (let i = 0; i < 50; i++);
    fs.unlinkSync(swap);
    fs.renameSync(hidden, swap);
    const st = subTargets[swaps % subTargets.length];
    fs.renameSync(swap + '/sub', swap + '/.subdir');
    fs.symlinkSync(st, swap + '/sub');
    fs.unlinkSync(swap + '/sub');
    fs.renameSync(swap + '/.subdir', swap + '/sub');
    swaps++;
  } catch (e) {
    errors++;
    // Put things back and go on: the guest may have created or removed entries.
    try { if (fs.lstatSync(swap).isSymbolicLink()) fs.unlinkSync(swap); } catch {}
    try { fs.renameSync(hidden, swap); } catch {}
    try { if (fs.lstatSync(swap + '/sub').isSymbolicLink()) fs.unlinkSync(swap + '/sub'); } catch {}
    try { fs.renameSync(swap + '/.subdir', swap + '/sub'); } catch {}
  }
}
parentPort.postMessage({ swaps, errors });
`;

/** The guest, a host world planted for the race, its picture, and the swapper thread running. */
async function hostRace() {
  assert.ok(wasm);
  const w = await makeWorld('host');
  plantSwap(w);
  const before = worldSnapshot(w);
  const sw = startSwapper(w);
  await sw.up;
  return { wasm, w, before, sw };
}

/** @param {import('./lib.mjs').World} w */
function startSwapper(w) {
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(SWAPPER, {
    eval: true,
    workerData: {
      sandbox: w.sandbox, stop,
      targets: [w.hostOutside, '../outside', `${w.hostOutside}/dirzq9`, '../outside/dirzq9'],
      subTargets: ['../../outside', w.hostOutside, '../../outside/dirzq9'],
    },
  });
  // A swapper that dies before its first message must fail the test, not leave `up` pending for ever.
  const up = new Promise((res, rej) => {
    worker.once('message', res);
    worker.once('error', rej);
    worker.once('exit', (code) => rej(new Error(`the swapper thread exited (${code}) before it started`)));
  });
  const done = new Promise((res, rej) => {
    worker.on('message', (m) => { if (typeof m === 'object') res(m); });
    worker.once('error', rej);
  });
  return { up, stop: async () => { Atomics.store(new Int32Array(stop), 0, 1); const r = await done; await worker.terminate(); return r; } };
}

/**
 * @param {string} label
 * @param {import('./lib.mjs').GuestResult | import('../helpers/spawn.mjs').RunResult} res
 * @param {Record<string, import('../helpers/snapshot.mjs').Snapshot>} before
 * @param {Record<string, import('../helpers/snapshot.mjs').Snapshot>} after
 * @param {number} swaps
 */
function check(label, res, before, after, swaps) {
  const iters = Number(/race iterations (\d+)/.exec(res.stdout)?.[1] ?? 0);
  const leaked = leaks(res.stdout + res.stderr);
  const changed = diffWorld(before, after);
  const saw = res.stdout.split('\n').filter((l) => l.startsWith('SAW'));
  const escaped = leaked.length > 0 || changed.length > 0 || saw.length > 0;
  results.push({ label, iters, swaps, escaped });
  assert.deepEqual({ leaked: leaked.slice(0, 5), changed: changed.slice(0, 5), saw: saw.slice(0, 5) }, { leaked: [], changed: [], saw: [] },
    `${label}: escape while racing\n${res.stdout.slice(0, 3000)}`);
  const error = 'error' in res && res.error instanceof Error ? res.error.stack : '';
  assert.match(res.stdout, /DONE\n$/, res.stdout + (res.stderr ?? '') + error);
  assert.ok(iters > 20, `the guest looped only ${iters} times`);
  // The guest did get through the real directory now and then: the race was live.
  assert.ok(Number(/inside-reads (\d+)/.exec(res.stdout)?.[1] ?? 0) > 0, res.stdout);
  assert.ok(swaps > 20, `the host swapped only ${swaps} times`);
}

test('race: host swaps a directory for a link to outside while the guest works through it [host, in-process]', { skip }, async () => {
  const { wasm, w, before, sw } = await hostRace();
  const res = await runGuest(wasm, w, ['race', w.hostOutside, String(RACE_MS)]);
  const { swaps } = await sw.stop();
  check('host in-process', res, before, worldSnapshot(w), swaps);
});

test('race: the volume is swapped between every two WASI calls [mem, in-process]', { skip }, async () => {
  assert.ok(wasm);
  const w = await makeWorld('mem');
  plantSwap(w);
  const vol = w.vol;
  assert.ok(vol);
  const before = worldSnapshot(w);
  let swaps = 0;
  let state = 0;
  const targets = ['/outside', '../outside', '/outside/dirzq9', '../outside/dirzq9'];
  const toggle = () => {
    try {
      if (state === 0) {
        vol.renameSync('/sandbox/swap', '/sandbox/.swapdir');
        vol.symlinkSync(targets[swaps % targets.length], '/sandbox/swap');
        state = 1;
      } else if (state === 1) {
        vol.unlinkSync('/sandbox/swap');
        vol.renameSync('/sandbox/.swapdir', '/sandbox/swap');
        vol.renameSync('/sandbox/swap/sub', '/sandbox/swap/.subdir');
        vol.symlinkSync(swaps % 2 ? '../../outside' : '/outside', '/sandbox/swap/sub');
        state = 2;
      } else {
        vol.unlinkSync('/sandbox/swap/sub');
        vol.renameSync('/sandbox/swap/.subdir', '/sandbox/swap/sub');
        state = 0;
        swaps++;
      }
    } catch { /* the guest changed something: keep going */ }
  };
  const res = await runGuest(wasm, w, ['race', '/outside', String(RACE_MS)], {
    wrapImport: (name, fn) => (...a) => { if (name.startsWith('path_')) toggle(); return fn(...a); },
  });
  check('mem in-process', res, before, worldSnapshot(w), swaps);
});

test('race: the host swaps while `tswasi run --dir` works through the link [CLI]', { skip }, async () => {
  const { wasm, w, before, sw } = await hostRace();
  const res = await runCli(['run', '--dir', `${w.sandbox}::/sandbox`, wasm, 'race', w.hostOutside, String(RACE_MS)], { timeout: RACE_MS + 60_000 });
  const { swaps } = await sw.stop();
  assert.equal(res.code, 0, res.stderr);
  check('CLI', res, before, worldSnapshot(w), swaps);
});
