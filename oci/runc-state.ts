/**
 * runc's state of a container read from runc's own files, as `runc state`
 * and `runc list` report it — without running runc, which is most of the
 * cost of every `state` an engine polls with (spawning it from Node: ~7 ms
 * of a ~12 ms call on Node 26).
 *
 * Only the plain cases are read here, and every one the way runc 1.1's
 * libcontainer decides it (container_linux.go: refreshState, runType):
 *   - the init process is gone, a zombie, or another process with its pid
 *     (its start time in /proc/PID/stat differs): "stopped", pid 0;
 *   - else, exec.fifo still in the state directory (the container waits
 *     for `start`): "created"; else "running".
 * Anything else returns undefined and the caller asks runc itself, which
 * then answers in its own words: no state directory ("container does not
 * exist"), a state.json of a layout not known here, a rootless container,
 * a freezer that is not plainly thawed (paused, pausing, or no freezer to
 * read), a file that cannot be read.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RuntimeState } from './wasm-state.js';

/** The part of runc's state.json (libcontainer's State) read here. */
interface RuncStateFile {
  id: string;
  init_process_pid: number;
  init_process_start: number;
  created: string;
  rootless: boolean;
  cgroup_paths: Record<string, string> | null;
  intel_rdt_path?: string;
  config: {
    version: string;
    rootfs: string;
    labels: string[] | null;
    namespaces: Array<{ type: string; path: string }> | null;
    cgroups?: { Systemd?: boolean };
    /** Go's field name, no JSON tag: hook name → command hooks. */
    Hooks?: Record<string, unknown[] | null> | null;
    intel_rdt?: unknown;
  };
}

/** runc's state directory of `id`. */
const stateDir = (root: string, id: string): string => path.join(root, id);

/**
 * The root runc uses when the engine gave none: /run/runc, when runc runs
 * as root with no XDG_RUNTIME_DIR (otherwise runc's choice depends on
 * user namespaces: left to runc).
 */
export function runcRoot(explicit: string | undefined): string | undefined {
  if (explicit !== undefined) return explicit;
  return process.getuid?.() === 0 && !process.env['XDG_RUNTIME_DIR'] ? '/run/runc' : undefined;
}

/** Is this native runtime runc? (Its state files are the ones read here.) */
export const isRunc = (runtime: string): boolean => path.basename(runtime) === 'runc';

function readFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** runc's state.json of `id` under `root`, checked; undefined when absent or not as runc writes it. */
function readStateFile(root: string, id: string): RuncStateFile | undefined {
  const text = readFile(path.join(stateDir(root, id), 'state.json'));
  return text === undefined ? undefined : parseStateFile(text, id);
}

function parseStateFile(text: string, id: string): RuncStateFile | undefined {
  let s: unknown;
  try {
    s = JSON.parse(text);
  } catch {
    return undefined;
  }
  const f = s as Partial<RuncStateFile> | null;
  const c = f?.config;
  const ok = f !== null && typeof f === 'object' && f.id === id
    && Number.isSafeInteger(f.init_process_pid) && f.init_process_pid! > 0
    && Number.isSafeInteger(f.init_process_start)
    && typeof f.created === 'string' && f.rootless === false
    && typeof c === 'object' && c !== null && typeof c.version === 'string' && typeof c.rootfs === 'string'
    && (c.labels === null || (Array.isArray(c.labels) && c.labels.every((l) => typeof l === 'string')))
    && (f.cgroup_paths === null || (typeof f.cgroup_paths === 'object' && f.cgroup_paths !== undefined));
  return ok ? (f as RuncStateFile) : undefined;
}

/**
 * Is the container's freezer plainly thawed? undefined when that cannot be
 * read (runc decides then): cgroup v1's freezer.state, v2's cgroup.freeze.
 */
function thawed(cgroupPaths: Record<string, string> | null): boolean | undefined {
  // cgroup v1 (a hybrid host lists the unified hierarchy too, and v1's freezer is what runc uses there).
  const freezer = cgroupPaths?.['freezer'];
  if (freezer !== undefined) return readFile(path.join(freezer, 'freezer.state'))?.trim() === 'THAWED' ? true : undefined;
  const unified = cgroupPaths?.[''];
  if (unified === undefined) return undefined;
  return readFile(path.join(unified, 'cgroup.freeze'))?.trim() === '0' ? true : undefined;
}

