// poll_oneoff on an absolute realtime deadline keeps to the realtime clock:
// when that clock is set back while the guest sleeps (here Date.now, which
// tswasi's realtime clock re-reads at most once a second, jumps back 300 ms
// during a 1.2 s sleep), the guest wakes at the deadline as it reads the
// clock afterwards, not early — as clock_nanosleep(TIMER_ABSTIME) does.
import test from 'node:test';
import assert from 'node:assert/strict';
import { WASI } from '../dist/src/wasi.js';
import { compileWat } from './helpers/wasm.mjs';

/** The guest: deadline = realtime + 1.2 s; poll until it; exit 0 when realtime is then past it, 1 when early. */
const GUEST = `(module
 (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
 (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
 (memory (export "memory") 1)
 (func (export "_start") (local $deadline i64)
  (if (call $clock (i32.const 0) (i64.const 1) (i32.const 0)) (then unreachable))
  (local.set $deadline (i64.add (i64.load (i32.const 0)) (i64.const 1200000000)))
  ;; The subscription at 64: userdata 7, tag CLOCK (0), clock REALTIME (0), the deadline, ABSTIME (1).
  (i64.store (i32.const 64) (i64.const 7))
  (i32.store8 (i32.const 72) (i32.const 0))
  (i32.store (i32.const 80) (i32.const 0))
  (i64.store (i32.const 88) (local.get $deadline))
  (i64.store (i32.const 96) (i64.const 0))
  (i32.store16 (i32.const 104) (i32.const 1))
  (if (call $poll (i32.const 64) (i32.const 128) (i32.const 1) (i32.const 8)) (then unreachable))
  (if (i32.ne (i32.load (i32.const 8)) (i32.const 1)) (then unreachable))
  (if (call $clock (i32.const 0) (i64.const 1) (i32.const 0)) (then unreachable))
  (call $exit (i64.lt_u (i64.load (i32.const 0)) (local.get $deadline)))))`;

test('poll_oneoff: an absolute realtime deadline moves with the realtime clock set back during the sleep', async () => {
  const mod = new WebAssembly.Module(await compileWat(GUEST));
  const realNow = Date.now;
  const installed = performance.now();
  // The wall clock 300 ms back from 0.6 s on: after the guest took its deadline, before it wakes.
  Date.now = () => realNow() - (performance.now() - installed > 600 ? 300 : 0);
  try {
    const wasi = new WASI({ version: 'preview1', returnOnExit: true });
    const t0 = performance.now();
    const code = wasi.start(new WebAssembly.Instance(mod, wasi.getImportObject()));
    const slept = performance.now() - t0;
    assert.equal(code, 0, 'the guest woke before its deadline on the realtime clock');
    assert.ok(slept >= 1450, `slept ${slept.toFixed(0)} ms: the deadline moved by the clock's 300 ms`);
  } finally {
    Date.now = realNow;
  }
});
