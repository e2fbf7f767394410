/**
 * The root filesystem the container runner's Node process lives in, inside
 * a Wasm container. runc's init pivot_roots into it; it holds only
 * mountpoints, filled by read-only bind mounts of this Node binary, the
 * shared libraries it needs, and this package:
 *
 *   /tswasi/init            the host's catatonit, the container's pid 1, when there is one (runner.ts)
 *   /tswasi/node            the Node binary
 *   /tswasi/pkg             this package (dist/, node_modules/)
 *   <PT_INTERP>, /lib/<so>  the dynamic loader and libraries, as `ldd` names them
 *   /proc /sys /dev         the engine's kernel mounts (for Node only)
 *   /rootfs                 the image's rootfs and every data mount: the guest's "/"
 *
 * Nothing of the image is on the runner's own paths: the dynamic loader reads
 * no /etc/ld.so.preload or library of the image, Node no config of it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExecutable } from './native.js';
import { RUN_FILE_MODE, RUNNER_ROOT_MODE, runSubdir } from './run-dir.js';
import { sha256HexOfText } from '../src/sha256.js';

/** Where the guest's filesystem is mounted in the runner's root. */
export const GUEST_ROOT = '/rootfs';
export const RUNNER_INIT = '/tswasi/init';
/** Node's flag that turns its inspector's SIGUSR1 handler off (Node 22.14 and later): the runner's sign that it may run its guest on its own thread (runner.ts). */
export const NO_SIGUSR1_FLAG = '--disable-sigusr1';
export const RUNNER_NODE = '/tswasi/node';
export const RUNNER_PKG = '/tswasi/pkg';
/** The runner's script inside the container. */
export const RUNNER_MAIN = `${RUNNER_PKG}/dist/oci/runner.cjs`;
/** Mountpoints for the engine's kernel filesystems, which stay outside the guest's tree. */
export const KERNEL_DIRS = ['/proc', '/sys', '/dev'];

/** This package's root (dist/oci/ → ../..). */
const PKG_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunnerBind {
  destination: string;
  source: string;
}

/** A program's libraries as `ldd` lists them: [interpreter path, [soname, real path]...]. */
function libraries(program: string): RunnerBind[] {
  const r = spawnSync('ldd', [program], { encoding: 'utf8' });
  if (r.status !== 0) {
    // A statically linked program (catatonit is) needs nothing more.
    if (/not a dynamic executable/.test(r.stdout + r.stderr)) return [];
    throw new Error(`cannot list the libraries of ${program}: ${(r.stderr || r.stdout).trim()}`);
  }
  const binds: RunnerBind[] = [];
  for (const line of r.stdout.split('\n')) {
    const lib = /^\s*(\S+) => (\/\S+) \(0x/.exec(line);
    if (lib) { binds.push({ destination: `/lib/${lib[1]}`, source: fs.realpathSync(lib[2]!) }); continue; }
    const interp = /^\s*(\/\S+) \(0x/.exec(line);
    if (interp) binds.push({ destination: interp[1]!, source: fs.realpathSync(interp[1]!) });
  }
  return binds;
}

/**
 * The init a Wasm container's runner runs under (runner.ts says why): the
 * host's catatonit — podman's init for `run --init`, Debian's and Fedora's
 * package catatonit — on PATH or where podman's packages keep it. The
 * environment's TSWASI_RUNNER_INIT names another init run as `INIT --
 * COMMAND…` that exits with its child's status, 128+n for a signal (tini is
 * one), or, empty, none: the runner is then pid 1. Null: none.
 */
export function hostInit(env: NodeJS.ProcessEnv = process.env): string | null {
  const named = env.TSWASI_RUNNER_INIT;
  if (named === '') return null;
  if (named !== undefined) {
    if (!named.startsWith('/')) throw new Error(`TSWASI_RUNNER_INIT must be an absolute path or empty, not ${JSON.stringify(named)}`);
    if (!isExecutable(named)) throw new Error(`TSWASI_RUNNER_INIT ${named} is not an executable file`);
    return fs.realpathSync(named);
  }
  const dirs = [...(env.PATH ?? '').split(':').filter((d) => d.startsWith('/')), '/usr/libexec/podman'];
  const found = dirs.map((d) => path.join(d, 'catatonit')).find(isExecutable);
  return found === undefined ? null : fs.realpathSync(found);
}

/** Every read-only bind the runner needs; cached per Node binary and init (ldd costs a process). */
export function runnerBinds(): RunnerBind[] {
  const node = fs.realpathSync(process.execPath);
  const st = fs.statSync(node);
  const init = hostInit();
  const initStat = init === null ? null : fs.statSync(init);
  const key = sha256HexOfText(`${node}\0${st.size}\0${st.mtimeMs}\0${PKG_ROOT}\0${init ?? ''}\0${initStat?.size ?? ''}\0${initStat?.mtimeMs ?? ''}`).slice(0, 16);
  const cache = path.join(runSubdir(''), `runner-${key}.json`);
  try {
    const cached = JSON.parse(fs.readFileSync(cache, 'utf8')) as RunnerBind[];
    // A library upgraded since (another real path) makes the list stale.
    if (cached.every((b) => fs.existsSync(b.source))) return cached;
  } catch { /* not cached yet */ }
  const binds = [{ destination: RUNNER_NODE, source: node }, { destination: RUNNER_PKG, source: PKG_ROOT }, ...libraries(node)];
  if (init !== null) {
    binds.push({ destination: RUNNER_INIT, source: init });
    // A dynamically linked init's libraries, those Node does not already have bound.
    for (const b of libraries(init)) if (!binds.some((n) => n.destination === b.destination)) binds.push(b);
  }
  writeAtomic(cache, JSON.stringify(binds));
  return binds;
}

/**
 * The runner's root directory on the host: mountpoints only, made once and
 * shared by every Wasm container (runc mounts over it in each container's own
 * mount namespace and remounts it read-only there).
 */
export function runnerRoot(binds: readonly RunnerBind[]): string {
  const dirs = [...KERNEL_DIRS, GUEST_ROOT];
  const files: string[] = [];
  for (const b of binds) (fs.statSync(b.source).isDirectory() ? dirs : files).push(b.destination);
  const key = sha256HexOfText(JSON.stringify([dirs, files])).slice(0, 16);
  const root = path.join(runSubdir(''), `root-${key}`);
  if (fs.existsSync(path.join(root, '.complete'))) return root;
  const tmp = `${root}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const d of dirs) fs.mkdirSync(path.join(tmp, d), { recursive: true, mode: 0o755 });
  for (const f of files) {
    fs.mkdirSync(path.join(tmp, path.dirname(f)), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(tmp, f), '', { mode: 0o444 });
  }
  fs.writeFileSync(path.join(tmp, '.complete'), '', { mode: 0o444 });
  fs.chmodSync(tmp, RUNNER_ROOT_MODE);
  try {
    fs.renameSync(tmp, root);
  } catch {
    // Another create made it first.
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return root;
}

/** `file` (in an existing directory) written whole or not at all. */
function writeAtomic(file: string, text: string, mode = RUN_FILE_MODE): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode });
  fs.renameSync(tmp, file);
}
