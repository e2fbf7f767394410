;; SHA-256 (FIPS 180-4): the compression function over whole 64-byte blocks.
;; src/sha256.ts copies the round constants in, pads the message, sets the
;; state and reads the digest; the build (scripts/build-wasm.mjs) assembles
;; this file into dist/src/sha256.wasm.
;;
;; Memory: the round constants K at 0, the message schedule W at 256, the
;; state H at 512 (eight i32, host order), the message from 1024 on.
(module
  (memory (export "memory") 1)
  ;; A big-endian word of the message.
  (func $be (param $x i32) (result i32)
    (i32.or
      (i32.or (i32.shl (local.get $x) (i32.const 24)) (i32.and (i32.shl (local.get $x) (i32.const 8)) (i32.const 0xff0000)))
      (i32.or (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 0xff00)) (i32.shr_u (local.get $x) (i32.const 24)))))

  ;; Fold the blocks in [off, end) into the state H.
  (func (export "blocks") (param $off i32) (param $end i32)
    (local $h0 i32) (local $h1 i32) (local $h2 i32) (local $h3 i32) (local $h4 i32) (local $h5 i32) (local $h6 i32) (local $h7 i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32) (local $g i32) (local $h i32)
    (local $i i32) (local $p i32) (local $x i32) (local $y i32) (local $t1 i32) (local $t2 i32)
    (local.set $h0 (i32.load offset=512 (i32.const 0))) (local.set $h1 (i32.load offset=516 (i32.const 0))) (local.set $h2 (i32.load offset=520 (i32.const 0))) (local.set $h3 (i32.load offset=524 (i32.const 0)))
    (local.set $h4 (i32.load offset=528 (i32.const 0))) (local.set $h5 (i32.load offset=532 (i32.const 0))) (local.set $h6 (i32.load offset=536 (i32.const 0))) (local.set $h7 (i32.load offset=540 (i32.const 0)))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        ;; W[0..15]: the block's words
        (local.set $i (i32.const 0))
        (loop $load
          (local.set $p (i32.shl (local.get $i) (i32.const 2)))
          (i32.store offset=256 (local.get $p) (call $be (i32.load (i32.add (local.get $off) (local.get $p)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $load (i32.lt_u (local.get $i) (i32.const 16))))
        ;; W[16..63]
        (loop $expand
          (local.set $p (i32.shl (local.get $i) (i32.const 2)))
          (local.set $x (i32.load offset=196 (local.get $p)))  ;; W[i-15]
          (local.set $y (i32.load offset=248 (local.get $p)))  ;; W[i-2]
          (i32.store offset=256 (local.get $p)
            (i32.add
              (i32.add (i32.load offset=192 (local.get $p))    ;; W[i-16]
                (i32.xor (i32.xor (i32.rotr (local.get $x) (i32.const 7)) (i32.rotr (local.get $x) (i32.const 18))) (i32.shr_u (local.get $x) (i32.const 3))))
              (i32.add (i32.load offset=228 (local.get $p))    ;; W[i-7]
                (i32.xor (i32.xor (i32.rotr (local.get $y) (i32.const 17)) (i32.rotr (local.get $y) (i32.const 19))) (i32.shr_u (local.get $y) (i32.const 10))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $expand (i32.lt_u (local.get $i) (i32.const 64))))
        (local.set $a (local.get $h0)) (local.set $b (local.get $h1)) (local.set $c (local.get $h2)) (local.set $d (local.get $h3))
        (local.set $e (local.get $h4)) (local.set $f (local.get $h5)) (local.set $g (local.get $h6)) (local.set $h (local.get $h7))
        (local.set $p (i32.const 0))
        (loop $round
          ;; t1 = h + Σ1(e) + Ch(e, f, g) + K[i] + W[i]
          (local.set $t1
            (i32.add
              (i32.add (local.get $h)
                (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 6)) (i32.rotr (local.get $e) (i32.const 11))) (i32.rotr (local.get $e) (i32.const 25))))
              (i32.add
                (i32.xor (i32.and (local.get $e) (local.get $f)) (i32.and (i32.xor (local.get $e) (i32.const -1)) (local.get $g)))
                (i32.add (i32.load (local.get $p)) (i32.load offset=256 (local.get $p))))))
          ;; t2 = Σ0(a) + Maj(a, b, c)
          (local.set $t2
            (i32.add
              (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 2)) (i32.rotr (local.get $a) (i32.const 13))) (i32.rotr (local.get $a) (i32.const 22)))
              (i32.xor (i32.xor (i32.and (local.get $a) (local.get $b)) (i32.and (local.get $a) (local.get $c))) (i32.and (local.get $b) (local.get $c)))))
          (local.set $h (local.get $g)) (local.set $g (local.get $f)) (local.set $f (local.get $e))
          (local.set $e (i32.add (local.get $d) (local.get $t1)))
          (local.set $d (local.get $c)) (local.set $c (local.get $b)) (local.set $b (local.get $a))
          (local.set $a (i32.add (local.get $t1) (local.get $t2)))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br_if $round (i32.lt_u (local.get $p) (i32.const 256))))
        (local.set $h0 (i32.add (local.get $h0) (local.get $a))) (local.set $h1 (i32.add (local.get $h1) (local.get $b)))
        (local.set $h2 (i32.add (local.get $h2) (local.get $c))) (local.set $h3 (i32.add (local.get $h3) (local.get $d)))
        (local.set $h4 (i32.add (local.get $h4) (local.get $e))) (local.set $h5 (i32.add (local.get $h5) (local.get $f)))
        (local.set $h6 (i32.add (local.get $h6) (local.get $g))) (local.set $h7 (i32.add (local.get $h7) (local.get $h)))
        (local.set $off (i32.add (local.get $off) (i32.const 64)))
        (br $block)))
    (i32.store offset=512 (i32.const 0) (local.get $h0)) (i32.store offset=516 (i32.const 0) (local.get $h1)) (i32.store offset=520 (i32.const 0) (local.get $h2)) (i32.store offset=524 (i32.const 0) (local.get $h3))
    (i32.store offset=528 (i32.const 0) (local.get $h4)) (i32.store offset=532 (i32.const 0) (local.get $h5)) (i32.store offset=536 (i32.const 0) (local.get $h6)) (i32.store offset=540 (i32.const 0) (local.get $h7))))
