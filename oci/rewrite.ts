/**
 * A Wasm container's config.json, rewritten so that runc's container init
 * runs the container runner instead of the guest. Everything that makes the
 * container's isolation (namespaces, cgroups and linux.resources, user,
 * capabilities, no_new_privileges, seccomp, masked and read-only paths,
 * rlimits, terminal, hooks) is kept as the engine wrote it. What changes:
 *
 * - root: the runner's root (runner-root.ts), read-only; the image's rootfs
 *   is bound at /rootfs, read-only through linux.readonlyPaths when
 *   root.readonly (runc applies those after every mount, as it remounts "/").
 * - mounts: the engine's kernel mounts (proc, sysfs, cgroup, devpts, mqueue
 *   and everything at /proc, /sys, /dev) stay where they are, in the
 *   runner's root; every data mount (binds, volumes, tmpfs) moves under
 *   /rootfs, so the guest's tree is the image plus its data mounts and
 *   nothing else. Node, its libraries and this package come in read-only.
 * - process: args run the runner; env is empty (no variable of the image's
 *   or of `-e` reaches Node); cwd "/". The guest's args, env and cwd go to
 *   the runner through a file descriptor (guest.ts).
 */
import path from 'node:path';
import { GUEST_ROOT, KERNEL_DIRS, NO_SIGUSR1_FLAG, RUNNER_INIT, RUNNER_MAIN, RUNNER_NODE, type RunnerBind } from './runner-root.js';
import type { GuestProcess } from './guest.js';
import type { ListenAddress } from './tcplisten.js';
import { ANNOTATION_BUNDLE, ANNOTATION_ROOTFS, ANNOTATION_RUNNER } from './wasm-state.js';
import { isBind, type Mount, type Process, type Spec } from './spec.js';
import { WASM_PAGE } from '../src/memory-limit.js';

/**
 * What the runner keeps of a memory limit for itself: the cgroup counts the
 * runner's Node (about 20 MiB of anonymous memory, measured) with the guest,
 * so the guest's linear memory is capped below the limit — a guest that asks
 * for more sees malloc fail instead of the container being OOM-killed.
 */
const RUNNER_RESERVE = 32 << 20;
/** Mount types that are the kernel's, not data: never part of the guest's tree. */
const KERNEL_TYPES = new Set(['proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2', 'securityfs', 'debugfs', 'tracefs', 'configfs', 'fusectl', 'binfmt_misc', 'hugetlbfs', 'bpf']);

function underKernelDir(dest: string): boolean {
  return KERNEL_DIRS.some((d) => dest === d || dest.startsWith(d + '/'));
}

/** The guest's memory cap from linux.resources.memory.limit, in pages: the limit less the runner's reserve (half of it below 64 MiB). */
export function memoryLimitPages(spec: Spec): number | undefined {
  const limit = spec.linux?.resources?.memory?.limit;
  if (typeof limit !== 'number' || limit <= 0) return undefined;
  return Math.max(1, Math.floor((limit - Math.min(RUNNER_RESERVE, limit / 2)) / WASM_PAGE));
}

/**
 * Node turns its inspector's SIGUSR1 handler off with this flag (Node 22.14
 * and later): the runner then leaves every signal its default action and runs
 * the guest on its own thread, unless it is pid 1 (runner.ts). The runner's
 * Node is the one running this code (runnerBinds binds process.execPath).
 */
const NO_SIGUSR1 = process.allowedNodeEnvironmentFlags.has(NO_SIGUSR1_FLAG) ? [NO_SIGUSR1_FLAG] : [];

/**
 * The runner's process: what runc executes, with the guest's description on
 * fd `guestFd`; under the runner's init (RUNNER_INIT) when `init`, which only
 * a container's own process needs (an exec'd one is never pid 1).
 */
export function runnerProcess(proc: Process, guestFdNumber: number, init: boolean): Process {
  // The guest's memory cap travels in its description (guestOf): the runner rewrites the module's memories, as the pool does.
  return { ...proc, args: [...(init ? [RUNNER_INIT, '--'] : []), RUNNER_NODE, ...NO_SIGUSR1, RUNNER_MAIN, String(guestFdNumber)], env: [], cwd: '/' };
}

/** The guest of `proc`; only the container's own process (create's) gets the listeners and records, never an exec'd one. */
export function guestOf(proc: Process, spec: Spec, trace: string | undefined, listeners: ListenAddress[] = [], record?: string): GuestProcess {
  return { args: proc.args ?? [], env: proc.env ?? [], cwd: proc.cwd || '/', memoryLimitPages: memoryLimitPages(spec), trace, ...(listeners.length > 0 ? { listeners } : {}), ...(record !== undefined ? { record } : {}) };
}

/** The config runc gets for a Wasm container. `spec` is the engine's, untouched. */
export function rewriteSpec(spec: Spec, bundle: string, runnerRootDir: string, binds: readonly RunnerBind[], guestFdNumber: number): Spec {
  const out = structuredClone(spec);
  if (spec.root === undefined) throw new Error('config.json has no root');
  // Without a mount namespace of its own, runc would mount the runner's root
  // and the guest's tree in the host's mount namespace, for every process to see.
  const mountNs = (spec.linux?.namespaces ?? []).find((n) => n.type === 'mount');
  if (mountNs === undefined || mountNs.path !== undefined) {
    throw new Error('a Wasm container needs a new mount namespace (linux.namespaces: {"type": "mount"} without a path)');
  }
  const rootfs = path.resolve(bundle, spec.root.path);
  out.root = { path: runnerRootDir, readonly: true };
  const mounts: Mount[] = [{ destination: GUEST_ROOT, type: 'bind', source: rootfs, options: ['rbind', 'rprivate'] }];
  let dev = false;
  for (const m of spec.mounts ?? []) {
    const dest = path.posix.normalize('/' + m.destination);
    if (dest === '/dev') {
      if (m.type !== 'tmpfs') throw new Error(`a Wasm container needs /dev as a tmpfs (config.json mounts ${m.type ?? 'no type'} there)`);
      dev = true;
    }
    if (underKernelDir(dest)) { mounts.push(m); continue; }
    // A kernel filesystem elsewhere has no use: no native program runs here, and the guest must not see it.
    if (m.type !== undefined && KERNEL_TYPES.has(m.type)) continue;
    const moved: Mount = { ...m, destination: GUEST_ROOT + (dest === '/' ? '' : dest) };
    if (isBind(m) && m.source !== undefined) moved.source = path.resolve(bundle, m.source);
    mounts.push(moved);
  }
  // The runner's mountpoints under /dev need a /dev of the container's own (runc's default config has one).
  if (!dev) mounts.splice(1, 0, { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] });
  for (const b of binds) mounts.push({ destination: b.destination, type: 'bind', source: b.source, options: ['rbind', 'ro', 'nosuid', 'nodev', 'rprivate'] });
  out.mounts = mounts;
  if (spec.root.readonly) {
    const linux = (out.linux ??= {});
    linux.readonlyPaths = [...(linux.readonlyPaths ?? []), GUEST_ROOT];
  }
  out.process = runnerProcess(spec.process ?? { cwd: '/' }, guestFdNumber, binds.some((b) => b.destination === RUNNER_INIT));
  out.annotations = { ...(spec.annotations ?? {}), [ANNOTATION_RUNNER]: '1', [ANNOTATION_BUNDLE]: bundle, [ANNOTATION_ROOTFS]: rootfs };
  return out;
}
