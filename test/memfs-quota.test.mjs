// @ts-check
// A guest cannot make the host allocate without bound through a memfs volume:
// memfs keeps a file in one Buffer, so one write at a far offset would ask for
// gigabytes at once. Growth past the volume's limit fails (NOSPC; FBIG past
// what one Buffer holds) and allocates nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Volume } from 'memfs';
import { WASI, Errno } from '../dist/wasi/index.js';
import { compileWat } from './helpers/wasm.mjs';

/**
 * A command that opens /f (created), runs `ops` — each one call whose errno
 * is stored — and exits with the first non-zero errno, or 0.
 * @param {string[]} ops WAT expressions, each a call that returns an errno
 */
async function guest(ops) {
  const calls = ops.map((op) => `(local.set $r ${op}) (if (local.get $r) (then (call $exit (local.get $r))))`).join('\n');
  const wat = `(module
    (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "path_unlink_file" (func $unlink (param i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_pwrite" (func $pwrite (param i32 i32 i32 i64 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $setsize (param i32 i64) (result i32)))
    (import "wasi_snapshot_preview1" "fd_allocate" (func $allocate (param i32 i64 i64) (result i32)))
    (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 20)
    (data (i32.const 0) "f")
    (func $openf (result i32)
      ;; the fd goes to 16; the iovec at 32 is 512 KiB from 65536
      (i32.store (i32.const 32) (i32.const 65536))
      (i32.store (i32.const 36) (i32.const 524288))
      (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 16)))
    ;; close f, delete it, open a new f
    (func $unlinkf (result i32) (local $r i32)
      (drop (call $close (i32.load (i32.const 16))))
      (local.set $r (call $unlink (i32.const 3) (i32.const 0) (i32.const 1)))
      (if (local.get $r) (then (return (local.get $r))))
      (call $openf))
    (func (export "_start") (local $r i32)
      (local.set $r (call $openf)) (if (local.get $r) (then (call $exit (i32.add (i32.const 100) (local.get $r)))))
      ${calls}
      (call $exit (i32.const 0))))`;
  return new WebAssembly.Module(await compileWat(wat, { name: 'quota.wat' }));
}

const FD = '(i32.load (i32.const 16))';
/** @param {number} offset */
const pwriteAt = (offset) => `(call $pwrite ${FD} (i32.const 32) (i32.const 1) (i64.const ${offset}) (i32.const 48))`;
const write512k = `(call $write ${FD} (i32.const 32) (i32.const 1) (i32.const 48))`;
const unlinkF = '(call $unlinkf)';

/**
 * Run the guest with `preopen` as its '/'; its exit code.
 * @param {WebAssembly.Module} module
 * @param {import('../dist/wasi/index.js').DirSource} preopen
 */
function run(module, preopen) {
  const wasi = new WASI({ version: 'preview1', args: ['quota'], preopens: { '/': preopen }, returnOnExit: true });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject());
  return wasi.start(instance);
}

test('a write at offset 3 GB into a memfs volume is FBIG and allocates nothing', async () => {
  const vol = new Volume();
  const before = process.memoryUsage().arrayBuffers;
  const started = performance.now();
  assert.equal(run(await guest([pwriteAt(3e9)]), vol), Errno.FBIG);
  assert.ok(performance.now() - started < 5000, 'refused at once');
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 2 ** 20, 'no large buffer was allocated');
  assert.equal(vol.statSync('/f').size, 0);
});

test('the default limit (1 GiB) refuses a write at 1.5 GB with NOSPC', async () => {
  const vol = new Volume();
  assert.equal(run(await guest([pwriteAt(1.5e9)]), vol), Errno.NOSPC);
  assert.equal(vol.statSync('/f').size, 0);
});

test('a volume limit counts all files; freed space can be used again', async () => {
  const MiB = 2 ** 20;
  const vol = Volume.fromJSON({ '/other': Buffer.alloc(256 * 1024) });
  const preopen = { volume: vol, limit: MiB };
  // 256 KiB already there + 512 KiB fits; a second 512 KiB does not.
  assert.equal(run(await guest([write512k, write512k]), preopen), Errno.NOSPC);
  assert.equal(vol.statSync('/f').size, 512 * 1024, 'the first write happened, the second did not');
  // Growing by truncate or allocate is bounded the same way.
  assert.equal(run(await guest([`(call $setsize ${FD} (i64.const ${2 * MiB}))`]), preopen), Errno.NOSPC);
  assert.equal(run(await guest([`(call $allocate ${FD} (i64.const 0) (i64.const ${2 * MiB}))`]), preopen), Errno.NOSPC);
  // Seeking past the end and writing there counts the hole too.
  assert.equal(run(await guest([`(call $seek ${FD} (i64.const ${MiB}) (i32.const 0) (i32.const 56))`, write512k]), preopen), Errno.NOSPC);
  // Deleting f frees its 512 KiB: a new 512 KiB write fits again.
  assert.equal(run(await guest([unlinkF, write512k]), preopen), 0);
  assert.equal(vol.statSync('/f').size, 512 * 1024);
  // Shrinking is always allowed.
  assert.equal(run(await guest([`(call $setsize ${FD} (i64.const 0))`]), preopen), 0);
});

test('through the pool: the bound holds in the worker, `limit` crosses with the volume, a bad limit is refused at the call', async () => {
  const { createPool } = await import('../dist/src/index.js');
  const pool = createPool({ maxThreads: 1 });
  try {
    const vol = new Volume();
    const started = performance.now();
    let r = await pool.run(await guest([pwriteAt(3e9)]), { preopens: { '/': vol } });
    assert.equal(r.exitCode, Errno.FBIG);
    assert.ok(performance.now() - started < 5000, 'refused at once');
    r = await pool.run(await guest([write512k, write512k]), { preopens: { '/': { volume: vol, limit: 768 * 1024 } } });
    assert.equal(r.exitCode, Errno.NOSPC);
    assert.equal(vol.statSync('/f').size, 512 * 1024, 'the first write came back into the caller\'s volume');
    await assert.rejects(pool.run(await guest([]), { preopens: { '/': { volume: vol, limit: -1 } } }), /preopen \/: limit must be a number of bytes >= 0/);
  } finally {
    await pool.destroy();
  }
});
