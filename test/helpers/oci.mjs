// Helpers for the OCI tests: real buildah, podman and runc, in a private
// storage so the tests never touch the machine's own images and containers.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, tempDir } from './wasm.mjs';

export const OCI_BIN = path.join(ROOT, 'dist', 'oci', 'tswasi-oci.js');
export const OCI_WASM_BIN = path.join(ROOT, 'dist', 'oci', 'tswasi-oci-wasm.js');
/** Test-only runc wrapper: see the comment in it (the VM lacks CAP_SYS_RESOURCE). */
export const RUNC_WRAPPER = path.join(ROOT, 'test', 'oci', 'runc-no-rlimits.mjs');

/** Why podman/buildah/runc cannot be used here, or null. */
export function ociToolsProblem() {
  for (const tool of ['podman', 'buildah', 'runc']) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${tool} not found`;
  }
  if (process.getuid?.() !== 0) return 'the OCI tests need root (podman with the vfs driver)';
  return null;
}

/** A private podman/buildah world: storage, run root and tswasi-oci state root. */
export function ociWorld() {
  const base = tempDir('tswasi-oci-');
  const storage = ['--root', path.join(base, 'storage'), '--runroot', path.join(base, 'run'), '--storage-driver', 'vfs'];
  // podman 4.3 calls `delete` without the --runtime-flag options: runc keeps
  // every container's state at its default root (/run/runc); tswasi-oci keeps
  // a Wasm container's rewritten bundle in /run/tswasi/bundles until delete.
  const stateRoot = '/run/runc';
  const copies = '/run/tswasi/bundles';
  const podmanArgs = [
    ...storage, '--cgroup-manager', 'cgroupfs', '--events-backend', 'file',
    '--runtime', OCI_BIN,
    '--runtime-flag', `native-runtime=${RUNC_WRAPPER}`,
  ];
  return {
    base,
    stateRoot,
    /** Ids of containers runc has state for, and of Wasm containers whose bundle copy is still there. */
    knownIds() {
      const ids = [];
      try { ids.push(...fs.readdirSync(stateRoot)); } catch {}
      try { ids.push(...fs.readdirSync(copies).map((f) => f.replace(/\.[0-9a-f]+$/, ''))); } catch {}
      return ids;
    },
    podmanArgs,
    buildah: (...args) => sh('buildah', [...storage, ...args]),
    podman: (args, opts) => run('podman', [...podmanArgs, ...args], opts),
    podmanSync: (...args) => sh('podman', [...podmanArgs, ...args]),
    /** Build an image FROM scratch with these files, entrypoint, cmd, annotations and ENV ("K=V"). */
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

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Run a command; resolves { code, stdout, stderr, ms }. */
export function run(cmd, args, { timeout = 60_000, input = '', env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    // 'exit', not 'close': after `create` the container process keeps our
    // stdio pipes open (as a runc container keeps conmon's), so they never close.
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), ms });
      }, 50);
    });
    // A command that exits before reading its stdin closes the pipe: EPIPE is not a failure.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** Write a bundle for calling the runtime directly. */
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
