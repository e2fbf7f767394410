#!/usr/bin/env node
// containerd-shim-tswasi-v1 against containerd's runc shim, on a private
// containerd 1.6 (test/cri's; root, containerd, conmon, buildah, runc needed):
//  1. `ctr run --rm` (a new container, so a new shim, each time): a Wasm
//     hello and busybox /bin/true through the shim, busybox through runc —
//     alternated A B C A B C…, medians and the ratios of the medians. Each
//     new pod's shim is the spare started ahead of it (docs/containerd-shim.md);
//     --no-spare turns spares off (TSWASI_SHIM_SPARE=0 in containerd's environment).
//  2. The `start` subcommand when the pod's shim already runs (what
//     containerd pays for each further container of a pod), less the cost
//     of nsenter+sh around it.
//  3. In a running CRI pod, CreateContainer → StartContainer → exited of a
//     further container: native busybox through the shim and through runc,
//     a Wasm hello through the shim (alternated, medians).
//  4. Memory: Pss of each idle Wasm container (its processes and its conmon),
//     of what watches a container with a terminal (runc and script(1)), of
//     the pod's shim and of the spare waiting for the next pod.
//   node bench/shim.mjs [--rounds N] [--no-spare]        (the shim runs on this node)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 10;
// The wrappers install-oci.sh writes name this node.
process.env.NODE = process.execPath;
const { compileC } = await import(path.join(ROOT, 'test/helpers/wasm.mjs'));
const { IMAGES, importImages, startContainerd } = await import(path.join(ROOT, 'test/cri/containerd.mjs'));
const { runPod, containerPid, status } = await import(path.join(ROOT, 'test/cri/pods.mjs'));
const { killLeftovers, shimProcesses } = await import(path.join(ROOT, 'test/shim/shim.mjs'));

const SHIM = 'io.containerd.tswasi.v1';
const BB = '/bin/busybox';
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const f0 = (x) => x.toFixed(0);

