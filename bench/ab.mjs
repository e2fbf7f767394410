#!/usr/bin/env node
// Two commands side by side, as whole processes: A and B run in turn (A B A B …)
// and the ratio A/B is taken pair by pair, so that a machine whose speed drifts
// during the call still gives a meaningful ratio (docs/performance.md).
//
//   node bench/ab.mjs [--runs N] [--warmup W] -- 'COMMAND A' 'COMMAND B'
//
// Each command is one string split on spaces (no shell: write sh -c '…' as
// A or B for a redirection), stdin empty, stdout and stderr to /dev/null;
// a run that exits non-zero stops the call. Prints the median wall time of
// each and the minimum, median and maximum of the pairwise ratios.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i < 0 ? dflt : Number(args[i + 1]); };
const sep = args.indexOf('--');
const [a, b] = sep < 0 ? [] : args.slice(sep + 1);
if (a === undefined || b === undefined) {
  console.error("usage: node bench/ab.mjs [--runs N] [--warmup W] -- 'COMMAND A' 'COMMAND B'");
  process.exit(2);
}
const runs = opt('--runs', 15);
const warmup = opt('--warmup', 1);

function time(command) {
  const [file, ...argv] = command.split(' ').filter((s) => s !== '');
  const t0 = performance.now();
  const r = spawnSync(file, argv, { stdio: ['ignore', 'ignore', 'ignore'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    console.error(`${command}: ${r.error?.message ?? `exit ${r.status ?? r.signal}`}`);
    process.exit(1);
  }
  return ms;
}

const median = (xs) => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
for (let i = 0; i < warmup; i++) { time(a); time(b); }
const ta = [], tb = [], ratio = [];
for (let i = 0; i < runs; i++) {
  ta.push(time(a));
  tb.push(time(b));
  ratio.push(ta[i] / tb[i]);
}
console.log(`${runs} pairs`);
console.log(`A wall ms  median ${median(ta).toFixed(1)}`);
console.log(`B wall ms  median ${median(tb).toFixed(1)}`);
console.log(`A/B        min ${Math.min(...ratio).toFixed(3)}  median ${median(ratio).toFixed(3)}  max ${Math.max(...ratio).toFixed(3)}`);
