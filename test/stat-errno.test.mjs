// @ts-check
// wasi/fs/stat.ts and wasi/errors.ts in-process: real files' stat results as
// WASI filestats, and real host errors as errnos.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { filestatOf, filetypeOfMode } from '../dist/wasi/fs/stat.js';
import { errnoOf, WasiError } from '../dist/wasi/errors.js';
import { Errno, Filetype } from '../dist/wasi/abi.js';
import { tempDir } from './helpers/tmp.mjs';

test('filetypes of real files: regular, directory, symlink, character device, socket', async () => {
  const d = tempDir('tswasi-unit-stat-');
  fs.writeFileSync(path.join(d, 'f'), 'abc');
  fs.mkdirSync(path.join(d, 'dir'));
  fs.symlinkSync('f', path.join(d, 'link'));
  const sock = path.join(d, 's.sock');
  const server = net.createServer();
  await new Promise((resolve) => server.listen(sock, () => resolve(undefined)));
  try {
    /** @type {Array<[string, number]>} */
    const cases = [[path.join(d, 'f'), Filetype.REGULAR_FILE], [path.join(d, 'dir'), Filetype.DIRECTORY], [path.join(d, 'link'), Filetype.SYMBOLIC_LINK], ['/dev/null', Filetype.CHARACTER_DEVICE], [sock, Filetype.SOCKET_STREAM]];
    for (const [p, want] of cases) {
      assert.equal(filetypeOfMode(fs.lstatSync(p).mode), want, p);
    }
  } finally {
    server.close();
  }
  assert.equal(filetypeOfMode(0o010644), Filetype.UNKNOWN, 'a FIFO has no WASI filetype');
  assert.equal(filetypeOfMode(0), Filetype.UNKNOWN);
});

test("filestatOf: a real file's bigint stat, every field carried over with ns times", () => {
  const f = path.join(tempDir('tswasi-unit-stat-'), 'f');
  fs.writeFileSync(f, 'hello');
  // Seconds with binary fractions: Node passes utimes a double of seconds,
  // and how it turns .789 into nanoseconds differs between versions
  // (20: 789000000, 24: 789000032); .25 and .5 are exact in every one.
  fs.utimesSync(f, 981173106.25, 1015218367.5);
  const st = fs.lstatSync(f, { bigint: true });
  const fst = filestatOf(st);
  assert.deepEqual(fst, { dev: st.dev, ino: st.ino, filetype: Filetype.REGULAR_FILE, nlink: 1n, size: 5n, atim: st.atimeNs, mtim: st.mtimeNs, ctim: st.ctimeNs });
  assert.equal(fst.mtim, 1015218367500000000n);
  assert.equal(fst.atim, 981173106250000000n);
});

/**
 * The error a real call throws.
 * @param {() => unknown} fn
 */
function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('did not throw');
}

test('errnoOf: real host errors by their code; WasiError as is; bounds errors FAULT; anything else EIO', () => {
  const d = tempDir('tswasi-unit-errno-');
  fs.writeFileSync(path.join(d, 'file'), 'x');
  fs.mkdirSync(path.join(d, 'full'));
  fs.writeFileSync(path.join(d, 'full', 'x'), 'x');
  /** @type {Array<[string, () => unknown, number]>} */
  const cases = [
    ['ENOENT', () => fs.openSync(path.join(d, 'absent'), 'r'), Errno.NOENT],
    ['EEXIST', () => fs.mkdirSync(path.join(d, 'file')), Errno.EXIST],
    ['ENOTDIR', () => fs.readdirSync(path.join(d, 'file')), Errno.NOTDIR],
    ['EISDIR', () => fs.readFileSync(d), Errno.ISDIR],
    ['ENOTEMPTY', () => fs.rmdirSync(path.join(d, 'full')), Errno.NOTEMPTY],
    ['ELOOP', () => { fs.symlinkSync('loop', path.join(d, 'loop')); fs.statSync(path.join(d, 'loop')); }, Errno.LOOP],
    ['ENAMETOOLONG', () => fs.openSync(path.join(d, 'n'.repeat(300)), 'r'), Errno.NAMETOOLONG],
    ['EBADF', () => fs.fstatSync(2 ** 30), Errno.BADF],
  ];
  for (const [code, fn, want] of cases) {
    const e = thrown(fn);
    assert.equal(/** @type {NodeJS.ErrnoException} */ (e).code, code);
    assert.equal(errnoOf(e), want, code);
  }
  assert.equal(errnoOf(new WasiError(Errno.ACCES)), Errno.ACCES);
  assert.equal(errnoOf(thrown(() => new DataView(new ArrayBuffer(4)).getUint32(2))), Errno.FAULT);
  // node's ERR_OUT_OF_RANGE is a RangeError too: FAULT; its ERR_INVALID_ARG_VALUE (a TypeError) is INVAL.
  assert.equal(errnoOf(thrown(() => Buffer.alloc(1).readUInt32LE(0))), Errno.FAULT);
  assert.equal(errnoOf(thrown(() => fs.openSync(d, /** @type {fs.OpenMode} */ ('bogus')))), Errno.INVAL);
  assert.equal(errnoOf(new Error('boom')), Errno.IO);
  assert.equal(errnoOf({ code: 'ENOT_A_CODE' }), Errno.IO);
  assert.equal(errnoOf('a string'), Errno.IO);
});
