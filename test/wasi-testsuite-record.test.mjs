// @ts-check
// Every program of the wasi-testsuite (C, Rust, AssemblyScript), recorded
// with `tswasi run --record` on the host filesystem as the suite runs it
// (test/wasi-testsuite/tswasi.py: --env, --dir ROOT::/, args) and replayed
// with `tswasi replay` in an empty directory on another path: the same
// stdout, stderr and exit code (docs/record-replay.md).
//
// The suite is a checkout that is not part of this repository (TESTSUITE=
// a checkout of WebAssembly/wasi-testsuite, branch prod/testsuite-base;
// test/wasi-testsuite/README.md). Without TESTSUITE this test skips, even
// under CI=true: CI has no checkout (it is fetched from GitHub, which CI
// does not reach). test/record-replay.test.mjs does the same over the
// project's own C programs and always runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from './helpers/wasm.mjs';

const SUITE = process.env.TESTSUITE;
const skip = SUITE === undefined || SUITE === '' ? 'TESTSUITE is not set (a wasi-testsuite checkout)' : false;

/** @typedef {{ wasm: string, name: string, args: string[], env: Record<string, string>, root: string | undefined }} Case */

/** The suite's preview1 programs with their specs (the wasip3 ones are components); those that talk to a client (`operations`: sockets) are left out. @returns {Case[]} */
function cases() {
  /** @type {Case[]} */
  const out = [];
  const tests = path.join(/** @type {string} */ (SUITE), 'tests');
  /** @param {string} dir */
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && !e.name.endsWith('.dir')) walk(p);
      else if (e.isFile() && e.name.endsWith('.wasm') && dir.endsWith('wasm32-wasip1')) {
        const json = p.replace(/\.wasm$/, '.json');
        const spec = fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8')) : {};
        if (spec.operations !== undefined) continue;
        out.push({ wasm: p, name: path.relative(tests, p), args: spec.args ?? [], env: spec.env ?? {}, root: spec.root === undefined ? undefined : path.join(dir, spec.root) });
      }
    }
  };
  walk(tests);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Record one program on a copy of its directory, replay it elsewhere with nothing. @param {Case} c */
async function recordAndReplay(c) {
  const work = tempDir('tswasi-wts-rec-');
  const file = path.join(work, 'run.rec');
  const dir = [];
  if (c.root !== undefined) {
    const copy = path.join(work, 'root');
    fs.cpSync(c.root, copy, { recursive: true });
    dir.push('--dir', `${copy}::/`);
  }
  const env = Object.entries(c.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  const run = await runCli(['run', '--record', file, ...env, ...dir, c.wasm, ...c.args], { cwd: work, stdoutEncoding: 'latin1' });
  if (!fs.existsSync(file)) return { run, replay: { code: -1, stdout: '', stderr: `no recording: ${run.stderr}` } };
  const elsewhere = tempDir('tswasi-wts-replay-');
  fs.renameSync(file, path.join(elsewhere, 'copy.rec'));
  fs.rmSync(work, { recursive: true, force: true });
  const replay = await runCli(['replay', 'copy.rec'], { cwd: elsewhere, stdoutEncoding: 'latin1' });
  fs.rmSync(elsewhere, { recursive: true, force: true });
  return { run, replay };
}

test('every wasi-testsuite program, recorded on the host and replayed in an empty directory, gives the same stdout, stderr and exit code', { skip, timeout: 900_000 }, async () => {
  const all = cases();
  assert.ok(all.length > 60, `only ${all.length} programs under ${SUITE}/tests`);
  /** @type {string[]} */
  const failed = [];
  let next = 0;
  // Two at a time: each is two short processes.
  await Promise.all([0, 1].map(async () => {
    while (next < all.length) {
      const c = all[next++];
      const { run, replay } = await recordAndReplay(c);
      if (replay.stdout !== run.stdout || replay.stderr !== run.stderr || replay.code !== run.code) {
        failed.push(`${c.name}: run ${run.code} ${JSON.stringify(run.stderr.slice(0, 200))}, replay ${replay.code} ${JSON.stringify(replay.stderr.slice(0, 200))}`);
      }
    }
  }));
  assert.deepEqual(failed, [], `${failed.length} of ${all.length} programs replay differently`);
});
