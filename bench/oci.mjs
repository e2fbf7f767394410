#!/usr/bin/env node
// OCI benchmarks (root, podman, buildah, runc needed):
//  1. `podman run --rm` of the hello Wasm image through tswasi-oci, against
//     the busybox image through runc directly and through tswasi-oci's
//     hand-off — alternated A B C A B C…, medians and per-round ratios.
//  2. Memory: the RSS of a running container's processes (the runner's Node
//     for Wasm, busybox for native) and its cgroup's memory.usage_in_bytes.
//  3. The runtime alone: create → start → exit → delete of a Wasm bundle
//     through tswasi-oci and of a busybox bundle through runc, each step timed.
//   node bench/oci.mjs [--rounds N]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OCI = path.join(ROOT, 'dist/oci/tswasi-oci.js');
const RUNC = path.join(ROOT, 'test/oci/runc-no-rlimits.mjs'); // VM without CAP_SYS_RESOURCE: see that file
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 10;

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
function timed(cmd, args) {
  const t = process.hrtime.bigint();
  // No pipes: a created container process keeps its stdio open until it exits.
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return ms;
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasi-ocibench-'));
const storage = ['--root', path.join(base, 'storage'), '--runroot', path.join(base, 'run'), '--storage-driver', 'vfs'];
const podman = [...storage, '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];

// Images: the crun article's hello module, and busybox.
fs.writeFileSync(path.join(base, 'hello.c'), '#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\nint main(int c, char **v){if(c>1){sleep(atoi(v[1]));return 0;}puts("hello world from the webassembly module !!!!");return 0;}\n');
sh('clang', ['--target=wasm32-wasi', '-O2', path.join(base, 'hello.c'), '-o', path.join(base, 'hello.wasm')]);
function image(name, files, entrypoint, cmd, annotations = {}) {
  const ctr = sh('buildah', [...storage, 'from', 'scratch']).trim();
  for (const [src, dst] of files) sh('buildah', [...storage, 'copy', ctr, src, dst]);
  const cfg = ['config', '--entrypoint', JSON.stringify(entrypoint)];
  if (cmd) cfg.push('--cmd', JSON.stringify(cmd));
  for (const [k, v] of Object.entries(annotations)) cfg.push('--annotation', `${k}=${v}`);
  sh('buildah', [...storage, ...cfg, ctr]);
  sh('buildah', [...storage, 'commit', '--quiet', ctr, `localhost/${name}:latest`]);
}
image('bench-hello', [[path.join(base, 'hello.wasm'), '/hello.wasm']], ['/hello.wasm'], null, { 'module.wasm.image/variant': 'compat' });
image('bench-busybox', [['/bin/busybox', '/bin/busybox']], ['/bin/busybox'], ['echo', 'hello']);

const runs = {
  'wasm via tswasi-oci': ['podman', [...podman, '--runtime', OCI, '--runtime-flag', `native-runtime=${RUNC}`, 'run', '--rm', 'bench-hello']],
  'busybox via runc': ['podman', [...podman, '--runtime', RUNC, 'run', '--rm', 'bench-busybox']],
  'busybox via tswasi-oci → runc': ['podman', [...podman, '--runtime', OCI, '--runtime-flag', `native-runtime=${RUNC}`, 'run', '--rm', 'bench-busybox']],
};
const times = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
for (const [cmd, args] of Object.values(runs)) timed(cmd, args); // warm-up
for (let i = 0; i < rounds; i++) for (const [k, [cmd, args]] of Object.entries(runs)) times[k].push(timed(cmd, args));
const ref = times['busybox via runc'];
console.log(`\npodman run --rm, ${rounds} rounds (median ms; ratio = median of per-round ratios to busybox via runc)`);
console.log('| run | median ms | ratio |');
console.log('|---|---|---|');
for (const [k, xs] of Object.entries(times)) {
  console.log(`| ${k} | ${median(xs).toFixed(0)} | ${median(xs.map((x, i) => x / ref[i])).toFixed(2)} |`);
}

// Memory of a running container: a sleeping guest, a sleeping busybox.
const ociRun = [...podman, '--runtime', OCI, '--runtime-flag', `native-runtime=${RUNC}`];
const mem = { 'wasm via tswasi-oci': [], 'busybox via runc': [] };
for (let i = 0; i < Math.min(rounds, 5); i++) {
  for (const [k, args] of [['wasm via tswasi-oci', [...ociRun, 'run', '-d', 'bench-hello', '30']], ['busybox via runc', [...podman, '--runtime', RUNC, 'run', '-d', 'bench-busybox', 'sleep', '30']]]) {
    const id = sh('podman', args).trim();
    spawnSync('sleep', ['1']);
    const pid = Number(sh('podman', [...podman, 'inspect', id, '--format', '{{.State.Pid}}']).trim());
    const cg = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => /:memory:/.test(l)).split(':')[2];
    const tasks = fs.readFileSync(`/sys/fs/cgroup/memory${cg}/cgroup.procs`, 'utf8').trim().split('\n').map(Number);
    const rss = tasks.reduce((n, p) => n + Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0), 0) / 1024;
    const usage = Number(fs.readFileSync(`/sys/fs/cgroup/memory${cg}/memory.usage_in_bytes`, 'utf8')) / 2 ** 20;
    const anon = Number(/^rss (\d+)/m.exec(fs.readFileSync(`/sys/fs/cgroup/memory${cg}/memory.stat`, 'utf8'))[1]) / 2 ** 20;
    mem[k].push({ rss, usage, anon });
    sh('podman', [...podman, 'rm', '-f', '-t', '0', id]);
  }
}
console.log('\nA running container\'s memory (median MiB: RSS of its processes; its cgroup\'s usage_in_bytes; anonymous memory in it)');
console.log('| container | RSS | cgroup usage | anon (cgroup rss) |');
console.log('|---|---|---|---|');
for (const [k, xs] of Object.entries(mem)) {
  console.log(`| ${k} | ${median(xs.map((x) => x.rss)).toFixed(1)} | ${median(xs.map((x) => x.usage)).toFixed(1)} | ${median(xs.map((x) => x.anon)).toFixed(1)} |`);
}

