#!/usr/bin/env node
// What recording adds to one WASI call, in process (docs/performance.md,
// "Record and replay"): a guest calling one function N times in a loop, run
// by tswasi's WASI class plain and with `record` (a real file, gzip and all),
// alternating; the median CPU time per call of each and their difference.
//
//   node bench/record-calls.mjs [--calls N] [--rounds R] [--only clock_time_get]
//
// Needs `npm run build` (dist/). The guests are WebAssembly text assembled
// with wabt here, so each call is exactly the one named:
//   fd_write same      fd_write(1, ["x\n"]) to /dev/null: every call alike (REPEAT records)
//   fd_write differs   the same, the 2 bytes changing every call
//   clock_time_get     clock_time_get(MONOTONIC, 1): a new time each call
import { createRequire } from 'node:module';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR, scratchBase } from './lib/workloads.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i < 0 ? dflt : Number(args[i + 1]); };
const calls = opt('--calls', 1_000_000);
const rounds = opt('--rounds', 7);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const { WASI } = await import(join(ROOT_DIR, 'dist', 'src', 'wasi.js'));
const wabt = await createRequire(import.meta.url)('wabt')();

const loop = (body) => `(module
 (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
 (memory (export "memory") 1)
 (data (i32.const 16) "x\\n")
 (func (export "_start") (local $i i32)
  (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 2))
  (loop $l ${body}
   (local.set $i (i32.add (local.get $i) (i32.const 1)))
   (br_if $l (i32.lt_u (local.get $i) (i32.const ${calls})))))
)`;
const GUESTS = {
  'fd_write same': loop('(drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))'),
  'fd_write differs': loop('(i32.store16 (i32.const 16) (local.get $i)) (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))'),
  clock_time_get: loop('(drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 24)))'),
};

const dir = mkdtempSync(join(scratchBase(), 'tswasi-rec-calls-'));
const devnull = openSync('/dev/null', 'w');
/** CPU ms of one run of `module`: instantiate and start, with the recording written out. */
function once(module, bytes, record) {
  const wasi = new WASI({ version: 'preview1', args: ['guest'], env: {}, stdout: devnull, returnOnExit: true, ...(record ? { record: { file: join(dir, 'run.rec'), module: bytes } } : {}) });
  const t = process.cpuUsage();
  wasi.start(new WebAssembly.Instance(module, wasi.getImportObject()));
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ns = (ms) => (ms * 1e6 / calls).toFixed(0);

try {
  console.log(`node ${process.version}, ${calls} calls, median of ${rounds} (CPU time)`);
  console.log('guest               plain ns/call  recorded ns/call  recording adds ns/call');
  for (const [name, wat] of Object.entries(GUESTS).filter(([n]) => only === undefined || n.startsWith(only))) {
    const bytes = wabt.parseWat(`${name}.wat`, wat).toBinary({}).buffer;
    const module = new WebAssembly.Module(bytes);
    once(module, bytes, false); // warm both paths up
    once(module, bytes, true);
    const plain = [];
    const recorded = [];
    for (let r = 0; r < rounds; r++) {
      plain.push(once(module, bytes, false));
      recorded.push(once(module, bytes, true));
    }
    const p = median(plain);
    const rec = median(recorded);
    console.log(`${name.padEnd(20)}${ns(p).padStart(13)}${ns(rec).padStart(18)}${ns(rec - p).padStart(24)}`);
  }
} finally {
  closeSync(devnull);
  rmSync(dir, { recursive: true, force: true });
}
