// @ts-check
// The public surface: every name docs/embedding.md shows is importable from the package
// entry points ('tswasi', 'tswasi/wasi', resolved through package.json
// "exports" as a user's import would be) and holds a real run-time value.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test("'tswasi' exports what docs/embedding.md shows, with run-time values", async () => {
  const m = await import('tswasi');
  /** @type {Record<string, unknown>} the entry point as a table of names, to look each up */
  const byName = m;
  for (const name of ['WASI', 'WasiExit', 'Errno', 'run', 'createPool', 'Pool', 'UserError']) {
    assert.ok(byName[name] !== undefined, `tswasi has no export ${name}`);
  }
  assert.equal(typeof m.WASI, 'function');
  assert.equal(typeof m.run, 'function');
  assert.equal(typeof m.createPool, 'function');
  assert.equal(m.Errno.NOENT, 44);
  assert.equal(m.Errno.SUCCESS, 0);
  assert.equal(m.Errno.NOTCAPABLE, 76);
  assert.equal(m.Errno[44], 'NOENT', 'Errno maps numbers back to names');
  assert.ok(new m.UserError('x') instanceof Error);
  assert.equal(new m.WasiExit(3).code, 3);
  const pool = m.createPool({ maxThreads: 1, minThreads: 0 });
  try {
    assert.ok(pool instanceof m.Pool);
  } finally {
    await pool.destroy();
  }
});

test("'tswasi/wasi' exports what docs/embedding.md shows, with run-time values", async () => {
  const w = await import('tswasi/wasi');
  const top = await import('tswasi');
  /** @type {Record<string, unknown>} */
  const wByName = w;
  for (const name of ['WASI', 'WasiExit', 'WasiError', 'Errno', 'ERRNO_NAMES', 'Rights', 'abi', 'HostDir', 'MemDir']) {
    assert.ok(wByName[name] !== undefined, `tswasi/wasi has no export ${name}`);
  }
  // tswasi's WASI is tswasi/wasi's with the record and replay options (src/wasi.ts): its instances are tswasi/wasi's too.
  assert.equal(Object.getPrototypeOf(top.WASI), w.WASI, "tswasi's WASI extends tswasi/wasi's");
  assert.ok(new top.WASI() instanceof w.WASI);
  assert.equal(w.Errno, top.Errno);
  assert.equal(w.Errno.NOENT, 44);
  assert.equal(w.ERRNO_NAMES[w.Errno.NOENT], 'NOENT');
  assert.equal(w.Rights.FD_READ, 2);
  assert.equal(new w.WasiError(w.Errno.BADF).errno, 8);
  // The witx enums in `abi` are objects too, not compile-time-only constants.
  assert.equal(w.abi.Errno, w.Errno);
  assert.equal(w.abi.Filetype.DIRECTORY, 3);
  assert.equal(w.abi.Filetype.REGULAR_FILE, 4);
  assert.equal(w.abi.Whence.END, 2);
  assert.equal(w.abi.Clockid.MONOTONIC, 1);
  assert.equal(w.abi.Eventtype.FD_WRITE, 2);
  for (const [i, name] of w.ERRNO_NAMES.entries()) assert.equal(w.Errno[/** @type {keyof typeof w.Errno} */ (name)], i, `Errno.${name}`);
});
