// @ts-check
// Helpers for the OCI tests: real buildah, podman and runc, in a private
// storage so the tests never touch the machine's own images and containers.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OCI_BIN, ROOT } from './paths.mjs';
import { BUNDLE_COPIES, RUN_DIR } from './run-dir.mjs';
import { run } from './spawn.mjs';
import { tempDir } from './tmp.mjs';

export { OCI_BIN, OCI_WASM_BIN } from './paths.mjs';
export { run } from './spawn.mjs';
/** Test-only runc wrapper: see the comment in it (the VM lacks CAP_SYS_RESOURCE). */
export const RUNC_WRAPPER = path.join(ROOT, 'test', 'oci', 'runc-no-rlimits.mjs');

/**
 * The init tswasi-oci makes a Wasm container's pid 1 on this host, found as
 * tswasi-oci finds it (oci/runner-root.ts: catatonit, or TSWASI_RUNNER_INIT), or null.
 * @returns {Promise<string | null>}
 */
export async function hostInit() {
  const { hostInit: find } = await import(path.join(ROOT, 'dist/oci/runner-root.js'));
  return find();
}

/** Why podman/buildah/runc cannot be used here, or null. */
export function ociToolsProblem() {
  for (const tool of ['podman', 'buildah', 'runc']) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${tool} not found`;
  }
  if (process.getuid?.() !== 0) return 'the OCI tests need root (podman with the vfs driver)';
  return null;
}

/** @typedef {ReturnType<typeof ociWorld>} OciWorld */

/** A private podman/buildah world: storage, run root and tswasi-oci state root. */
export function ociWorld() {
  const base = tempDir('tswasi-oci-');
  const storage = ['--root', path.join(base, 'storage'), '--runroot', path.join(base, 'run'), '--storage-driver', 'vfs'];
  // podman 4.3 calls `delete` without the --runtime-flag options: runc keeps
  // every container's state at its default root (/run/runc); tswasi-oci keeps
  // a Wasm container's rewritten bundle in its run directory until delete
  // (this test process's: helpers/run-dir.mjs).
  const stateRoot = '/run/runc';
  const copies = BUNDLE_COPIES;
  const podmanArgs = [
    ...storage, '--cgroup-manager', 'cgroupfs', '--events-backend', 'file',
    '--runtime', runtimeFor(base, RUN_DIR),
    '--runtime-flag', `native-runtime=${RUNC_WRAPPER}`,
  ];
  return {
    base,
    /** podman's arguments with tswasi-oci run by another runtime file (runtimeFor's). */
    /** @type {(runtime: string) => string[]} */
    podmanArgsWith: (runtime) => podmanArgs.map((a, i) => (podmanArgs[i - 1] === '--runtime' ? runtime : a)),
    stateRoot,
    /** Ids of podman's containers that runc has state for, or whose Wasm bundle copy is still there. */
    knownIds() {
      /** @type {string[]} */
      const ids = [];
      try { ids.push(...fs.readdirSync(stateRoot)); } catch {}
      try { ids.push(...fs.readdirSync(copies).map((f) => f.replace(/\.[0-9a-f]+$/, ''))); } catch {}
      // Only podman's containers (64 hex digits): both places are the machine's, and
      // other test runs (tswasi-oci called directly, with short ids) use them at the same time.
      return ids.filter((id) => /^[0-9a-f]{64}(\.|$)/.test(id));
    },
    podmanArgs,
    /** @type {(...args: string[]) => string} */
    buildah: (...args) => sh('buildah', [...storage, ...args]),
    /** @type {(args: string[], opts?: import('./spawn.mjs').RunOptions) => Promise<import('./spawn.mjs').RunResult>} */
    podman: (args, opts) => run('podman', [...podmanArgs, ...args], opts),
    /** @type {(...args: string[]) => string} */
    podmanSync: (...args) => sh('podman', [...podmanArgs, ...args]),
    /** Build an image FROM scratch with these files, entrypoint, cmd, annotations and ENV ("K=V"). */
    /**
     * @param {string} name
     * @param {{ files: [string, string][], entrypoint: string[], cmd?: string[], annotations?: Record<string, string>, env?: string[] }} image
     */
    image(name, { files, entrypoint, cmd, annotations = {}, env = [] }) {
      const ctr = sh('buildah', [...storage, 'from', 'scratch']).trim();
      for (const [src, dest] of files) sh('buildah', [...storage, 'copy', ctr, src, dest]);
      const cfg = ['config', '--entrypoint', JSON.stringify(entrypoint)];
      if (cmd) cfg.push('--cmd', JSON.stringify(cmd));
      for (const [k, v] of Object.entries(annotations)) cfg.push('--annotation', `${k}=${v}`);
      for (const e of env) cfg.push('--env', e);
      sh('buildah', [...storage, ...cfg, ctr]);
      sh('buildah', [...storage, 'commit', '--quiet', ctr, `localhost/${name}:latest`]);
      sh('buildah', [...storage, 'rm', ctr]);
    },
    cleanup() {
      spawnSync('podman', [...podmanArgs, 'rm', '-af', '-t', '0'], { stdio: 'ignore' });
    },
  };
}

/**
 * The runtime podman is given: a wrapper that runs tswasi-oci — by default
 * this checkout's on the Node running the tests (so that Node is the
 * container runner's too: scripts/node-versions.mjs) — with its run
 * directory at `runDir`. podman passes its runtime an environment of its
 * own, not ours, so the run directory is set in the wrapper. Written under
 * `dir`, named after `runDir` and the command.
 * @param {string} dir
 * @param {string} runDir
 * @param {string[]} command the runtime's argv before podman's arguments
 */
export function runtimeFor(dir, runDir, command = [process.execPath, OCI_BIN]) {
  const bin = path.join(dir, 'runtime', createHash('sha256').update(JSON.stringify([runDir, command])).digest('hex').slice(0, 12));
  const file = path.join(bin, 'tswasi-oci');
  if (fs.existsSync(file)) return file;
  for (const p of [runDir, ...command]) if (p.includes("'")) throw new Error(`a path with a single quote: ${p}`);
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\nTSWASI_OCI_RUN_DIR='${runDir}' exec ${command.map((c) => `'${c}'`).join(' ')} "$@"\n`, { mode: 0o755 });
  return file;
}

