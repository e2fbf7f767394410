#!/usr/bin/env node
// Record/replay cost on the bench workloads (docs/performance.md, "Record and replay").
//
//   node bench/record.mjs [--rounds N] [--only a,b] [--quick]
//
// Per workload, each a fresh `node` process, stdout to /dev/null, in rounds
// (plain, record, replay, plain, …): the median wall time of `tswasi run`,
// of `tswasi run --record F`, and of `tswasi replay F`; the ratios record/plain
// and replay/record; the recording's size, calls, and bytes per call and per
// byte the guest read.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { GUEST_DIR, ROOT_DIR, WORKLOADS, buildWorkload, scratchBase } from './lib/workloads.mjs';

// The command users run: package.json's bin.
const CLI = join(ROOT_DIR, JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8')).bin.tswasi);
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i < 0 ? dflt : args[i + 1]; };
const rounds = Number(opt('--rounds', '3'));
const only = opt('--only', null)?.split(',');
const quick = args.includes('--quick');
const { parseRecording } = await import(join(ROOT_DIR, 'dist', 'src', 'record', 'reader.js'));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function time(argv) {
  const out = openSync('/dev/null', 'w');
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [CLI, ...argv], { stdio: ['ignore', out, 'pipe'] });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
    return ms;
  } finally {
    closeSync(out);
  }
}

console.log(`node ${process.version}, ${rounds} rounds${quick ? ', quick sizes' : ''}`);
console.log('workload       plain ms  record ms  replay ms  rec/plain  replay/rec   file bytes    calls  B/call  B/byte-read');
for (const w of WORKLOADS.filter((x) => !only || only.includes(x.name))) {
  const wasm = buildWorkload(w);
  const wargs = quick ? w.quickArgs : w.args;
  const t = { plain: [], record: [], replay: [] };
  const base = mkdtempSync(join(scratchBase(), 'tswasi-rec-bench-'));
  const rec = join(base, 'run.rec');
  let file = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      for (const kind of ['plain', 'record', 'replay']) {
        const scratch = mkdtempSync(join(base, 's-'));
        const dir = ['--dir', `${scratch}::${GUEST_DIR}`];
        const argv = kind === 'plain' ? ['run', ...dir, wasm, ...wargs] : kind === 'record' ? ['run', '--record', rec, ...dir, wasm, ...wargs] : ['replay', rec];
        t[kind].push(time(argv));
        rmSync(scratch, { recursive: true, force: true });
      }
    }
    file = statSync(rec).size;
    const parsed = parseRecording(readFileSync(rec));
    const calls = parsed.calls.length;
    let read = 0;
    for (const c of parsed.calls) if (c.ret === 0 && (c.name === 'fd_read' || c.name === 'fd_pread')) read += c.writes.reduce((n, m) => n + m.data.length, 0) - 4;
    // The calls' share of the file: all but the first block (header and module).
    const module = gzipSync(parsed.module, { level: 1 }).length;
    const [p, r, y] = [median(t.plain), median(t.record), median(t.replay)];
    console.log(`${w.name.padEnd(12)} ${p.toFixed(0).padStart(9)} ${r.toFixed(0).padStart(10)} ${y.toFixed(0).padStart(10)} ${(r / p).toFixed(2).padStart(10)} ${(y / r).toFixed(2).padStart(11)} ${String(file).padStart(12)} ${String(calls).padStart(8)} ${calls ? ((file - module) / calls).toFixed(2).padStart(7) : '-'.padStart(7)} ${read ? (file / read).toFixed(3).padStart(12) : '-'.padStart(12)}`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
