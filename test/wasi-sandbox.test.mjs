// @ts-check
// The sandbox: symlinks planted by the host that point outside, `..`,
// absolute paths, guest-made symlinks. Besides the guest's own checks, the
// sibling 'outside' dir (and, on the mem backend, the volume's /outside and
// /etc) must be byte-for-byte and time-for-time unchanged afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { IMPL, assertOk, compileAndRun, describe } from './helpers/wasm.mjs';
import { snapshotTree } from './helpers/snapshot.mjs';
import { FILES, plant } from './helpers/fixtures.mjs';

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
 * @param {import('./helpers/wasm.mjs').RunWasiResult | import('./helpers/wasm.mjs').SetupArgs} r
 */
function outsideState(r) {
  /** @type {Record<string, import('./helpers/snapshot.mjs').Snapshot>} */
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
      plant(ctx);
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
