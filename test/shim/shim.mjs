// @ts-check
// Helpers for the shim's tests: a private containerd (test/cri's), the
// shim's processes and what containers leave on the host.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { criProblem } from '../cri/containerd.mjs';
import { ROOT } from '../helpers/wasm.mjs';
import { run } from '../helpers/spawn.mjs';

/** containerd's runtime_type for the shim (ctr run --runtime). */
export const RUNTIME = 'io.containerd.tswasi.v1';

/** Why the shim's tests cannot run here, or null. */
export function shimProblem() {
  /** @type {Record<string, string>} each tool's Debian package */
  const tools = { conmon: 'conmon', nsenter: 'util-linux', script: 'bsdutils' };
  for (const [tool, pkg] of Object.entries(tools)) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${tool} not found (Debian: apt-get install ${pkg})`;
  }
  return criProblem();
}

/**
 * containerd 1.7's bin directory (scripts/containerd-1.7.sh, which
 * install-deps.sh runs), or why it is not there.
 * @returns {{ dir: string, problem: null } | { dir: null, problem: string }}
 */
export function containerd17() {
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'containerd-1.7.sh'), '--installed'], { encoding: 'utf8' });
  return r.status === 0 ? { dir: r.stdout.trim(), problem: null } : { dir: null, problem: r.stderr.trim() || 'containerd 1.7 not installed' };
}

/** @param {number} pid */
function cmdline(pid) {
  try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'); } catch { return null; }
}

/**
 * The pids of the shims serving `cd` (daemons: no `start`/`delete` action),
 * of the spare shims waiting for its next pod (a spare's socket is still in
 * its spare directory: once claimed it is a shim), and of conmons under its state.
 * @param {import('../cri/containerd.mjs').Containerd} cd
 */
export function shimProcesses(cd) {
  /** @type {number[]} */
  const shims = [];
  /** @type {number[]} */
  const spares = [];
  /** @type {number[]} */
  const conmons = [];
  /** script(1) and runc in the foreground: a process with a terminal (oci/shim/terminal.ts). */
  /** @type {number[]} */
  const terminals = [];
  const spareRoot = path.join(cd.dir, 'run', 'tswasi', 'shim-spare');
  const waiting = new Set();
  for (const d of ls(spareRoot)) for (const n of ls(path.join(spareRoot, d))) if (/^socket-\d+$/.test(n)) waiting.add(Number(n.slice(7)));
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const argv = cmdline(Number(name));
    if (argv === null) continue;
    if (argv.some((a) => a.endsWith('containerd-shim-tswasi-v1.cjs')) && argv.includes(cd.sock) && !argv.includes('start') && !argv.includes('delete')) {
      (argv.includes('-spare') && waiting.has(Number(name)) ? spares : shims).push(Number(name));
    }
    if (path.basename(argv[0] ?? '') === 'conmon' && argv.some((a) => a.includes(cd.dir))) conmons.push(Number(name));
    if (['script', 'runc'].includes(path.basename(argv[0] ?? '')) && argv.some((a) => a.includes(cd.dir)) && argv.some((a) => /\b(run|exec)\b/.test(a))) terminals.push(Number(name));
  }
  return { shims, spares, conmons, terminals };
}

/** @param {string} d */
function ls(d) {
  try { return fs.readdirSync(d); } catch { return []; }
}

/**
 * What containers may leave behind: runc state, Wasm bundle copies, rootfs
 * mounts in containerd's mount namespace, shim sockets, task bundles.
 * @param {import('../cri/containerd.mjs').Containerd} cd
 */
export function leftovers(cd) {
  const ls = (/** @type {string} */ d) => { try { return fs.readdirSync(d); } catch { return []; } };
  const run = path.join(cd.dir, 'run');
  const mounts = fs.readFileSync(`/proc/${cd.pid}/mountinfo`, 'utf8').split('\n').filter((l) => l.includes('io.containerd.runtime.v2.task') && l.includes('/rootfs'));
  return {
    runc: ls(path.join(run, 'containerd', 'tswasi', 'k8s.io')),
    copies: ls(path.join(run, 'tswasi', 'bundles')),
    sockets: ls(path.join(run, 'containerd', 's')),
    tasks: ls(path.join(cd.dir, 'state', 'io.containerd.runtime.v2.task', 'k8s.io')),
    mounts,
  };
}

/**
 * `ctr events`, running: what it printed so far, as [topic, JSON] pairs.
 * @param {import('../cri/containerd.mjs').Containerd} cd
 */
export function watchEvents(cd) {
  const child = spawn('ctr', ['--address', cd.sock, 'events'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (b) => { out += b; });
  return {
    /** @param {string} id @returns {string[]} the topics seen for container `id`, in order */
    topics(id) {
      return out.split('\n').filter((l) => l.includes(`"${id}"`) || l.includes(`container_id:${JSON.stringify(id)}`) || l.includes(id)).map((l) => l.split(' ').find((w) => w.startsWith('/tasks/')) ?? '').filter((t) => t !== '');
    },
    lines: () => out,
    stop: () => child.kill('SIGTERM'),
  };
}

/**
 * After a failed test: kill what is left (containers through runc, then
 * conmons and shims) so that no process outlives the test. Returns what it killed.
 * @param {import('../cri/containerd.mjs').Containerd} cd
 */
export function killLeftovers(cd) {
  /** @type {string[]} */
  const killed = [];
  const root = path.join(cd.dir, 'run', 'containerd', 'tswasi', 'k8s.io');
  for (const id of leftovers(cd).runc) {
    spawnSync('runc', ['--root', root, 'delete', '--force', id]);
    killed.push(`container ${id}`);
  }
  const { shims, spares, conmons, terminals } = shimProcesses(cd);
  for (const pid of [...conmons, ...terminals, ...shims]) {
    try { process.kill(pid, 'SIGKILL'); killed.push(`pid ${pid}`); } catch { /* gone */ }
  }
  // A spare shim waiting for the next pod is no test's leftover: it is there after every run, ended unlisted.
  for (const pid of spares) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  return killed;
}

/** A word for sh -c. */
const shellWord = (/** @type {string} */ s) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * `ctr` (in containerd's mount namespace) with a terminal of its own, as a
 * user's: script(1) makes a pty of `rows` × `cols` for it and types `input`.
 * @param {import('../cri/containerd.mjs').Containerd} cd
 * @param {string[]} args
 * @param {string} input
 */
export function ctrInTerminal(cd, args, input, rows = 33, cols = 101) {
  const argv = ['nsenter', '-t', String(cd.pid), '-m', 'ctr', '--address', cd.sock, '--namespace', 'k8s.io', ...args];
  return run('script', ['--quiet', '--return', '--command', `stty rows ${rows} cols ${cols}; exec ${argv.map(shellWord).join(' ')}`, '/dev/null'], { input, timeout: 60_000 });
}
