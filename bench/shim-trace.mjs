#!/usr/bin/env node
// Where the time of one `ctr run --rm` goes, through containerd-shim-tswasi-v1
// and through containerd's runc shim: a private containerd (test/cri's) runs
// under `strace -f --seccomp-bpf -e trace=execve,exit_group` (only those two
// calls stop a process, so the run is barely slowed), and each run's processes
// are printed on one time line, from ctr's spawn: when each program started
// (execve) and ended (exit_group), relative to the start.
//   node bench/shim-trace.mjs [--runs N]     (root; the shim runs on this node)
// Each kind runs N+1 times (the first warms the caches); the last run's line is printed,
// and the median of the runs' totals. Then the same for a further container in a running
// CRI pod (a Wasm hello and busybox through the shim, busybox on the runc handler).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
process.env.NODE = process.execPath;
const { compileC } = await import(path.join(ROOT, 'test/helpers/wasm.mjs'));
const { IMAGES, importImages, startContainerd } = await import(path.join(ROOT, 'test/cri/containerd.mjs'));
const { killLeftovers } = await import(path.join(ROOT, 'test/shim/shim.mjs'));
const { runPod, status } = await import(path.join(ROOT, 'test/cri/pods.mjs'));

if (spawnSync('strace', ['-V']).status !== 0) throw new Error('strace not found (Debian: apt-get install strace)');
const traceFile = `/tmp/tswasi-shim-trace-${process.pid}.txt`;
const cd = await startContainerd({
  extraToml: fs.readFileSync(path.join(ROOT, 'test/shim/containerd-shim.toml'), 'utf8'),
  wrapper: [spawnSync('sh', ['-c', 'command -v strace'], { encoding: 'utf8' }).stdout.trim(), '-f', '--seccomp-bpf', '-ttt', '-s', '200', '-e', 'trace=execve,exit_group', '-o', traceFile],
});

/** One line of strace's output: pid, time (s), the call. */
function parse(text) {
  const out = [];
  const pending = new Map(); // pid → the first half of a call another process interrupted
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+(\d+\.\d+) (.*)$/.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    let call = m[3];
    if (call.endsWith(' <unfinished ...>')) { pending.set(pid, { t: Number(m[2]), call: call.slice(0, -' <unfinished ...>'.length) }); continue; }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(call);
    if (resumed && pending.has(pid)) { const p = pending.get(pid); pending.delete(pid); out.push({ pid, t: p.t, call: p.call + resumed[1] }); continue; }
    out.push({ pid, t: Number(m[2]), call });
  }
  return out.sort((a, b) => a.t - b.t);
}

/** A short name for a program run: the binary, the shim's action, runc's command. */
function label(call) {
  const m = /^execve\("([^"]+)", \[(.*?)\]/.exec(call);
  if (!m) return null;
  const argv = [...m[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]);
  const bin = path.basename(m[1]);
  if (bin === 'node' || /^node\b/.test(bin)) {
    const script = argv.find((a) => /\.(c?js)$/.test(a)) ?? '';
    const action = argv.includes('start') ? ' start' : argv.includes('delete') ? ' delete' : '';
    return `node ${path.basename(script)}${action}`;
  }
  if (bin.startsWith('containerd-shim')) return `${bin} ${argv.includes('start') ? 'start' : argv.includes('delete') ? 'delete' : '(daemon)'}`;
  if (bin === 'runc') return `runc ${argv.find((a) => ['create', 'start', 'delete', 'kill', 'exec', 'init', 'state'].includes(a)) ?? argv.slice(1).join(' ')}`;
  return bin;
}

