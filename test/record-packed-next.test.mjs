// Packed NEXT records (src/record/packed-next.ts): what the recorder's clock
// ring encodes in wasm (src/record/packed-next.wat, through ClockRing) the
// decoder reads back, difference for difference, whatever the differences
// and however the record's values arrive in drains of the ring.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ClockRing, RING } from '../dist/src/record/clock-ring.js';
import { ByteWriter } from '../dist/src/record/format.js';
import { PackedDiffs } from '../dist/src/record/packed-next.js';

const TWO64 = 2n ** 64n;
/** The largest difference a packed record holds (ClockRing.far: the encoder stops before a larger one). */
const FAR = 2 ** 51 - 1;

/**
 * Encode `diffs` from `start` as one record, `splits` saying where the
 * ring was drained; the record's bytes.
 * @param {ClockRing} ring @param {bigint} start @param {number[]} diffs @param {number[]} splits
 */
function encode(ring, start, diffs, splits) {
  const w = new ByteWriter(16);
  ring.begin();
  let value = start;
  let i = 0;
  for (const cut of [...splits.filter((s) => s > 0 && s < diffs.length).sort((a, b) => a - b), diffs.length]) {
    if (cut <= i) continue;
    const before = value;
    for (let k = i; k < cut; k++) {
      value = BigInt.asUintN(64, value + BigInt(diffs[k] ?? 0));
      ring.u64[k - i] = value;
    }
    assert.equal(ring.encode(w, 0, cut - i, Number(before & 0xffffffffn), Number(before >> 32n)), cut - i, 'no difference is too far');
    i = cut;
  }
  ring.finish(w);
  return w.buf.subarray(0, w.length);
}

/** @param {Uint8Array} bytes @param {number} count */
function decode(bytes, count) {
  const p = new PackedDiffs();
  p.begin(bytes, 0, bytes.length);
  const out = [];
  for (let i = 0; i < count; i++) out.push(p.take());
  p.close();
  return out;
}

/**
 * A clock's differences: a few values, often again (more of them than the
 * table's 15 slots, so that escapes go round it and evict what comes back),
 * with some jumps either way.
 */
const diffArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(40, 50, 60, 70, 80, 51, 49) },
  { weight: 8, arbitrary: fc.integer({ min: 20, max: 45 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 2 ** 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 40), max: -1 }) },
  { weight: 1, arbitrary: fc.constantFrom(FAR, -FAR, 0, 0xffff, 0x10000, -1) },
);

test('property: packed differences decode to what the wasm encoded, across drains of the ring', () => {
  const ring = new ClockRing();
  fc.assert(fc.property(
    fc.bigInt({ min: 0n, max: TWO64 - 1n }),
    fc.array(diffArb, { minLength: 1, maxLength: 600, size: 'max' }),
    fc.array(fc.integer({ min: 0, max: 600 }), { maxLength: 6, size: 'max' }),
    (start, diffs, splits) => {
      assert.deepEqual(decode(encode(ring, start, diffs, splits), diffs.length), diffs);
    },
  ), { numRuns: 300, seed: 20261207 });
});

test('a record of a full ring of one difference costs half a byte a call; one of differences all new costs their escapes', () => {
  const ring = new ClockRing();
  const same = Array(RING).fill(60);
  const bytes = encode(ring, 1n << 40n, same, []);
  // The first 60 escapes (a nibble, then 120 in three groups), every other is slot 0.
  assert.equal(bytes.length, Math.ceil((4 + (RING - 1)) / 2));
  assert.deepEqual(decode(bytes, RING), same);
  // Strictly growing differences, one apart: each escapes with a second-order difference of 1 (two nibbles).
  const growing = Array.from({ length: 1000 }, (_, i) => 100000 + i);
  const grown = encode(ring, 0n, growing, [333, 334, 999]);
  assert.deepEqual(decode(grown, growing.length), growing);
  assert.ok(grown.length <= 1000 + 8, `${grown.length} bytes`);
});

test('a record begins afresh: the table is not carried from the record before', () => {
  const ring = new ClockRing();
  encode(ring, 0n, [7, 7, 7, 9, 9], []);
  // Were slot 0 still 7, the first 7 here would be one nibble.
  const bytes = encode(ring, 0n, [7], []);
  assert.deepEqual([...bytes], [0xef, 0x01]); // escape, 14 = 6|8 then 1 (zigzag 7 = 14), a pad
  assert.deepEqual(decode(bytes, 1), [7]);
});

test('the encoder stops before a value more than 2^51 - 1 from the one before, either way; far says so of the first', () => {
  const ring = new ClockRing();
  const start = 1n << 60n;
  const halves = (/** @type {bigint} */ v) => /** @type {const} */ ([Number(v & 0xffffffffn), Number(v >> 32n)]);
  for (const jump of [2n ** 51n, -(2n ** 51n), 2n ** 63n, 2n ** 52n + 77n]) {
    // Values: start+5, start+10, then the jump, then 3 more after it.
    const diffs = [5n, 5n, jump, 7n, 7n, 7n];
    let v = start;
    diffs.forEach((d, k) => { v = BigInt.asUintN(64, v + d); ring.u64[k] = v; });
    const [lo, hi] = halves(start);
    assert.equal(ring.far(0, lo, hi), false);
    ring.begin();
    const w = new ByteWriter(16);
    assert.equal(ring.encode(w, 0, 6, lo, hi), 2, `stops at the jump of ${jump}`);
    // The far value is not encoded; from it (a CALL's), the record's values go on.
    const [lo2, hi2] = halves(ring.u64[1]);
    assert.equal(ring.far(2, lo2, hi2), true);
    const [lo3, hi3] = halves(ring.u64[2]);
    assert.equal(ring.far(3, lo3, hi3), false);
    assert.equal(ring.encode(w, 3, 6, lo3, hi3), 6);
    ring.finish(w);
    assert.deepEqual(decode(w.buf.subarray(0, w.length), 5), [5, 5, 7, 7, 7]);
  }
  // ±(2^51 - 1) is not too far.
  for (const d of [FAR, -FAR]) {
    ring.u64[0] = start + BigInt(d);
    const [lo, hi] = halves(start);
    assert.equal(ring.far(0, lo, hi), false, `${d}`);
    ring.begin();
    assert.equal(ring.encode(new ByteWriter(16), 0, 1, lo, hi), 1, `${d}`);
  }
});
