#!/usr/bin/env node
/**
 * Start-up of tswasi's commands as whole fresh processes, side by side:
 * every round runs each command once in turn (A B C … A B C …), so a drift
 * in the machine's speed hits all of them alike. Prints the median wall time
 * of each and its ratio to a reference — `node -e ''`, or node:wasi running
 * the same module — as the median of the per-round ratios.
 *
 *   node bench/startup.mjs [--rounds 30] [--node BIN] [--dist DIR] [--before DIR] [--json FILE]
 *
 * --node runs every command (the references too) with that Node binary,
 * e.g. `--node "$(node scripts/node-versions.mjs path 26)"`; default: the
 * Node running this script.
 * The commands are the files package.json's bin names. --dist measures
 * another build (its dist/ beside its package.json, e.g. a copy of main's)
 * with this checkout's examples/hello.wasm; --before DIR adds a second
 * build's commands to every round, tagged [before], for a before/after
 * table from one run. tswasi-oci commands run against a state
 * root of their own in a temporary directory, on a real container (the
 * hello module, created and never started); `kill` and `delete` get a fresh
 * container before each timed run (untimed).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const opt = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : process.argv[i + 1];
};
const ROUNDS = Number(opt('--rounds', '30'));
const WARMUP = 2;
const SETTLE_MS = 50;
const DIST = path.resolve(opt('--dist', path.join(ROOT, 'dist')));
const BEFORE = opt('--before', undefined) === undefined ? undefined : path.resolve(opt('--before'));
const JSON_OUT = opt('--json', undefined);
const HELLO = path.join(ROOT, 'examples/hello.wasm');
const node = path.resolve(opt('--node', process.execPath));
const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasi-startup-'));
const bundle = path.join(work, 'bundle');
fs.mkdirSync(path.join(bundle, 'rootfs'), { recursive: true });
fs.copyFileSync(HELLO, path.join(bundle, 'rootfs/hello.wasm'));
fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify({
  ociVersion: '1.0.2',
  process: { terminal: false, user: { uid: 0, gid: 0 }, args: ['/hello.wasm'], env: ['PATH=/usr/bin:/bin'], cwd: '/' },
  root: { path: 'rootfs', readonly: false },
  annotations: { 'module.wasm.image/variant': 'compat' },
  // runc needs /proc in every container (it closes fds through it), and a Wasm container a tmpfs /dev.
  mounts: [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
  ],
  linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }] },
}));

/** One build's commands: the files package.json's bin names (beside that dist/), with a state root of their own. */
function commandsOf(dist, label) {
  const bin = JSON.parse(fs.readFileSync(path.join(dist, '../package.json'), 'utf8')).bin;
  const oci = [path.join(dist, '..', bin['tswasi-oci']), '--root', path.join(work, `state-${label}`)];
  const tswasi = path.join(dist, '..', bin.tswasi);
  const tag = label === 'this' ? '' : ` [${label}]`;

  /** Run a helper command (untimed); it must succeed. */
  function must(args) {
    const r = spawnSync(node, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
    return r.stdout;
  }
  // Not piped: the container process keeps create's stdio open until it is started.
  function create(id) {
    const r = spawnSync(node, [...oci, 'create', '--bundle', bundle, id], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`create ${id}: exit ${r.status}`);
  }
  const remove = (id) => spawnSync(node, [...oci, 'delete', '--force', id], { stdio: 'ignore' });
  function stopped(id) {
    must([...oci, 'kill', id, 'KILL']);
    for (let i = 0; i < 500; i++) {
      if (JSON.parse(must([...oci, 'state', id])).status === 'stopped') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
    throw new Error(`${id} did not stop`);
  }
  return {
    setUp: () => create('idle'),
    tearDown: () => { for (const id of ['idle', 'k', 'd', 'c']) remove(id); },
    cases: [
      { name: `tswasi --version${tag}`, args: [tswasi, '--version'], vs: 0 },
      { name: `tswasi run hello.wasm${tag}`, args: [tswasi, 'run', HELLO], vs: 1 },
      { name: `tswasi-oci state${tag}`, args: [...oci, 'state', 'idle'], vs: 0 },
      { name: `tswasi-oci list${tag}`, args: [...oci, 'list'], vs: 0 },
      { name: `tswasi-oci kill${tag}`, args: [...oci, 'kill', 'k', 'KILL'], vs: 0, before: () => { remove('k'); create('k'); } },
      { name: `tswasi-oci delete${tag}`, args: [...oci, 'delete', 'd'], vs: 0, before: () => { remove('d'); create('d'); stopped('d'); } },
      { name: `tswasi-oci create${tag}`, args: [...oci, 'create', '--bundle', bundle, 'c'], vs: 0, before: () => remove('c') },
    ],
  };
}

const builds = [commandsOf(DIST, 'this'), ...(BEFORE === undefined ? [] : [commandsOf(BEFORE, 'before')])];
const cases = [
  { name: "node -e ''", args: ['-e', ''] },
  { name: 'node:wasi hello.wasm (bench/node-wasi-run.mjs)', args: [path.join(ROOT, 'bench/node-wasi-run.mjs'), HELLO] },
  ...builds.flatMap((b) => b.cases),
];

const times = cases.map(() => []);
try {
  for (const b of builds) b.setUp();
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    cases.forEach((c, i) => {
      c.before?.();
      // A pause before every timed run, so none starts while the last one's
      // processes (a container process just created) are still settling.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SETTLE_MS);
      const t0 = performance.now();
      const r = spawnSync(node, c.args, { stdio: 'ignore' });
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`${c.name}: exit ${r.status ?? r.signal}`);
      if (round >= WARMUP) times[i].push(ms);
    });
  }
} finally {
  for (const b of builds) b.tearDown();
  fs.rmSync(work, { recursive: true, force: true });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rows = cases.map((c, i) => {
  const row = { command: c.name, ms: median(times[i]) };
  if (c.vs !== undefined) {
    row.vs = cases[c.vs].name;
    row.ratio = median(times[i].map((t, r) => t / times[c.vs][r]));
  }
  return row;
});
console.log(`${ROUNDS} rounds, Node ${nodeVersion}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${os.cpus().length} CPUs, dist ${DIST}${BEFORE === undefined ? '' : `, [before] ${BEFORE}`}`);
console.log('| command | median ms | ratio (median of per-round ratios) |');
console.log('|---|---:|---|');
for (const r of rows) console.log(`| ${r.command} | ${r.ms.toFixed(1)} | ${r.ratio === undefined ? '' : `${r.ratio.toFixed(2)} × ${r.vs}`} |`);
if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify({ rounds: ROUNDS, node: nodeVersion, rows, times }, null, 2));
