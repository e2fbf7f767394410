// @ts-check
// Sandbox escape probes (issue 6), in-process on both backends (a host
// directory and a memfs volume). Every probe runs twice per backend, with two
// different "outside" directories: the guest's whole output must be the same
// (an answer that depends on what is outside is a leak), must show no outside
// byte or name, and the outside must be unchanged (names, contents, times).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { toolchainProblem } from '../helpers/wasm.mjs';
import {
  compileAttack, makeWorld, worldSnapshot, diffWorld, leaks, runGuest, summary,
} from './lib.mjs';
import { plant, probeNames } from './probes.mjs';

const wasm = compileAttack('escape');
const names = wasm ? await probeNames(wasm) : [];
/** @type {string[]} */
const escapes = [];
let runs = 0;

after(() => {
  summary(`attack: probes ${names.length}, escapes ${escapes.length} (in-process: ${runs} runs on host and mem backends, outside variants A/B)`);
  for (const e of escapes) summary(`  ESCAPE ${e}`);
});

/**
 * @param {string} name
 * @param {'host' | 'mem'} backend
 * @param {'A' | 'B'} variant
 */
async function runProbe(name, backend, variant) {
  assert.ok(wasm);
  const w = await makeWorld(backend, variant);
  plant(w);
  const before = worldSnapshot(w);
  const res = await runGuest(wasm, w, [name, w.hostOutside]);
  const changed = diffWorld(before, worldSnapshot(w));
  runs++;
  return { w, res, changed, leaked: leaks(res.stdout + res.stderr) };
}

for (const name of names) {
  for (const backend of /** @type {const} */ (['host', 'mem'])) {
    test(`escape probe ${name} [${backend}]`, { skip: !wasm && `no toolchain: ${toolchainProblem()}` }, async () => {
      const a = await runProbe(name, backend, 'A');
      const b = await runProbe(name, backend, 'B');
      const problems = [];
      for (const [v, r] of /** @type {const} */ ([['A', a], ['B', b]])) {
        if (r.leaked.length) problems.push(`variant ${v}: outside data in guest output:\n    ${r.leaked.slice(0, 10).join('\n    ')}`);
        if (r.changed.length) problems.push(`variant ${v}: outside changed:\n    ${r.changed.slice(0, 10).join('\n    ')}`);
      }
      if (a.res.stdout !== b.res.stdout) {
        const la = a.res.stdout.split('\n');
        const lb = b.res.stdout.split('\n');
        const i = la.findIndex((l, k) => l !== lb[k]);
        problems.push(`output depends on the outside's contents (first difference, line ${i + 1}): A=${JSON.stringify(la[i])} B=${JSON.stringify(lb[i])}`);
      }
      if (problems.length) escapes.push(`${name} [${backend}]: ${problems[0].split('\n')[0]}`);
      assert.deepEqual(problems, [], `probe ${name} on ${backend}:\n${problems.join('\n')}`);
      // The probe itself must have run to its end (a trap or host exception is a bug too).
      assert.equal(a.res.error, undefined, `start() threw: ${a.res.error instanceof Error ? a.res.error.stack : a.res.error}\n${a.res.stdout.slice(-2000)}`);
      assert.equal(a.res.code, 0, `exit ${a.res.code}\n${a.res.stderr}`);
      assert.match(a.res.stdout, /DONE\n$/);
      if (name === 'controls') {
        // The positive controls prove the probes can see what is inside.
        assert.equal(a.res.stdout.match(/SAW read e=0 n=11: inside data/g)?.length, 6, a.res.stdout);
        assert.doesNotMatch(a.res.stdout, /L\d+ e=[1-9]/, a.res.stdout);
      }
    });
  }
}

// The detector itself: Node's own node:wasi lets an intermediate symlink
// escape its preopen (docs/security.md "The sandbox"); the same probes must say so.
test('detector self-test: the probes catch node:wasi escaping through a planted link', { skip: !wasm && 'no toolchain' }, async (t) => {
  assert.ok(wasm);
  const { WASI: NodeWASI } = await import('node:wasi');
  const fs = await import('node:fs');
  const module = await WebAssembly.compile(fs.readFileSync(wasm));
  let caught = 0;
  for (const probe of ['hl_mid', 'hl_rel_dir']) {
    const w = await makeWorld('host');
    plant(w);
    const before = worldSnapshot(w);
    const out = `${w.root}/.stdout`;
    const fd = fs.openSync(out, 'w');
    const wasi = new NodeWASI({ version: 'preview1', args: ['escape', probe, w.hostOutside], preopens: { '/sandbox': w.sandbox }, stdout: fd, returnOnExit: true });
    // @types/node types node:wasi's import object as `object`.
    try { wasi.start(await WebAssembly.instantiate(module, /** @type {WebAssembly.Imports} */ (wasi.getImportObject()))); } catch {}
    fs.closeSync(fd);
    if (leaks(fs.readFileSync(out, 'latin1')).length || diffWorld(before, worldSnapshot(w)).length) caught++;
  }
  if (caught === 0) t.skip('node:wasi no longer escapes here: nothing to detect');
  else assert.equal(caught, 2);
});
