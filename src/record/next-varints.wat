;; The recorder's clock ring (src/record/recorder.ts, drainRing): values a
;; clock read in a loop stored, encoded as the varints of a NEXT record
;; (docs/record-replay.md). The build (scripts/build-wasm.mjs) assembles
;; this file into dist/src/record/next-varints.wasm.
;;
;; In JavaScript each value cost ~3 ns in isolation and a good deal more
;; between a guest's calls (typed-array bounds checks, its loop's code
;; pushed out of the caches); here it costs a few instructions.
;;
;; Memory: the ring at 0, RING u64 values (little-endian, as the guest got
;; them); the count of bytes `encode` wrote at 0x8000; the bytes from 0x8010.
(module
  (memory (export "memory") 1)

  ;; Values [from, to) of the ring as zigzag varints, while each is the one
  ;; before plus 0 to 2^13 - 1 ns (the common difference: one or two bytes,
  ;; the same high half, nothing else to check), starting from the value
  ;; (lo, hi). Returns the index of the first value that is not (or `to`):
  ;; the recorder encodes that one itself.
  (func (export "encode") (param $from i32) (param $to i32) (param $lo i32) (param $hi i32) (result i32)
    (local $i i32) (local $at i32) (local $v i64) (local $last i64) (local $d i64) (local $z i32) (local $more i32)
    (local.set $i (local.get $from))
    (local.set $at (i32.const 0x8010))
    (local.set $last (i64.or (i64.extend_i32_u (local.get $lo)) (i64.shl (i64.extend_i32_u (local.get $hi)) (i64.const 32))))
    (block $done
      (loop $value
        (br_if $done (i32.ge_u (local.get $i) (local.get $to)))
        (local.set $v (i64.load (i32.shl (local.get $i) (i32.const 3))))
        (local.set $d (i64.sub (local.get $v) (local.get $last)))
        ;; Unsigned: a step back is a huge difference too.
        (br_if $done (i64.ge_u (local.get $d) (i64.const 0x2000)))
        (local.set $last (local.get $v))
        ;; zigzag(d) = 2d (d >= 0); its varint: the low 7 bits, with the
        ;; continuation bit when the rest is not 0, then the rest (< 2^7).
        (local.set $z (i32.shl (i32.wrap_i64 (local.get $d)) (i32.const 1)))
        (local.set $more (i32.shr_u (i32.add (i32.shr_u (local.get $z) (i32.const 7)) (i32.const 0x7f)) (i32.const 7)))
        (i32.store16 (local.get $at)
          (i32.or
            (i32.or (i32.and (local.get $z) (i32.const 0x7f)) (i32.shl (local.get $more) (i32.const 7)))
            (i32.shl (i32.shr_u (local.get $z) (i32.const 7)) (i32.const 8))))
        (local.set $at (i32.add (local.get $at) (i32.add (local.get $more) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $value)))
    (i32.store (i32.const 0x8000) (i32.sub (local.get $at) (i32.const 0x8010)))
    (local.get $i)))