const spares = !process.argv.includes('--no-spare');
const cd = await startContainerd({ extraToml: fs.readFileSync(path.join(ROOT, 'test/shim/containerd-shim.toml'), 'utf8'), env: spares ? {} : { TSWASI_SHIM_SPARE: '0' } });
let seq = 0;
try {
  await importImages(cd, compileC('oci_tool'));
  console.log(`node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${rounds} rounds, spare shims ${spares ? 'on' : 'off'}`);

  // 1. ctr run --rm
  const runs = {
    'Wasm hello, shim': [SHIM, IMAGES.wasm, ['/tool.wasm']],
    'busybox, shim': [SHIM, IMAGES.busybox, [BB, 'true']],
    'busybox, runc': ['io.containerd.runc.v2', IMAGES.busybox, [BB, 'true']],
  };
  const ctrMs = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  for (let r = -1; r < rounds; r++) { // round -1 warms the caches
    for (const [k, [rt, img, args]] of Object.entries(runs)) {
      const t = process.hrtime.bigint();
      const res = await cd.ctrNs(['run', '--rm', '--runtime', rt, img, `b${++seq}`, ...args]);
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      if (res.code !== 0) throw new Error(`${k}: ${res.stderr}`);
      if (r >= 0) ctrMs[k].push(ms);
    }
  }
  const runc = median(ctrMs['busybox, runc']);
  console.log('\nctr run --rm (ms, median):');
  for (const [k, xs] of Object.entries(ctrMs)) console.log(`  ${k.padEnd(18)} ${f0(median(xs)).padStart(5)}  ${(median(xs) / runc).toFixed(2)}× runc`);

  // 2. start, with the pod's shim running
  // Grouped as CRI groups a pod's containers (a sandbox id: the wrapper's sh answers start without Node).
  const group = createHash('sha256').update(`bench${process.pid}`).digest('hex');
  const held = `held${process.pid}`;
  const r0 = await cd.ctrNs(['run', '-d', '--runtime', SHIM, '--annotation', `io.kubernetes.cri.sandbox-id=${group}`, IMAGES.busybox, held, BB, 'sleep', '3600']);
  if (r0.code !== 0) throw new Error(r0.stderr);
  const bundle = fs.mkdtempSync(path.join(cd.dir, 'startbench-'));
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify({ annotations: { 'io.kubernetes.cri.sandbox-id': group } }));
  const bin = path.join(cd.bin, 'containerd-shim-tswasi-v1');
  const inNs = (cmd) => {
    const t = process.hrtime.bigint();
    // containerd's environment (PATH only): a variable such as NODE_EXTRA_CA_CERTS would add its cost to every Node start.
    const r = spawnSync('nsenter', ['-t', String(cd.pid), '-m', '--', 'sh', '-c', `cd '${bundle}' && ${cmd}`], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const startMs = [];
  const baseMs = [];
  for (let r = 0; r < rounds * 2; r++) {
    startMs.push(inNs(`exec '${bin}' -namespace k8s.io -id x${r} -address '${cd.sock}' start`));
    baseMs.push(inNs('exec true'));
  }
  console.log(`\nstart subcommand, the pod's shim running: ${f0(median(startMs) - median(baseMs))} ms (median ${f0(median(startMs))} less nsenter+sh ${f0(median(baseMs))})`);
  await cd.ctrNs(['task', 'kill', '-s', 'SIGKILL', held]);
  for (let i = 0; i < 200 && !/STOPPED/.test((await cd.ctrNs(['task', 'ls'])).stdout); i++) await new Promise((r) => setTimeout(r, 20));
  await cd.ctrNs(['task', 'delete', held]);
  await cd.ctrNs(['container', 'delete', held]);

  // 3. A further container in a running CRI pod
  const shimPod = await runPod(cd, 'bench-shim', {}, 'tswasi-shim');
  const runcPod = await runPod(cd, 'bench-runc', {}, 'runc');
  const further = async (pod, name, image, args) => {
    const t = process.hrtime.bigint();
    const { container_id: id } = await cd.cri.CreateContainer({
      pod_sandbox_id: pod.id, sandbox_config: pod.config,
      config: { metadata: { name, attempt: 0 }, image: { image }, args, linux: { security_context: { namespace_options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } } },
    });
    await cd.cri.StartContainer({ container_id: id });
    let s;
    while ((s = await status(cd, id)).state !== 'CONTAINER_EXITED') await new Promise((r) => setTimeout(r, 2));
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (s.exit_code !== 0) throw new Error(`${name}: exit ${s.exit_code} ${s.reason} ${s.message}`);
    await cd.cri.RemoveContainer({ container_id: id });
    return ms;
  };
  const kinds = {
    'busybox, shim': () => further(shimPod, `n${++seq}`, IMAGES.busybox, ['-c', 'true']),
    'Wasm hello, shim': () => further(shimPod, `w${++seq}`, IMAGES.wasm, []),
    'busybox, runc': () => further(runcPod, `r${++seq}`, IMAGES.busybox, ['-c', 'true']),
  };
  const criMs = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
  for (let r = -1; r < rounds; r++) for (const [k, fn] of Object.entries(kinds)) { const ms = await fn(); if (r >= 0) criMs[k].push(ms); }
  const criRunc = median(criMs['busybox, runc']);
  console.log('\nCRI, a further container in a running pod: Create → Start → exited (ms, median):');
  for (const [k, xs] of Object.entries(criMs)) console.log(`  ${k.padEnd(18)} ${f0(median(xs)).padStart(5)}  ${(median(xs) / criRunc).toFixed(2)}× runc`);

  // 4. Memory of idle Wasm containers and of the shim
  const pss = (pid) => { try { return Number(/^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0); } catch { return 0; } };
  const tree = (pid) => { const out = [pid]; for (const c of fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) out.push(...tree(Number(c))); return out; };
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const { container_id: id } = await cd.cri.CreateContainer({
      pod_sandbox_id: shimPod.id, sandbox_config: shimPod.config,
      config: { metadata: { name: `idle${i}`, attempt: 0 }, image: { image: IMAGES.wasm }, args: ['sleep'], linux: { security_context: { namespace_options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } } },
    });
    await cd.cri.StartContainer({ container_id: id });
    ids.push(id);
  }
  await new Promise((r) => setTimeout(r, 2000)); // the runners settle (a measurement, not a synchronisation)
  console.log('\nmemory (Pss, MiB):');
  for (const id of ids) {
    const pid = await containerPid(cd, id);
    const conmon = Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    const kb = tree(pid).reduce((a, p) => a + pss(p), 0);
    console.log(`  idle Wasm container ${id.slice(0, 8)}: ${(kb / 1024).toFixed(1)} (its conmon ${(pss(conmon) / 1024).toFixed(1)})`);
  }
  // A container with a terminal: what watches its process is runc in the foreground under script(1), not conmon.
  const { container_id: ttyId } = await cd.cri.CreateContainer({
    pod_sandbox_id: shimPod.id, sandbox_config: shimPod.config,
    config: { metadata: { name: 'idle-tty', attempt: 0 }, image: { image: IMAGES.busybox }, args: ['-c', 'sleep 3600'], tty: true, linux: { security_context: { namespace_options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } } },
  });
  await cd.cri.StartContainer({ container_id: ttyId });
  const ppid = (pid) => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
  const ttyRunc = ppid(await containerPid(cd, ttyId));
  console.log(`  a terminal's runc and script (tty: true, busybox): ${(pss(ttyRunc) / 1024).toFixed(1)} and ${(pss(ppid(ttyRunc)) / 1024).toFixed(1)}`);
  for (const pid of shimProcesses(cd).shims) console.log(`  shim ${pid} (a pod: pause + ${ids.length} Wasm containers + 1 with a terminal): ${(pss(pid) / 1024).toFixed(1)}`);
  for (const pid of shimProcesses(cd).spares) console.log(`  spare shim ${pid} (waiting for the next pod): ${(pss(pid) / 1024).toFixed(1)}`);
  for (const p of [shimPod, runcPod]) { await cd.cri.StopPodSandbox({ pod_sandbox_id: p.id }); await cd.cri.RemovePodSandbox({ pod_sandbox_id: p.id }); }
} finally {
  killLeftovers(cd);
  await cd.stop();
}
