// @ts-check
// How a recording's file is made (src/record/writer.ts): its blocks are
// stored gzip members while the file is young (their CRC computed in
// WebAssembly: src/crc32.wat), deflated after, so that a short recorded run
// loads neither node:zlib nor node:crypto (its module's hash: sha256.test.mjs).
// Every member is gzip any reader takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ROOT, compileC, tempDir } from './helpers/wasm.mjs';

const { crc32 } = await import('../dist/src/crc32.js');
const { readStoredMembers, storedGzipMember } = await import('../dist/src/record/stored-gzip.js');
const { RecordingWriter } = await import('../dist/src/record/writer.js');

/** Sizes around the 64-byte block, its 56-byte padding limit, a wasm page and the stored block's 65,535. */
const SIZES = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 65535, 65536, 65537, 200_000];

test('CRC-32 in wasm: the check value, and stored gzip members that gunzip to their bytes (a wrong CRC would be refused)', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  for (const n of SIZES) {
    const b = randomBytes(n);
    const member = storedGzipMember(b);
    assert.deepEqual(gunzipSync(member), Buffer.from(b), `${n} bytes`);
    // Stored blocks: BTYPE 00 in the first block's header byte, after the 10-byte gzip header.
    assert.equal(member[10] & 6, 0);
    const corrupt = Uint8Array.from(member);
    if (n > 0) {
      corrupt[15] ^= 1;
      assert.throws(() => gunzipSync(corrupt), /incorrect data check|Z_DATA_ERROR/);
    }
  }
});

test('a file of whole stored members is read without zlib; anything else is left to zlib (null)', () => {
  const a = randomBytes(70_000), b = randomBytes(10);
  const file = Buffer.concat([storedGzipMember(a), storedGzipMember(b)]);
  assert.deepEqual(readStoredMembers(file), new Uint8Array(Buffer.concat([a, b])));
  assert.deepEqual(readStoredMembers(storedGzipMember(new Uint8Array(0))), new Uint8Array(0));
  // A deflated member, after stored ones.
  assert.equal(readStoredMembers(Buffer.concat([file, gzipSync(b)])), null);
  // Cut anywhere: in a header, a block's length, its bytes, the trailer.
  for (const cut of [5, 12, 1000, file.length - 3]) assert.equal(readStoredMembers(file.subarray(0, cut)), null, `cut at ${cut}`);
  // A byte changed (the CRC no longer matches), a length's complement wrong, another writer's header (FNAME set).
  const damaged = Uint8Array.from(file);
  damaged[100] ^= 1;
  assert.equal(readStoredMembers(damaged), null);
  const badLen = Uint8Array.from(file);
  badLen[13] ^= 1;
  assert.equal(readStoredMembers(badLen), null);
  const named = Uint8Array.from(file);
  named[3] = 8;
  assert.equal(readStoredMembers(named), null);
});

test('a file\'s first 256 KiB are stored gzip members, the rest deflated; all of it reads back in order', () => {
  /** @type {Uint8Array[]} */
  const members = [];
  const w = new RecordingWriter((chunk) => members.push(Uint8Array.from(chunk)));
  // Text-like payloads (deflate shrinks them), ~30 KB each, written out one by one.
  const payload = (/** @type {number} */ i) => new TextEncoder().encode(`record ${i} `.repeat(3000));
  for (let i = 0; i < 12; i++) {
    w.record(3, (out) => out.bytes(payload(i)));
    w.flush();
  }
  w.close();
  const stored = members.map((m) => (m[10] & 6) === 0);
  let file = 0;
  for (let i = 0; i < members.length; i++) {
    // Stored while the file written so far and the block stay within the budget, deflated once they would not.
    const block = gunzipSync(members[i]).length;
    assert.equal(stored[i], file + block <= 256 * 1024, `member ${i} (${file} bytes written, a block of ${block})`);
    file += members[i].length;
  }
  assert.ok(stored.includes(true) && stored.includes(false));
  const text = new TextDecoder().decode(gunzipSync(Buffer.concat(members)));
  for (let i = 0; i < 12; i++) assert.ok(text.includes(`record ${i} record ${i}`));
  assert.ok(text.indexOf('record 3 ') < text.indexOf('record 4 '));
});

test('a short recorded run loads neither node:zlib nor node:crypto, and neither does its replay', (t) => {
  const wasm = compileC('fd_io');
  if (!wasm) return t.skip('no toolchain');
  const dir = tempDir('rec-file-');
  const preload = path.join(dir, 'loaded.cjs');
  // At exit: the built-in modules this process loaded.
  fs.writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(path.join(dir, 'loaded.txt'))}, process.moduleLoadList.join('\\n')));\n`);
  const rec = path.join(dir, 'run.rec');
  const cli = path.join(ROOT, 'dist/src/cli/tswasi.cjs');
  const r = spawnSync(process.execPath, ['-r', preload, cli, 'run', '--record', rec, '--dir', `${dir}::/sandbox`, wasm], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const loaded = fs.readFileSync(path.join(dir, 'loaded.txt'), 'utf8').split('\n');
  assert.deepEqual(loaded.filter((m) => /^NativeModule (zlib|crypto)$/.test(m)), []);
  const file = fs.readFileSync(rec);
  assert.equal(file[10] & 6, 0, 'the first member is stored');
  // Replay reads the stored members itself: no node:zlib either.
  const replay = spawnSync(process.execPath, ['-r', preload, cli, 'replay', rec], { encoding: 'utf8' });
  assert.equal(replay.status, r.status, replay.stderr);
  assert.equal(replay.stdout, r.stdout);
  const replayLoaded = fs.readFileSync(path.join(dir, 'loaded.txt'), 'utf8').split('\n');
  assert.deepEqual(replayLoaded.filter((m) => /^NativeModule (zlib|crypto)$/.test(m)), []);
});
