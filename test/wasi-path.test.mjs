// @ts-check
// path_* calls and symlinks, each program on both filesystem backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, assertOk, compileAndRun } from './helpers/wasm.mjs';

for (const backend of BACKENDS) {
  test(`path_create_directory/filestat/set_times/link/open/remove_directory/rename/unlink_file [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'path_ops', { backend });
    if (!r) return;
    assertOk(r);
    // What the guest left behind, seen from the host.
    const f = r.fs;
    const base = r.backend === 'host' ? r.dir : r.sandbox === '/' ? '' : r.sandbox;
    const names = f.readdirSync(base || '/').map(String).sort();
    assert.deepEqual(names, ['d1', 'e4', 'empty', 'file.txt', 'new.txt', 'renamed.txt']);
    assert.equal(String(f.readFileSync(`${base}/file.txt`)), 'shared');
    assert.deepEqual(f.readdirSync(`${base}/e4`).map(String), ['via_fd.txt']);
  });

  test(`path_symlink/path_readlink and symlinks inside the sandbox [${backend}]`, async (t) => {
    // TSWASI_TEST_BACKEND lets the guest allow for a documented memfs difference.
    const r = await compileAndRun(t, 'symlinks', { backend, env: { TSWASI_TEST_BACKEND: backend } });
    if (!r) return;
    assertOk(r);
    const f = r.fs;
    const base = r.backend === 'host' ? r.dir : r.sandbox === '/' ? '' : r.sandbox;
    assert.equal(String(f.readlinkSync(`${base}/d/ln3`)), '../d/target.txt');
    assert.equal(String(f.readFileSync(`${base}/d/target.txt`)), 'TARGET');
    assert.ok(f.lstatSync(`${base}/loop1`).isSymbolicLink());
  });
}
