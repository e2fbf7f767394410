;; The recorder's clock ring (src/record/clock-ring.ts): values a clock read
;; in a loop stored, encoded as the differences of a packed NEXT record
;; (src/record/packed-next.ts has the decoder and the format; the build,
;; scripts/build-wasm.mjs, assembles this file into
;; dist/src/record/packed-next.wasm).
;;
;; A difference is a nibble: the index of a slot of a 15-entry table that
;; holds it, or 15, an escape, followed by its second-order difference (from
;; the difference before it) in 3-bit groups, low first, bit 3 set on all
;; but the last; an escaped difference then takes slot `rr`, round robin.
;; Nibbles fill each byte low half first. A clock read in a loop differs by
;; a handful of values, so most calls cost half a byte, with nothing for
;; deflate to do.
;;
;; Nibbles gather in an i64 written out 8 bytes at a time (little-endian:
;; the low nibble is the first); finish writes what is left.
;;
;; Memory (3 pages):
;;   0x00000  the ring: RING u64 values, little-endian, as the guest got them
;;   0x08000  rr (i32); 0x08004 the nibbles gathered, in bits (i32);
;;            0x08008 the last difference (i64); 0x08010 the nibbles (i64);
;;            0x08018 where encode stopped (i32)
;;   0x08100  the table: 15 i64
;;   0x08200  a hint per difference below 2^16: the slot that last took it
;;            (checked against the table, so never cleared)
;;   0x18200  the bytes encode and finish write
;; PUT: append the `n` nibbles of `code` (n <= 16) to the gathered ones
;; ($acc, $sh bits of it), writing the i64 out at $at when it fills. Written
;; out twice below, as wasm has no macros: the hit's path stays one function.
(module
  (memory (export "memory") 3)

  ;; A new record: every slot 0, rr 0, no last difference, nothing gathered.
  (func (export "begin")
    (local $s i32)
    (loop $slot
      (i64.store (i32.add (i32.const 0x8100) (i32.shl (local.get $s) (i32.const 3))) (i64.const 0))
      (br_if $slot (i32.lt_u (local.tee $s (i32.add (local.get $s) (i32.const 1))) (i32.const 15))))
    (i32.store (i32.const 0x8000) (i32.const 0))
    (i32.store (i32.const 0x8004) (i32.const 0))
    (i64.store (i32.const 0x8008) (i64.const 0))
    (i64.store (i32.const 0x8010) (i64.const 0)))

  ;; Whether a difference is too far for a packed record: |d| > 2^51 - 1.
  (func $far (param $d i64) (result i32)
    (i64.ge_u (i64.add (local.get $d) (i64.const 0x7ffffffffffff)) (i64.const 0xfffffffffffff)))

  ;; Whether value `at` of the ring is too far from the value (lo, hi).
  (func (export "far") (param $at i32) (param $lo i32) (param $hi i32) (result i32)
    (call $far (i64.sub
      (i64.load (i32.shl (local.get $at) (i32.const 3)))
      (i64.or (i64.extend_i32_u (local.get $lo)) (i64.shl (i64.extend_i32_u (local.get $hi)) (i64.const 32))))))

  ;; Values [from, to) of the ring as differences, the first from the value
  ;; (lo, hi). Returns how many bytes it wrote at 0x18200 (8 at a time: the
  ;; rest waits for the next call, or for finish). Stops before a value more
  ;; than 2^51 - 1 from the one before (escaped, the difference of two such
  ;; would not be exact in a reader's doubles): 0x8018 says where, `to` when
  ;; it did not stop. Checked here, where the difference is at hand, not as each
  ;; value comes: in JavaScript, checking each clock read cost more than
  ;; encoding it (5-10 ns a read, Node 20).
  (func (export "encode") (param $from i32) (param $to i32) (param $lo i32) (param $hi i32) (result i32)
    (local $i i32) (local $rr i32) (local $s i32) (local $g i64) (local $n i32) (local $sh i32) (local $at i32) (local $bits i32)
    (local $last i64) (local $v i64) (local $d i64) (local $prev i64) (local $z i64) (local $code i64) (local $acc i64)
    (local.set $at (i32.const 0x18200))
    (local.set $i (local.get $from))
    (local.set $rr (i32.load (i32.const 0x8000)))
    (local.set $sh (i32.load (i32.const 0x8004)))
    (local.set $prev (i64.load (i32.const 0x8008)))
    (local.set $acc (i64.load (i32.const 0x8010)))
    (local.set $last (i64.or (i64.extend_i32_u (local.get $lo)) (i64.shl (i64.extend_i32_u (local.get $hi)) (i64.const 32))))
    (block $done
      (loop $value
        (br_if $done (i32.ge_u (local.get $i) (local.get $to)))
        (local.set $v (i64.load (i32.shl (local.get $i) (i32.const 3))))
        (local.set $d (i64.sub (local.get $v) (local.get $last)))
        (local.set $last (local.get $v))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (block $escape
          (br_if $escape (i64.ge_u (local.get $d) (i64.const 0x10000)))
          (local.set $s (i32.load8_u (i32.add (i32.const 0x8200) (i32.wrap_i64 (local.get $d)))))
          (br_if $escape (i64.ne (i64.load (i32.add (i32.const 0x8100) (i32.shl (local.get $s) (i32.const 3)))) (local.get $d)))
          (local.set $prev (local.get $d))
          ;; PUT(s, 1)
          (local.set $acc (i64.or (local.get $acc) (i64.shl (i64.extend_i32_u (local.get $s)) (i64.extend_i32_u (local.get $sh)))))
          (local.set $sh (i32.add (local.get $sh) (i32.const 4)))
          (br_if $value (i32.lt_u (local.get $sh) (i32.const 64)))
          (i64.store (local.get $at) (local.get $acc))
          (local.set $at (i32.add (local.get $at) (i32.const 8)))
          (local.set $acc (i64.const 0))
          (local.set $sh (i32.const 0))
          (br $value))
        ;; Too far (|d| > 2^51 - 1): not this record's; the value stays where it is.
        (if (call $far (local.get $d))
          (then
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (br $done)))
        ;; ESCAPE, then zigzag(d - prev) in 3-bit groups.
        (local.set $z (i64.sub (local.get $d) (local.get $prev)))
        (local.set $z (i64.xor (i64.shl (local.get $z) (i64.const 1)) (i64.shr_s (local.get $z) (i64.const 63))))
        (local.set $code (i64.const 15))
        (local.set $n (i32.const 1))
        (loop $group
          (local.set $g (i64.and (local.get $z) (i64.const 7)))
          (local.set $z (i64.shr_u (local.get $z) (i64.const 3)))
          (if (i64.ne (local.get $z) (i64.const 0)) (then (local.set $g (i64.or (local.get $g) (i64.const 8)))))
          (local.set $code (i64.or (local.get $code) (i64.shl (local.get $g) (i64.extend_i32_u (i32.shl (local.get $n) (i32.const 2))))))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (if (i32.or (i32.eq (local.get $n) (i32.const 16)) (i64.eqz (local.get $z)))
            (then
              ;; PUT(code, n); the bits past the i64 (sh + 4n > 64) start the next.
              (local.set $bits (i32.add (local.get $sh) (i32.shl (local.get $n) (i32.const 2))))
              (local.set $acc (i64.or (local.get $acc) (i64.shl (local.get $code) (i64.extend_i32_u (local.get $sh)))))
              (if (i32.ge_u (local.get $bits) (i32.const 64))
                (then
                  (i64.store (local.get $at) (local.get $acc))
                  (local.set $at (i32.add (local.get $at) (i32.const 8)))
                  ;; A shift by 64 is a shift by 0 in wasm: with sh 0 nothing is left over.
                  (local.set $acc (select (i64.const 0) (i64.shr_u (local.get $code) (i64.extend_i32_u (i32.sub (i32.const 64) (local.get $sh)))) (i32.eqz (local.get $sh))))
                  (local.set $bits (i32.sub (local.get $bits) (i32.const 64)))))
              (local.set $sh (local.get $bits))
              (local.set $code (i64.const 0))
              (local.set $n (i32.const 0))))
          (br_if $group (i64.ne (local.get $z) (i64.const 0))))
        (i64.store (i32.add (i32.const 0x8100) (i32.shl (local.get $rr) (i32.const 3))) (local.get $d))
        (if (i64.lt_u (local.get $d) (i64.const 0x10000))
          (then (i32.store8 (i32.add (i32.const 0x8200) (i32.wrap_i64 (local.get $d))) (local.get $rr))))
        (local.set $rr (select (i32.const 0) (i32.add (local.get $rr) (i32.const 1)) (i32.eq (local.get $rr) (i32.const 14))))
        (local.set $prev (local.get $d))
        (br $value)))
    (i32.store (i32.const 0x8000) (local.get $rr))
    (i32.store (i32.const 0x8004) (local.get $sh))
    (i64.store (i32.const 0x8008) (local.get $prev))
    (i64.store (i32.const 0x8010) (local.get $acc))
    (i32.store (i32.const 0x8018) (local.get $i))
    (i32.sub (local.get $at) (i32.const 0x18200)))

  ;; The record ends: the nibbles gathered, in whole bytes (a last half byte
  ;; has a high half of 0). Returns how many bytes it wrote at 0x18200.
  (func (export "finish") (result i32)
    (i64.store (i32.const 0x18200) (i64.load (i32.const 0x8010)))
    (i32.shr_u (i32.add (i32.load (i32.const 0x8004)) (i32.const 7)) (i32.const 3))))
