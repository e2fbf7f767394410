// @ts-check
// Host stability (issue 6): long compute and I/O workloads, over and over,
// in-process on both backends and through the CLI. The host process must
// never crash or abort, and every run must give the same answer.
//
//   ATTACK_STRESS_RUNS   in-process runs (default 20), ATTACK_STRESS_ITERS (default 200000000)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { toolchainProblem } from '../helpers/wasm.mjs';
import { compileAttack, makeWorld, runGuest, runCli, summary } from './lib.mjs';

const RUNS = Number(process.env.ATTACK_STRESS_RUNS || 20);
const ITERS = String(process.env.ATTACK_STRESS_ITERS || 200_000_000);
const FILES = '2000';
const wasm = compileAttack('stress');
const skip = !wasm && `no toolchain: ${toolchainProblem()}`;
const done = { inproc: 0, cli: 0, ms: 0 };
after(() => summary(`attack: stability runs ${done.inproc} in-process + ${done.cli} CLI (${ITERS} iterations, ${FILES} files, 200000 clock calls each) in ${(done.ms / 1000).toFixed(1)} s, host crashes 0`));

/** @type {string | undefined} */
let expected;
/**
 * @param {string} stdout
 * @param {string} label
 */
function checkOutput(stdout, label) {
  const m = /acc (\d+) bytes (\d+)\n$/.exec(stdout);
  assert.ok(m, `${label}: ${stdout.slice(-300)}`);
  expected ??= m[0];
  assert.equal(m[0], expected, `${label} gave a different answer`);
}

test(`${RUNS} long compute + I/O runs in-process, alternating host and mem`, { skip, timeout: 60 * 60_000 }, async () => {
  assert.ok(wasm);
  const t0 = Date.now();
  for (let i = 0; i < RUNS; i++) {
    const w = await makeWorld(i % 2 ? 'mem' : 'host');
    const r = await runGuest(wasm, w, [ITERS, FILES]);
    assert.equal(r.error, undefined, `run ${i} [${w.backend}] threw: ${r.error instanceof Error ? r.error.stack : r.error}`);
    assert.equal(r.code, 0, `run ${i} [${w.backend}]: ${r.stdout.slice(-300)}`);
    checkOutput(r.stdout, `run ${i} [${w.backend}]`);
    done.inproc++;
  }
  done.ms += Date.now() - t0;
  const rss = process.memoryUsage.rss() / 1e6;
  assert.ok(rss < 2000, `RSS ${rss} MB after ${RUNS} runs`);
});

test('5 long compute + I/O runs through `tswasi run --dir`', { skip, timeout: 30 * 60_000 }, async () => {
  assert.ok(wasm);
  const t0 = Date.now();
  for (let i = 0; i < 5; i++) {
    const w = await makeWorld('host');
    const r = await runCli(['run', '--dir', `${w.sandbox}::/sandbox`, wasm, ITERS, FILES], { timeout: 10 * 60_000 });
    assert.equal(r.signal, null, `CLI run ${i} died of ${r.signal}: ${r.stderr}`);
    assert.equal(r.code, 0, `CLI run ${i}: ${r.stderr}`);
    assert.equal(r.stderr, '');
    checkOutput(r.stdout, `CLI run ${i}`);
    done.cli++;
  }
  done.ms += Date.now() - t0;
});
