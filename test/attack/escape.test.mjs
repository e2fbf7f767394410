// @ts-check
// The sandbox and every way out of it: a guest must never read, list or
// change anything outside its preopens.
//  - The sandbox programs (test/c/sandbox_*.c; quick tier): symlinks planted
//    by the host that point outside, `..`, absolute paths, guest-made
//    symlinks, on the host backend and memfs volumes. Besides the guest's own
//    checks, the sibling 'outside' dir (and, on the mem backend, the volume's
//    /outside and /etc) must be byte-for-byte and time-for-time unchanged.
//  - The escape probes (test/attack/c/escape.c, issue 6; full tier),
//    in-process on both backends: every probe runs twice per backend, with two
//    different "outside" directories: the guest's whole output must be the
//    same (an answer that depends on what is outside is a leak), must show no
//    outside byte or name, and the outside must be unchanged (names,
//    contents, times).
//  - A subset of the probes through the CLI (`tswasi run --dir
//    HOST::/sandbox`) and through tswasi-oci (`run --bundle`, the sandbox a
//    bind mount at /sandbox of a container whose rootfs holds only the
//    probe), with the same detection (full tier).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { assertOk, compileAndRun, describe, IMPL, toolchainProblem } from '../helpers/wasm.mjs';
import { FILES, plantSandbox } from '../helpers/fixtures.mjs';
import { bundle as writeBundle } from '../helpers/oci.mjs';
import { snapshotTree } from '../helpers/snapshot.mjs';
import { tempDir } from '../helpers/tmp.mjs';
import { inTier } from '../helpers/tiers.mjs';
import { compileAttack, diffWorld, leaks, makeWorld, oci, runCli, runGuest, summary, worldSnapshot } from './lib.mjs';
import { plantProbes, probeNames } from './probes.mjs';

// ------------------------------------------------------ the sandbox programs

// host; mem with the Volume as the preopen; mem with a Volume subdirectory as the preopen
/** @type {Array<{ name: string, backend: 'host' | 'mem', memLayout?: 'root' | 'subdir' }>} */
const VARIANTS =
  IMPL === 'node'
    ? [{ name: 'host', backend: 'host' }]
    : [
        { name: 'host', backend: 'host' },
        { name: 'mem', backend: 'mem', memLayout: 'root' },
        { name: 'mem-subdir', backend: 'mem', memLayout: 'subdir' },
      ];

/**
 * Everything outside the sandbox that the guest could reach by escaping.
 * @param {import('../helpers/wasm.mjs').RunWasiResult | import('../helpers/wasm.mjs').SetupArgs} r
 */
function outsideState(r) {
  /** @type {Record<string, import('../helpers/snapshot.mjs').Snapshot>} */
  const s = { host: snapshotTree(fs, r.outside) };
  if (r.vol) {
    s.volOutside = snapshotTree(r.fs, '/outside');
    s.volEtc = snapshotTree(r.fs, '/etc');
  }
  return s;
}

/**
 * @param {import('node:test').TestContext} t
 * @param {string} name
 * @param {{ name: string, backend: 'host' | 'mem', memLayout?: 'root' | 'subdir' }} v
 */
async function runSandboxed(t, name, v) {
  let before;
  const r = await compileAndRun(t, name, {
    backend: v.backend,
    memLayout: v.memLayout,
    files: FILES,
    withOutside: true,
    setup(ctx) {
      plantSandbox(ctx);
      before = outsideState(ctx);
    },
  });
  if (!r) return null;
  const after = outsideState(r);
  assert.deepEqual(after, before, `the outside dir changed\n${describe(r)}`);
  assert.doesNotMatch(r.stdout, /LEAK|TOP SECRET|root:x:0/, describe(r));
  return r;
}

