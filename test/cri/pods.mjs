// @ts-check
// Pods and containers through the CRI, as kubelet asks for them, and the
// checks that a removed pod left nothing behind on the host.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '../helpers/wait.mjs';
import { HANDLER } from './containerd.mjs';

const CGROUP_FS = '/sys/fs/cgroup';
/** Every pod of this run goes under this cgroup parent (one directory per v1 hierarchy). */
export const CGROUP_TOP = `/tswasi-cri-${process.pid}`;

let podSeq = 0;

/**
 * @typedef {import('./containerd.mjs').Containerd} Containerd
 * @typedef {{ metadata: { name: string, uid: string, namespace: string, attempt: number }, log_directory: string, annotations: Record<string, string>, linux: { cgroup_parent: string, security_context: object } }} PodConfig
 * @typedef {{ id: string, config: PodConfig, containers: string[], removed?: boolean }} Pod
 */

/** RunPodSandbox, on the tswasi handler unless told: host network (no CNI here), its own cgroup parent and log directory. */
/**
 * @param {Containerd} cd
 * @param {string} name
 * @param {Record<string, string>} annotations
 * @returns {Promise<Pod>}
 */
export async function runPod(cd, name, annotations, handler = HANDLER) {
  const n = ++podSeq;
  /** @type {PodConfig} */
  const config = {
    metadata: { name, uid: `tswasi-cri-${process.pid}-${n}`, namespace: 'default', attempt: 0 },
    log_directory: path.join(cd.logDir, `${name}-${n}`),
    annotations,
    linux: {
      cgroup_parent: `${CGROUP_TOP}/pod${n}`,
      // pid CONTAINER as kubelet sets for v1 pods; network NODE: no CNI here.
      security_context: { namespace_options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } },
    },
  };
  const { pod_sandbox_id: id } = await cd.cri.RunPodSandbox({ config, runtime_handler: handler });
  return { id, config, containers: [] };
}

/** CreateContainer + StartContainer; `spec` = { name, image, command?, args?, env?, annotations? }. */
/**
 * @param {Containerd} cd
 * @param {Pod} pod
 * @param {ContainerSpec} spec
 */
export async function startContainer(cd, pod, spec) {
  const id = await createContainer(cd, pod, spec);
  await cd.cri.StartContainer({ container_id: id });
  return id;
}

/**
 * @typedef {{ name: string, image: string, command?: string[], args?: string[], env?: Record<string, string>, annotations?: Record<string, string>, tty?: boolean }} ContainerSpec
 */

/**
 * CreateContainer alone (the runtime's `create`); the id, for StartContainer.
 * @param {Containerd} cd
 * @param {Pod} pod
 * @param {ContainerSpec} spec
 */
export async function createContainer(cd, pod, { name, image, command = [], args = [], env = {}, annotations = {}, tty = false }) {
  const { container_id: id } = await cd.cri.CreateContainer({
    pod_sandbox_id: pod.id,
    sandbox_config: pod.config,
    config: {
      metadata: { name, attempt: 0 },
      image: { image },
      command,
      args,
      envs: Object.entries(env).map(([key, value]) => ({ key, value })),
      log_path: `${name}.log`,
      tty,
      annotations,
      linux: { security_context: { namespace_options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } },
    },
  });
  pod.containers.push(id);
  return id;
}

/**
 * @param {Containerd} cd
 * @param {string} id
 */
export async function status(cd, id) {
  return (await cd.cri.ContainerStatus({ container_id: id })).status;
}

/**
 * The pid containerd reports for a running container (verbose ContainerStatus).
 * @param {Containerd} cd
 * @param {string} id
 */
export async function containerPid(cd, id) {
  const r = await cd.cri.ContainerStatus({ container_id: id, verbose: true });
  const pid = JSON.parse(r.info.info ?? '{}').pid;
  assert.ok(Number.isInteger(pid) && pid > 0, `no pid for ${id} in ${JSON.stringify(r.info)}`);
  return pid;
}

/**
 * @param {Containerd} cd
 * @param {string} id
 * @param {string} state
 */