/**
 * @param {string} cmd
 * @param {string[]} args
 */
function sh(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/**
 * @typedef {object} BundleOptions
 * @property {string[]} args process.args
 * @property {Record<string, string>} [annotations]
 * @property {[string, string][]} [files] [host path, path in rootfs] to copy
 * @property {string} [cwd]
 * @property {object[]} [mounts] after the /proc mount
 * @property {Record<string, unknown>} [extra] more top-level config fields
 */

/**
 * Write a bundle for calling the runtime directly.
 * @param {string} dir
 * @param {BundleOptions} options
 */
export function bundle(dir, { args, annotations = { 'module.wasm.image/variant': 'compat' }, files = [], cwd = '/', mounts = [], extra = {} }) {
  const rootfs = path.join(dir, 'rootfs');
  fs.mkdirSync(rootfs, { recursive: true });
  for (const [src, dest] of files) fs.copyFileSync(src, path.join(rootfs, dest));
  const config = {
    ociVersion: '1.0.2',
    process: { terminal: false, user: { uid: 0, gid: 0 }, args, env: ['PATH=/usr/bin:/bin'], cwd },
    root: { path: 'rootfs', readonly: false },
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, ...mounts],
    annotations,
    linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }] },
    ...extra,
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

/**
 * A bundle for runc itself (`runc spec`): a busybox container that sleeps,
 * or runs `args`. This VM's root lacks CAP_SYS_RESOURCE, so runc cannot
 * apply rlimits: they are removed (see test/oci/runc-no-rlimits.mjs).
 * @param {{ args?: string[], annotations?: Record<string, string>, hooks?: Record<string, Array<{ path: string, args?: string[] }>> }} [options]
 */
export function runcBundle({ args = ['/bin/busybox', 'sleep', '600'], annotations, hooks } = {}) {
  const dir = tempDir('tswasi-runc-bb-');
  fs.mkdirSync(path.join(dir, 'rootfs', 'bin'), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(dir, 'rootfs', 'bin', 'busybox'));
  const r = spawnSync('runc', ['spec'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`runc spec: ${r.stderr}`);
  const spec = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  delete spec.process.rlimits;
  spec.process.terminal = false;
  spec.process.args = args;
  if (annotations !== undefined) spec.annotations = annotations;
  if (hooks !== undefined) spec.hooks = hooks;
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
  return dir;
}

/**
 * The last entry of a `--log-format json` log (what tswasi-oci, like runc, logged last).
 * @param {string} file
 * @returns {{ level: string, msg: string }}
 */
export function lastLogEntry(file) {
  const line = fs.readFileSync(file, 'utf8').trim().split('\n').at(-1);
  if (!line) throw new Error(`${file} is empty`);
  return JSON.parse(line);
}
