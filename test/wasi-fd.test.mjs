// @ts-check
// fd_* calls, each program on both filesystem backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BACKENDS, assertOk, compileAndRun } from './helpers/wasm.mjs';

/**
 * Read a file the guest left in its sandbox, on either backend.
 * @param {import('./helpers/wasm.mjs').RunWasiResult} r
 * @param {string} rel
 */
function sandboxFile(r, rel) {
  return r.vol ? /** @type {Buffer} memfs gives a Buffer when no encoding is asked for */ (r.vol.readFileSync(`${r.sandbox}/${rel}`.replace('//', '/'))) : fs.readFileSync(path.join(r.sandbox, rel));
}

for (const backend of BACKENDS) {
  test(`fd_read/fd_write/fd_pread/fd_pwrite/fd_seek/fd_tell/fd_close [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'fd_io', { backend });
    if (!r) return;
    assertOk(r);
    // The host sees what the guest wrote.
    const data = sandboxFile(r, 'io.txt');
    assert.equal(data.length, 33);
    assert.equal(data.subarray(0, 13).toString(), 'JELLO, world!');
    assert.deepEqual([...data.subarray(13, 20)], [0, 0, 0, 0, 0, 0, 0]);
    assert.equal(data.subarray(30).toString(), 'END');
  });

  test(`fd_filestat_*/fd_fdstat_*/fd_allocate/fd_advise/fd_sync/fd_datasync [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'fd_stat', { backend });
    if (r) assertOk(r);
  });

  test(`fd_fdstat_set_rights and path_open rights [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'fd_rights', { backend });
    if (r) assertOk(r);
  });

  test(`fd_readdir with small buffers and stable cookies [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'fd_readdir', { backend });
    if (r) assertOk(r);
  });

  test(`fd_renumber [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'fd_renumber', { backend });
    if (r) assertOk(r);
  });

  test(`fd_prestat_get/fd_prestat_dir_name [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'prestat', { backend });
    if (r) assertOk(r);
  });
}
