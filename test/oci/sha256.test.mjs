// @ts-check
// oci/sha256.ts names our run directory's files; it must give node:crypto's digest for every input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { sha256Hex } from '../../dist/oci/sha256.js';

test('sha256Hex: node:crypto\'s digest, at every length around the block edges and for non-ASCII text', () => {
  const inputs = ['', 'abc', 'é', '日本語', '\0', 'x'.repeat(1000)];
  for (let n = 0; n <= 200; n++) inputs.push(randomBytes(n).toString('latin1'));
  for (const s of inputs) assert.equal(sha256Hex(s), createHash('sha256').update(s, 'utf8').digest('hex'), JSON.stringify(s));
  // FIPS 180-4's example.
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
