;; CRC-32 (ISO 3309, the gzip and PNG checksum: reflected polynomial
;; 0xedb88320), slicing by 8: eight tables, eight bytes a step (a byte a
;; step took ~3 ns a byte, as much as the rest of recording a clock read's
;; stored bytes). src/crc32.ts copies the bytes in and calls `update`; the
;; build (scripts/build-wasm.mjs) assembles this file into
;; dist/src/crc32.wasm.
;;
;; Memory: table k (256 i32: the CRC of a byte followed by k zero bytes) at
;; 1024·k (a load's offset), the bytes from 8192 on.
(module
  (memory (export "memory") 1)

  ;; The tables, built when the module is instantiated.
  (func $tables
    (local $i i32) (local $c i32) (local $k i32) (local $at i32)
    (loop $entry
      (local.set $c (local.get $i))
      (local.set $k (i32.const 8))
      (loop $bit
        (local.set $c
          (if (result i32) (i32.and (local.get $c) (i32.const 1))
            (then (i32.xor (i32.const 0xedb88320) (i32.shr_u (local.get $c) (i32.const 1))))
            (else (i32.shr_u (local.get $c) (i32.const 1)))))
        (br_if $bit (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $c))
      (br_if $entry (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 256))))
    ;; Table k from table k-1: one more zero byte.
    (local.set $at (i32.const 1024))
    (loop $next
      (local.set $c (i32.load (i32.sub (local.get $at) (i32.const 1024))))
      (i32.store (local.get $at)
        (i32.xor (i32.shr_u (local.get $c) (i32.const 8)) (i32.load (i32.shl (i32.and (local.get $c) (i32.const 0xff)) (i32.const 2)))))
      (br_if $next (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 4))) (i32.const 8192)))))
  (start $tables)

  ;; The CRC of [off, end) continued from `crc` (0 to begin with).
  (func (export "update") (param $crc i32) (param $off i32) (param $end i32) (result i32)
    (local $hi i32)
    (local.set $crc (i32.xor (local.get $crc) (i32.const -1)))
    (block $done
      (loop $eight
        (br_if $done (i32.gt_u (i32.add (local.get $off) (i32.const 8)) (local.get $end)))
        (local.set $crc (i32.xor (local.get $crc) (i32.load (local.get $off))))
        (local.set $hi (i32.load offset=4 (local.get $off)))
        (local.set $crc
          (i32.xor
            (i32.xor
              (i32.xor (i32.load offset=7168 (i32.shl (i32.and (local.get $crc) (i32.const 0xff)) (i32.const 2)))
                       (i32.load offset=6144 (i32.shl (i32.and (i32.shr_u (local.get $crc) (i32.const 8)) (i32.const 0xff)) (i32.const 2))))
              (i32.xor (i32.load offset=5120 (i32.shl (i32.and (i32.shr_u (local.get $crc) (i32.const 16)) (i32.const 0xff)) (i32.const 2)))
                       (i32.load offset=4096 (i32.shl (i32.shr_u (local.get $crc) (i32.const 24)) (i32.const 2)))))
            (i32.xor
              (i32.xor (i32.load offset=3072 (i32.shl (i32.and (local.get $hi) (i32.const 0xff)) (i32.const 2)))
                       (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $hi) (i32.const 8)) (i32.const 0xff)) (i32.const 2))))
              (i32.xor (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $hi) (i32.const 16)) (i32.const 0xff)) (i32.const 2)))
                       (i32.load (i32.shl (i32.shr_u (local.get $hi) (i32.const 24)) (i32.const 2)))))))
        (local.set $off (i32.add (local.get $off) (i32.const 8)))
        (br $eight)))
    (block $tail
      (loop $byte
        (br_if $tail (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $crc
          (i32.xor
            (i32.load (i32.shl (i32.and (i32.xor (local.get $crc) (i32.load8_u (local.get $off))) (i32.const 0xff)) (i32.const 2)))
            (i32.shr_u (local.get $crc) (i32.const 8))))
        (local.set $off (i32.add (local.get $off) (i32.const 1)))
        (br $byte)))
    (i32.xor (local.get $crc) (i32.const -1))))