/** /proc/PID/stat's state letter and start time (fields 3 and 22), or undefined when there is no such process. */
function procStat(pid: number): { state: string; startTime: number } | undefined {
  const text = readFile(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces or ')': the fields resume after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0]!, startTime: Number(rest[19]) };
}

/** runc's utils.Annotations: "bundle=…" is the bundle, every other "k=v" label an annotation (JSON keys sorted, as Go writes a map). */
function labelsOf(labels: readonly string[]): { bundle: string; annotations: Record<string, string> } {
  let bundle = '';
  const pairs: Array<[string, string]> = [];
  for (const l of labels) {
    const eq = l.indexOf('=');
    if (eq < 0) continue;
    if (l.slice(0, eq) === 'bundle') bundle = l.slice(eq + 1);
    else pairs.push([l.slice(0, eq), l.slice(eq + 1)]);
  }
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { bundle, annotations: Object.fromEntries(pairs) };
}

/** A container as read from runc's files. */
export interface RuncContainer {
  /** What `runc --root ROOT state ID` prints (the owner "", as runc state leaves it; runc list fills it in). */
  state: RuntimeState;
  /** A PID namespace of its own: then signalling its init is all `runc kill` (without --all) does. */
  ownPidNamespace: boolean;
  /** runc's state directory of the container. */
  stateDir: string;
  /**
   * The cgroups runc's destroy removes, when removing them and the state
   * directory is all it does (./runc-delete.ts): cgroupfs, not systemd; no
   * poststop hooks; no Intel RDT group; every path a clean one under
   * /sys/fs/cgroup. undefined otherwise.
   */
  plainCgroups: string[] | undefined;
}

/** Under the cgroup mount, absolute and normalized: a path from runc's file we may rmdir. */
const CGROUP_MOUNT = '/sys/fs/cgroup/';
const isCgroupPath = (p: unknown): p is string =>
  typeof p === 'string' && p.startsWith(CGROUP_MOUNT) && path.posix.normalize(p) === p && !p.endsWith('/');

function plainCgroupsOf(f: RuncStateFile): string[] | undefined {
  const c = f.config;
  if (c.cgroups?.Systemd !== false || c.intel_rdt !== undefined || (f.intel_rdt_path ?? '') !== '') return undefined;
  const hooks = c.Hooks;
  if (hooks !== undefined && hooks !== null) {
    const poststop = typeof hooks === 'object' ? hooks['poststop'] : 'not a hook table';
    if (!(poststop === undefined || poststop === null || (Array.isArray(poststop) && poststop.length === 0))) return undefined;
  }
  const paths = Object.values(f.cgroup_paths ?? {});
  return paths.every(isCgroupPath) ? paths : undefined;
}

/** The cgroups of container `id` under runc's `root` (subsystem → path; '' the unified hierarchy), or undefined when runc's file does not say. */
export function runcCgroupPaths(root: string, id: string): Record<string, string> | undefined {
  const paths = readStateFile(root, id)?.cgroup_paths;
  if (paths === null || paths === undefined) return undefined;
  return Object.values(paths).every(isCgroupPath) ? paths : undefined;
}

/** Container `id` under runc's `root`, or undefined for runc to answer. */
export function readRuncContainer(root: string, id: string): RuncContainer | undefined {
  const dir = stateDir(root, id);
  const f = readStateFile(root, id);
  if (f === undefined || thawed(f.cgroup_paths) !== true) return undefined;
  const proc = procStat(f.init_process_pid);
  const gone = proc === undefined || proc.startTime !== f.init_process_start || proc.state === 'Z' || proc.state === 'X' || proc.state === 'x';
  const status = gone ? 'stopped' : fs.existsSync(path.join(dir, 'exec.fifo')) ? 'created' : 'running';
  const { bundle, annotations } = labelsOf(f.config.labels ?? []);
  const state: RuntimeState = {
    ociVersion: f.config.version,
    id,
    pid: status === 'stopped' ? 0 : f.init_process_pid,
    status,
    bundle,
    rootfs: f.config.rootfs,
    created: f.created,
  };
  if (Object.keys(annotations).length > 0) state.annotations = annotations;
  state.owner = '';
  const ownPidNamespace = f.config.namespaces?.some((n) => n.type === 'NEWPID' && n.path === '') ?? false;
  return { state, ownPidNamespace, stateDir: dir, plainCgroups: plainCgroupsOf(f) };
}
