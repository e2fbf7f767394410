// @ts-check
// Escape probes through the CLI (`tswasi run --dir HOST::/sandbox`) and
// through tswasi-oci (`run --bundle`, the sandbox a bind mount at /sandbox of
// a container whose rootfs holds only the probe). Same detection as the
// in-process probes: no outside byte or name in the output, no outside change.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { bundle as writeBundle } from '../helpers/oci.mjs';
import { tempDir } from '../helpers/tmp.mjs';
import { toolchainProblem } from '../helpers/wasm.mjs';
import {
  compileAttack, makeWorld, worldSnapshot, diffWorld, leaks, runCli, oci, summary,
} from './lib.mjs';
import { plant } from './probes.mjs';

const SUBSET = [
  'dotdot_plain', 'dotdot_subfd', 'abs_paths', 'abs_changes', 'hl_abs_dir', 'hl_rel_dir', 'hl_mid', 'hl_chain', 'hl_up',
  'hl_etc', 'hl_link', 'hl_rename_in', 'hl_rename_out', 'hl_times_through', 'gs_rel', 'gs_dotdot', 'gs_swap_held',
  'nul_paths', 'long_paths', 'renumber_preopen', 'closed_fds', 'controls',
];
const wasm = compileAttack('escape');
const skip = !wasm && `no toolchain: ${toolchainProblem()}`;
const tally = { cli: [0, 0], oci: [0, 0] };
after(() => {
  summary(`attack: probes ${tally.cli[0]} via CLI, escapes ${tally.cli[1]}; probes ${tally.oci[0]} via tswasi-oci, escapes ${tally.oci[1]}`);
});

/**
 * @param {'cli' | 'oci'} kind
 * @param {string} name
 * @param {import('../helpers/spawn.mjs').RunResult} res
 * @param {string[]} changed
 */
function verdict(kind, name, res, changed) {
  tally[kind][0]++;
  const leaked = leaks(res.stdout + res.stderr);
  if (leaked.length || changed.length) tally[kind][1]++;
  assert.deepEqual({ leaked: leaked.slice(0, 8), changed: changed.slice(0, 8) }, { leaked: [], changed: [] }, `${kind} ${name}: escape`);
  assert.equal(res.code, 0, `${kind} ${name}: exit ${res.code}\n${res.stderr}`);
  assert.match(res.stdout, /DONE\n$/, res.stdout.slice(-500));
  if (name === 'controls') assert.equal(res.stdout.match(/SAW read e=0 n=11: inside data/g)?.length, 6, res.stdout);
}

for (const name of SUBSET) {
  test(`escape probe ${name} [CLI --dir]`, { skip }, async () => {
    assert.ok(wasm);
    const w = await makeWorld('host');
    plant(w);
    const before = worldSnapshot(w);
    const res = await runCli(['run', '--dir', `${w.sandbox}::/sandbox`, wasm, name, w.hostOutside]);
    verdict('cli', name, res, diffWorld(before, worldSnapshot(w)));
  });

  test(`escape probe ${name} [tswasi-oci, bind mount]`, { skip }, async () => {
    assert.ok(wasm);
    const w = await makeWorld('host');
    plant(w);
    const b = writeBundle(path.join(tempDir('tswasi-attack-bundle-'), 'b'), {
      args: ['/escape.wasm', name, w.hostOutside],
      files: [[wasm, 'escape.wasm']],
      mounts: [{ destination: '/sandbox', type: 'bind', source: w.sandbox, options: ['rbind', 'rw'] }],
    });
    const rootfsBefore = fs.readdirSync(path.join(b, 'rootfs')).sort();
    const before = worldSnapshot(w);
    const stateRoot = path.join(tempDir('tswasi-attack-state-'), 'state');
    const res = await oci(stateRoot, ['run', '--bundle', b, `probe-${name.replace(/_/g, '-')}`]);
    verdict('oci', name, res, diffWorld(before, worldSnapshot(w)));
    // The rootfs (the container's "/") may change; the bundle's config may not.
    assert.ok(fs.existsSync(path.join(b, 'config.json')));
    assert.deepEqual(rootfsBefore, ['escape.wasm']);
  });
}