// The runtime alone: tswasi-oci with a Wasm bundle, runc with a busybox one.
function bundleWith(name, files, args, annotations) {
  const dir = path.join(base, name);
  fs.mkdirSync(path.join(dir, 'rootfs', 'bin'), { recursive: true });
  for (const [src, dst] of files) fs.copyFileSync(src, path.join(dir, 'rootfs', dst));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({
    ociVersion: '1.0.2', process: { args, cwd: '/', env: [] }, root: { path: 'rootfs' },
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] }],
    linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }] },
    annotations,
  }));
  return dir;
}
const wasmBundle = bundleWith('wasm-bundle', [[path.join(base, 'hello.wasm'), 'hello.wasm']], ['/hello.wasm'], { 'module.wasm.image/variant': 'compat' });
const bbBundle = bundleWith('bb-bundle', [['/bin/busybox', 'bin/busybox']], ['/bin/busybox', 'echo', 'hello'], {});
const state = path.join(base, 'state');
for (const [label, runtime, bundle] of [['tswasi-oci, hello.wasm', [process.execPath, OCI], wasmBundle], ['runc, busybox echo', ['runc'], bbBundle]]) {
  const steps = { create: [], start: [], exit: [], delete: [], total: [] };
  const rt = (args) => [runtime[0], [...runtime.slice(1), '--root', state, ...args]];
  for (let i = 0; i < rounds + 1; i++) {
    const id = `b${i}`;
    const t0 = process.hrtime.bigint();
    const c = timed(...rt(['create', '--bundle', bundle, id]));
    const s = timed(...rt(['start', id]));
    const t1 = process.hrtime.bigint();
    while (JSON.parse(sh(...rt(['state', id]))).status !== 'stopped') { /* poll */ }
    const e = Number(process.hrtime.bigint() - t1) / 1e6;
    const d = timed(...rt(['delete', id]));
    if (i === 0) continue; // warm-up
    steps.create.push(c); steps.start.push(s); steps.exit.push(e); steps.delete.push(d);
    steps.total.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  console.log(`\n${label} alone: create → start → exit → delete, ${rounds} rounds`);
  console.log('| step | median ms |');
  console.log('|---|---|');
  for (const [k, xs] of Object.entries(steps)) console.log(`| ${k} | ${median(xs).toFixed(1)} |`);
}
fs.rmSync(base, { recursive: true, force: true });
