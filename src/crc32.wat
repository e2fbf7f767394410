;; CRC-32 (ISO 3309, the gzip and PNG checksum: reflected polynomial
;; 0xedb88320), table-driven. src/crc32.ts copies the bytes in and calls
;; `update`; the build (scripts/build-wasm.mjs) assembles this file into
;; dist/src/crc32.wasm.
;;
;; Memory: the table (256 i32) at 0, the bytes from 1024 on.
(module
  (memory (export "memory") 1)

  ;; The table, built when the module is instantiated.
  (func $table
    (local $i i32) (local $c i32) (local $k i32)
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
      (br_if $entry (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 256)))))
  (start $table)

  ;; The CRC of [off, end) continued from `crc` (0 to begin with).
  (func (export "update") (param $crc i32) (param $off i32) (param $end i32) (result i32)
    (local.set $crc (i32.xor (local.get $crc) (i32.const -1)))
    (block $done
      (loop $byte
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $crc
          (i32.xor
            (i32.load (i32.shl (i32.and (i32.xor (local.get $crc) (i32.load8_u (local.get $off))) (i32.const 0xff)) (i32.const 2)))
            (i32.shr_u (local.get $crc) (i32.const 8))))
        (local.set $off (i32.add (local.get $off) (i32.const 1)))
        (br $byte)))
    (i32.xor (local.get $crc) (i32.const -1))))
