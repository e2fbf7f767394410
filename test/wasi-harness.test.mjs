// @ts-check
// The harness itself: failures are detected, and the programs together
// import every function of wasi_snapshot_preview1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { compileC, compileAndRun, describe, toolchainProblem } from './helpers/wasm.mjs';

const PREVIEW1 = `args_get args_sizes_get environ_get environ_sizes_get clock_res_get clock_time_get
fd_advise fd_allocate fd_close fd_datasync fd_fdstat_get fd_fdstat_set_flags fd_fdstat_set_rights
fd_filestat_get fd_filestat_set_size fd_filestat_set_times fd_pread fd_prestat_get fd_prestat_dir_name
fd_pwrite fd_read fd_readdir fd_renumber fd_seek fd_sync fd_tell fd_write path_create_directory
path_filestat_get path_filestat_set_times path_link path_open path_readlink path_remove_directory
path_rename path_symlink path_unlink_file poll_oneoff proc_exit proc_raise sched_yield random_get
sock_accept sock_recv sock_send sock_shutdown`.split(/\s+/);

// The conformance programs (other programs in test/c belong to other suites).
const PROGRAMS = `args_env clock fd_io fd_stat fd_rights fd_readdir fd_renumber prestat path_ops
symlinks poll proc random sock stdio sandbox_escape sandbox_paths sandbox_inside abi_edges`.split(/\s+/);

test('the list of preview1 functions has 46 entries', () => {
  assert.equal(new Set(PREVIEW1).size, 46);
});

test('the C programs together import all 46 preview1 functions', (t) => {
  if (toolchainProblem() && process.env.CI !== 'true') return t.skip('no wasm32-wasi toolchain');
  const imported = new Set();
  const programs = PROGRAMS.map((p) => `${p}.c`);
  for (const f of programs) {
    const wasm = compileC(f.slice(0, -2));
    assert.ok(wasm, `${f} was not built`);
    for (const imp of WebAssembly.Module.imports(new WebAssembly.Module(fs.readFileSync(wasm)))) {
      assert.equal(imp.module, 'wasi_snapshot_preview1', `${f} imports ${imp.module}.${imp.name}`);
      imported.add(imp.name);
    }
  }
  const missing = PREVIEW1.filter((n) => !imported.has(n));
  assert.deepEqual(missing, [], `functions no program calls: ${missing.join(', ')}`);
  const unknown = [...imported].filter((n) => !PREVIEW1.includes(n));
  assert.deepEqual(unknown, []);
});

test('a failing CHECK is reported: exit 1 and FAIL file:line', async (t) => {
  const r = await compileAndRun(t, 'selftest_fail', { backend: 'host' });
  if (!r) return;
  assert.equal(r.code, 1, describe(r));
  assert.match(r.stdout, /^FAIL .*selftest_fail\.c:\d+: __wasi_fd_close\(12345\) -> errno 8 \(BADF\), expected 0 \(SUCCESS\)\n$/);
  assert.doesNotMatch(r.stdout, /(^|\n)ok\n/);
});