export function waitState(cd, id, state, timeoutMs = 30_000) {
  return waitFor(`container ${id.slice(0, 12)} to be ${state}`, async () => {
    const s = await status(cd, id);
    return s.state === state ? s : false;
  }, { timeoutMs });
}

/**
 * The container's CRI log ("TIME STREAM F|P TEXT" lines) as { stdout, stderr }.
 * @param {Pod} pod
 * @param {string} name
 */
export function readLog(pod, name) {
  /** @type {Record<string, string>} */
  const out = { stdout: '', stderr: '' };
  let text;
  try {
    text = fs.readFileSync(path.join(pod.config.log_directory, `${name}.log`), 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const m = /^\S+ (stdout|stderr) ([FP]) (.*)$/.exec(line);
    if (m) out[m[1]] += m[3] + (m[2] === 'F' ? '\n' : '');
  }
  return { stdout: out.stdout ?? '', stderr: out.stderr ?? '' };
}

/**
 * Wait until the log's stdout has `text` (the guest is past that point).
 * @param {Pod} pod
 * @param {string} name
 * @param {string} text
 */
export function waitLog(pod, name, text, timeoutMs = 30_000) {
  return waitFor(`${JSON.stringify(text)} in the log of ${name}`, () => readLog(pod, name).stdout.includes(text), { timeoutMs });
}

/**
 * StopPodSandbox, RemovePodSandbox, then check that nothing of the pod is left.
 * @param {Containerd} cd
 * @param {Pod} pod
 */
export async function removePod(cd, pod) {
  await cd.cri.StopPodSandbox({ pod_sandbox_id: pod.id });
  await cd.cri.RemovePodSandbox({ pod_sandbox_id: pod.id });
  pod.removed = true;
  await assertNothingLeft(cd, pod);
}

/**
 * Nothing of the pod's sandbox and containers is left: not in CRI, not in the
 * runtime's `list`, no process, no cgroup directory, no mount. Polls a while
 * (shims exit after RemovePodSandbox returns), then names what is left.
 * @param {Containerd} cd
 * @param {Pod} pod
 */
export async function assertNothingLeft(cd, pod) {
  const ids = [pod.id, ...pod.containers];
  const leftovers = async () => {
    /** @type {string[]} */
    const left = [];
    const { containers } = await cd.cri.ListContainers({ filter: { pod_sandbox_id: pod.id } });
    for (const c of containers) left.push(`CRI container ${c.id}`);
    const { items } = await cd.cri.ListPodSandbox({ filter: { id: pod.id } });
    for (const s of items) left.push(`CRI sandbox ${s.id}`);
    for (const row of cd.runtimeList()) if (ids.includes(row.id)) left.push(`runtime list: ${row.id} ${row.status}`);
    for (const p of processesOf(ids, pod.config.linux.cgroup_parent, [cd.pid, process.pid])) left.push(`process ${p}`);
    for (const d of cgroupDirs(pod.config.linux.cgroup_parent)) left.push(`cgroup ${d}`);
    for (const m of mountsOf(ids, cd.pid)) left.push(`mount ${m}`);
    return left;
  };
  /** @type {string[]} */
  let left = [];
  try {
    await waitFor('the pod to leave nothing behind', async () => (left = await leftovers()).length === 0, { timeoutMs: 15_000, everyMs: 100 });
  } catch {
    assert.fail(`left behind by pod ${pod.id.slice(0, 12)}:\n  ${left.join('\n  ')}`);
  }
  // The pod's cgroup parent itself is kubelet's to remove; rmdir fails unless it is empty.
  removeCgroupParent(pod.config.linux.cgroup_parent);
}

/**
 * Processes (other than `except`) whose command line names one of `ids` or whose cgroup is under `parent`.
 * @param {string[]} ids
 * @param {string} parent
 * @param {number[]} except
 */
function processesOf(ids, parent, except) {
  /** @type {string[]} */
  const found = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || except.includes(Number(e))) continue;
    let cmdline;
    let cgroup;
    try {
      cmdline = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      cgroup = fs.readFileSync(`/proc/${e}/cgroup`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const inParent = (/** @type {string} */ l) => { const c = l.split(':')[2] ?? ''; return c === parent || c.startsWith(`${parent}/`); };
    if (ids.some((id) => cmdline.includes(id)) || cgroup.split('\n').some(inParent)) {
      found.push(`${e}: ${cmdline.slice(0, 200)}`);
    }
  }
  return found;
}

/**
 * Directories below `parent` in any cgroup v1 hierarchy (or the v2 one).
 * @param {string} parent
 */
function cgroupDirs(parent) {
  /** @type {string[]} */
  const found = [];
  for (const h of hierarchies()) {
    const top = path.join(h, parent);
    const walk = (/** @type {string} */ d) => {
      let entries;
      try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
      for (const e of entries) {
        if (e.isDirectory()) {
          found.push(path.join(d, e.name));
          walk(path.join(d, e.name));
        }
      }
    };
    walk(top);
  }
  return found;
}

function hierarchies() {
  try {
    return fs.readdirSync(CGROUP_FS).map((h) => path.join(CGROUP_FS, h)).filter((h) => {
      try { return fs.statSync(h).isDirectory(); } catch { return false; }
    });
  } catch {
    return [];
  }
}

/**
 * rmdir `parent` in every hierarchy: fails unless it is empty.
 * @param {string} parent
 */
function removeCgroupParent(parent) {
  for (const h of hierarchies()) {
    try {
      fs.rmdirSync(path.join(h, parent));
    } catch (e) {
      const err = /** @type {NodeJS.ErrnoException} */ (e);
      if (err.code !== 'ENOENT') throw new Error(`cannot remove cgroup ${path.join(h, parent)}: ${err.message}`);
    }
  }
}

/**
 * Mounts naming one of `ids`, on the host and in containerd's private mount namespace.
 * @param {string[]} ids
 * @param {number} containerdPid
 */
function mountsOf(ids, containerdPid) {
  /** @type {string[]} */
  const found = [];
  for (const [where, file] of [['host', '/proc/self/mountinfo'], ['containerd', `/proc/${containerdPid}/mountinfo`]]) {
    let text = '';
    try { text = fs.readFileSync(file, 'utf8'); } catch {}
    for (const line of text.split('\n')) if (ids.some((id) => line.includes(id))) found.push(`(${where}) ${line.split(' ')[4]}`);
  }
  return found;
}

/**
 * The end of a run, also after failed tests: remove the pods still there,
 * stop containerd, SIGKILL what is left running of this run (shims and
 * container processes name the run's temp dir or ids, or sit in its cgroups),
 * and remove the run's cgroup directories. Returns what had to be killed.
 * @param {Containerd} cd
 * @param {Pod[]} pods
 */
export async function cleanupRun(cd, pods) {
  for (const pod of pods) {
    if (pod.removed) continue;
    try { await cd.cri.StopPodSandbox({ pod_sandbox_id: pod.id }, 20_000); } catch {}
    try { await cd.cri.RemovePodSandbox({ pod_sandbox_id: pod.id }, 20_000); } catch {}
  }
  await cd.stop();
  const ids = pods.flatMap((p) => [p.id, ...p.containers]);
  const killed = processesOf([cd.dir, ...ids], CGROUP_TOP, [process.pid]);
  for (const line of killed) {
    try { process.kill(Number(line.split(':')[0]), 'SIGKILL'); } catch { /* gone */ }
  }
  // Deepest first; a cgroup with a process still dying stays busy a moment.
  const dirs = hierarchies().flatMap((h) => [...cgroupDirs(CGROUP_TOP).filter((d) => d.startsWith(`${h}/`)), path.join(h, CGROUP_TOP)]);
  dirs.sort((a, b) => b.length - a.length);
  for (const d of dirs) {
    await waitFor(`cgroup ${d} to be removable`, () => {
      try { fs.rmdirSync(d); } catch (e) { if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'ENOENT') throw e; }
      return true;
    }, { timeoutMs: 5_000, everyMs: 100 }).catch((/** @type {Error} */ e) => killed.push(`(not removed: ${e.message})`));
  }
  return killed;
}