/** The processes of one run, from strace's events, as lines of a time line from t0 (s). */
function timeline(events, t0) {
  const started = new Map(); // pid → { name, t }
  let lines = [];
  for (const e of events) {
    const name = e.call.startsWith('execve(') && / = 0$/.test(e.call) ? label(e.call) : null;
    if (name !== null) {
      const prev = started.get(e.pid);
      if (prev) lines.push({ name: prev.name, from: prev.t, to: e.t, note: `→ exec ${name}` });
      started.set(e.pid, { name, t: e.t });
    } else if (e.call.startsWith('exit_group(') && started.has(e.pid)) {
      const s = started.get(e.pid);
      lines.push({ name: s.name, from: s.t, to: e.t, note: '' });
      started.delete(e.pid);
    }
  }
  for (const [, s] of started) lines.push({ name: s.name, from: s.t, to: NaN, note: '(still running)' });
  lines.sort((a, b) => a.from - b.from);
  return lines.map((l) => `  ${((l.from - t0) * 1000).toFixed(0).padStart(5)} → ${Number.isNaN(l.to) ? '    ?' : ((l.to - t0) * 1000).toFixed(0).padStart(5)} ms  ${l.name} ${l.note}`);
}

const kinds = {
  'Wasm hello, shim': ['io.containerd.tswasi.v1', IMAGES.wasm, ['/tool.wasm']],
  'busybox, shim': ['io.containerd.tswasi.v1', IMAGES.busybox, ['/bin/busybox', 'true']],
  'busybox, runc': ['io.containerd.runc.v2', IMAGES.busybox, ['/bin/busybox', 'true']],
};
try {
  await importImages(cd, compileC('oci_tool'));
  console.log(`node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
  let seq = 0;
  /** Time `fn` `runs`+1 times (the first warms up); the median total and the last run's time line. */
  const traced = async (fn) => {
    const totals = [];
    let lines = [];
    for (let r = 0; r <= runs; r++) {
      const before = fs.statSync(traceFile).size;
      const t0 = Date.now() / 1000;
      await fn();
      const t1 = Date.now() / 1000;
      if (r === 0) continue;
      totals.push((t1 - t0) * 1000);
      const fd = fs.openSync(traceFile, 'r');
      const buf = Buffer.alloc(fs.statSync(traceFile).size - before);
      fs.readSync(fd, buf, 0, buf.length, before);
      fs.closeSync(fd);
      lines = timeline(parse(buf.toString('utf8')), t0);
    }
    const sorted = [...totals].sort((a, b) => a - b);
    return { median: sorted[Math.floor(sorted.length / 2)], lines };
  };
  for (const [kind, [rt, img, args]] of Object.entries(kinds)) {
    const { median, lines } = await traced(async () => {
      const res = await cd.ctrNs(['run', '--rm', '--runtime', rt, img, `t${process.pid}-${++seq}`, ...args]);
      if (res.code !== 0) throw new Error(`${kind}: ${res.stderr}`);
    });
    console.log(`\n${kind}: ctr run --rm ${median.toFixed(0)} ms (median of ${runs}); the last run:`);
    console.log(lines.join('\n'));
  }
  // A further container in a running CRI pod: CreateContainer → StartContainer → exited → RemoveContainer.
  for (const [handler, image, args] of [['tswasi-shim', IMAGES.wasm, []], ['tswasi-shim', IMAGES.busybox, ['-c', 'true']], ['runc', IMAGES.busybox, ['-c', 'true']]]) {
    const pod = await runPod(cd, `trace-${handler}-${++seq}`, {}, handler);
    const { median, lines } = await traced(async () => {
      const { container_id: id } = await cd.cri.CreateContainer({
        pod_sandbox_id: pod.id, sandbox_config: pod.config,
        config: { metadata: { name: `c${++seq}`, attempt: 0 }, image: { image }, args, linux: { security_context: { namespace_options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } } },
      });
      await cd.cri.StartContainer({ container_id: id });
      while ((await status(cd, id)).state !== 'CONTAINER_EXITED') await new Promise((r) => setTimeout(r, 2));
      await cd.cri.RemoveContainer({ container_id: id });
    });
    console.log(`\nCRI, a further ${image === IMAGES.wasm ? 'Wasm hello' : 'busybox'} in a running ${handler} pod: Create → Start → exited → Remove ${median.toFixed(0)} ms (median of ${runs}); the last run:`);
    console.log(lines.join('\n'));
    await cd.cri.StopPodSandbox({ pod_sandbox_id: pod.id });
    await cd.cri.RemovePodSandbox({ pod_sandbox_id: pod.id });
  }
} finally {
  killLeftovers(cd);
  await cd.stop();
  fs.rmSync(traceFile, { force: true });
}
