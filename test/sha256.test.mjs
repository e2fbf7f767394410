// @ts-check
// src/sha256.ts hashes without node:crypto — the run directory's names
// (tswasi-oci) and a recorded run's module — in TypeScript for short
// messages and in WebAssembly (src/sha256.wat) for longer ones; it must give
// node:crypto's digest for every input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';

const { sha256Hex, sha256HexOfText, SMALL } = await import('../dist/src/sha256.js');
const { contentHash } = await import('../dist/src/module-cache.js');

const sha = (/** @type {Uint8Array | string} */ b) => createHash('sha256').update(b).digest('hex');

test('sha256Hex: node:crypto\'s digest at every length around the block edges, on both engines (TypeScript to 16 blocks, wasm beyond) and up to its limit', () => {
  const sizes = [];
  for (let n = 0; n <= 200; n++) sizes.push(n);
  // 16 padded blocks hold at most 1015 bytes: the engines meet there.
  for (let n = 1000; n <= 1100; n++) sizes.push(n);
  sizes.push(4095, 4096, 4097, 65535, 65536, 65537, 200_000, SMALL);
  for (const n of sizes) {
    const b = randomBytes(n);
    assert.equal(sha256Hex(b), sha(b), `${n} bytes`);
  }
  // FIPS 180-4's examples: one block, and two (56 bytes).
  assert.equal(sha256Hex(new TextEncoder().encode('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(sha256HexOfText('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  assert.throws(() => sha256Hex(new Uint8Array(SMALL + 1)), /at most/);
});

test('sha256HexOfText hashes UTF-8; contentHash takes node:crypto above the limit', () => {
  for (const s of ['', 'é', '日本語', '\0', 'x'.repeat(5000)]) assert.equal(sha256HexOfText(s), sha(Buffer.from(s, 'utf8')), JSON.stringify(s.slice(0, 10)));
  const big = randomBytes(SMALL + 1);
  assert.equal(contentHash(big), sha(big));
  const small = randomBytes(4096);
  assert.equal(contentHash(small), sha(small));
});