for (const v of VARIANTS) {
  test(`sandbox: host-planted symlinks pointing outside [${v.name}]`, async (t) => {
    const r = await runSandboxed(t, 'sandbox_escape', v);
    if (!r) return;
    assertOk(r);
    // the escaping links the guest removed are gone, their targets are not
    const f = r.fs;
    const base = r.backend === 'host' ? r.dir : r.sandbox === '/' ? '' : r.sandbox;
    assert.throws(() => f.lstatSync(`${base}/rel_secret`), /ENOENT/);
    assert.equal(String(fs.readFileSync(`${r.outside}/secret.txt`)), 'TOP SECRET');
  });

  test(`sandbox: .., absolute paths and guest-made symlinks [${v.name}]`, async (t) => {
    const r = await runSandboxed(t, 'sandbox_paths', v);
    if (r) assertOk(r);
    if (r) {
      for (const p of ['/tmp/tswasi_escape_dir', '/tmp/tswasi_escape_file', '/tmp/tswasi_escape_link']) {
        assert.equal(fs.existsSync(p), false, `${p} was created on the host`);
      }
    }
  });

  test(`sandbox: symlinks that stay inside are followed [${v.name}]`, async (t) => {
    const r = await runSandboxed(t, 'sandbox_inside', v);
    if (r) assertOk(r);
  });
}

// ------------------------------------------------------------ the escape probes

// Built and listed only when the full tier runs (the quick tier skips them unregistered).
const full = inTier('full');
const wasm = full ? compileAttack('escape') : null;
const skip = !wasm && `no toolchain: ${toolchainProblem()}`;
const names = wasm ? await probeNames(wasm) : [];
/** @type {string[]} */
const escapes = [];
let runs = 0;
const tally = { cli: [0, 0], oci: [0, 0] };

if (full) {
  after(() => {
    summary(`attack: probes ${names.length}, escapes ${escapes.length} (in-process: ${runs} runs on host and mem backends, outside variants A/B)`);
    for (const e of escapes) summary(`  ESCAPE ${e}`);
    summary(`attack: probes ${tally.cli[0]} via CLI, escapes ${tally.cli[1]}; probes ${tally.oci[0]} via tswasi-oci, escapes ${tally.oci[1]}`);
  });
}

/**
 * @param {string} name
 * @param {'host' | 'mem'} backend
 * @param {'A' | 'B'} variant
 */
async function runProbe(name, backend, variant) {
  assert.ok(wasm);
  const w = await makeWorld(backend, variant);
  plantProbes(w);
  const before = worldSnapshot(w);
  const res = await runGuest(wasm, w, [name, w.hostOutside]);
  const changed = diffWorld(before, worldSnapshot(w));
  runs++;
  return { w, res, changed, leaked: leaks(res.stdout + res.stderr) };
}

for (const name of names) {
  for (const backend of /** @type {const} */ (['host', 'mem'])) {
    test(`escape probe ${name} [${backend}]`, { skip }, async () => {
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

if (full) {
  // The detector itself: Node's own node:wasi lets an intermediate symlink
  // escape its preopen (docs/security.md "The sandbox"); the same probes must say so.
  test('detector self-test: the probes catch node:wasi escaping through a planted link', { skip }, async (t) => {
    assert.ok(wasm);
    const { WASI: NodeWASI } = await import('node:wasi');
    const module = await WebAssembly.compile(fs.readFileSync(wasm));
    let caught = 0;
    for (const probe of ['hl_mid', 'hl_rel_dir']) {
      const w = await makeWorld('host');
      plantProbes(w);
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
}

// ------------------------------------------ through the CLI and tswasi-oci

const SUBSET = [
  'dotdot_plain', 'dotdot_subfd', 'abs_paths', 'abs_changes', 'hl_abs_dir', 'hl_rel_dir', 'hl_mid', 'hl_chain', 'hl_up',
  'hl_etc', 'hl_link', 'hl_rename_in', 'hl_rename_out', 'hl_times_through', 'gs_rel', 'gs_dotdot', 'gs_swap_held',
  'nul_paths', 'long_paths', 'renumber_preopen', 'closed_fds', 'controls',
];

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

for (const name of full ? SUBSET : []) {
  test(`escape probe ${name} [CLI --dir]`, { skip }, async () => {
    assert.ok(wasm);
    const w = await makeWorld('host');
    plantProbes(w);
    const before = worldSnapshot(w);
    const res = await runCli(['run', '--dir', `${w.sandbox}::/sandbox`, wasm, name, w.hostOutside]);
    verdict('cli', name, res, diffWorld(before, worldSnapshot(w)));
  });

  test(`escape probe ${name} [tswasi-oci, bind mount]`, { skip }, async () => {
    assert.ok(wasm);
    const w = await makeWorld('host');
    plantProbes(w);
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
