// @ts-check
// A private containerd with its CRI plugin, for test/cri: its own root,
// state, sockets and /run, in a mount namespace of its own, so nothing it
// mounts is seen by the host and nothing of the machine's containerd is
// touched. The configuration is containerd.toml beside this file (docs/containers.md
// shows it) with ${DIR} and ${BIN} filled in.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, tempDir } from '../helpers/wasm.mjs';
import { ociToolsProblem, ociWorld, run } from '../helpers/oci.mjs';
import { waitFor } from '../helpers/wait.mjs';
import { criClient } from './client.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CONFIG_TEMPLATE = path.join(HERE, 'containerd.toml');
export const INSTALL_SCRIPT = path.join(ROOT, 'scripts', 'install-oci.sh');
/** The runtime handler name: containerd's runtimes.tswasi, docs/containers.md's RuntimeClass handler. */
export const HANDLER = 'tswasi';
export const IMAGES = {
  pause: 'localhost/tswasi-cri/pause:1',
  busybox: 'localhost/tswasi-cri/busybox:1',
  wasm: 'localhost/tswasi-cri/wasm:1',
};
const BUSYBOX = '/bin/busybox';
/** systemd's default PATH for services. */
export const SYSTEMD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Why the CRI test cannot run here, or null. */
export function criProblem() {
  for (const tool of ['containerd', 'ctr', 'unshare']) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${tool} not found`;
  }
  if (!fs.existsSync(BUSYBOX)) return `${BUSYBOX} not found (Debian: busybox-static)`;
  return ociToolsProblem();
}

/** @typedef {Awaited<ReturnType<typeof startContainerd>>} Containerd */

/**
 * Start containerd; `extraToml` (with ${DIR} and ${BIN}) is appended to the
 * configuration; `restartOf`: start it again on the root, state and /run of
 * that stopped one (what it left running goes on: a restart).
 * `wrapper`: a command line containerd runs under (e.g. strace, for bench/shim-trace.mjs).
 * `binDir`: where containerd, ctr and containerd-shim-runc-v2 are taken from
 * (test/shim/shim.mjs containerd17()); the machine's, from PATH, by default.
 * `env`: more of containerd's environment (which its shims inherit).
 * Returns { dir, bin, sock, pid, cri, ctr, ctrNs, runtimeList, stop, log }.
 * @param {{ extraToml?: string, restartOf?: { dir: string }, wrapper?: string[], binDir?: string, env?: Record<string, string> }} [options]
 */
export async function startContainerd({ extraToml = '', restartOf, wrapper = [], binDir, env = {} } = {}) {
  const containerd = binDir === undefined ? which('containerd') : path.join(binDir, 'containerd');
  const ctrBin = binDir === undefined ? 'ctr' : path.join(binDir, 'ctr');
  const dir = restartOf?.dir ?? tempDir('tswasi-cri-');
  const bin = path.join(dir, 'bin');
  const config = path.join(dir, 'config.toml');
  if (restartOf === undefined) {
    for (const d of ['run', 'cni/net.d', 'logs', bin]) fs.mkdirSync(path.resolve(dir, d), { recursive: true });
    // tswasi-oci as docs/containers.md installs it: a wrapper at a fixed path.
    sh('sh', [INSTALL_SCRIPT, bin]);
    fs.writeFileSync(config, (fs.readFileSync(CONFIG_TEMPLATE, 'utf8') + extraToml).replaceAll('${DIR}', dir).replaceAll('${BIN}', bin));
  }
  const sock = path.join(dir, 'containerd.sock');
  // A mount namespace of its own, with propagation private (unshare), and a
  // private /run: containerd 1.6 puts shim sockets under /run/containerd
  // whatever `state` says. Everything mounted there goes with the namespace.
  const script = path.join(dir, 'start.sh');
  fs.writeFileSync(script, `set -e\n'${which('mount')}' --bind '${dir}/run' /run\nexec ${wrapper.map((a) => `'${a}' `).join('')}'${containerd}' --config '${config}'\n`);
  const logFile = path.join(dir, 'containerd.log');
  const logFd = fs.openSync(logFile, 'a');
  // detached: a session of its own (setsid), so a ^C of the test does not reach it first.
  const daemon = spawn(which('unshare'), ['--mount', '--propagation', 'private', '/bin/sh', script], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    // The environment systemd gives containerd.service, with our bin first: containerd finds containerd-shim-tswasi-v1 on its PATH.
    env: { ...env, PATH: `${bin}:${binDir === undefined ? '' : `${binDir}:`}${SYSTEMD_PATH}` },
  });
  fs.closeSync(logFd);
  const daemonPid = daemon.pid;
  if (daemonPid === undefined) throw new Error('containerd could not be started');
  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
  const exited = new Promise((resolve) => daemon.on('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  exited.then(() => { gone = true; });
  const killOnExit = () => { if (!gone) try { process.kill(daemonPid, 'SIGKILL'); } catch {} };
  process.on('exit', killOnExit);
  const log = () => fs.readFileSync(logFile, 'utf8');
  const tail = () => log().split('\n').slice(-15).join('\n');

  const cri = criClient(sock);
  try {
    await waitFor('containerd to answer CRI Version', async () => {
      if (gone) throw new Error(`containerd exited:\n${tail()}`);
      return fs.existsSync(sock) && (await cri.Version({ version: 'v1' }, 2000));
    });
  } catch (e) {
    killOnExit();
    throw new Error(`${e instanceof Error ? e.message : e}\ncontainerd log:\n${tail()}`);
  }
  /**
   * @param {string[]} args
   * @param {import('../helpers/spawn.mjs').RunOptions} [opts]
   */
  const ctr = (args, opts) => run(ctrBin, ['--address', sock, '--namespace', 'k8s.io', ...args], opts);
  /**
   * ctr in containerd's mount namespace: `ctr run` makes its stdio FIFOs
   * under /run/containerd/fifo on the client's side, and the shim must find them.
   * @param {string[]} args
   * @param {import('../helpers/spawn.mjs').RunOptions} [opts]
   */
  const ctrNs = (args, opts) => run('nsenter', ['-t', String(daemonPid), '-m', ctrBin, '--address', sock, '--namespace', 'k8s.io', ...args], opts);
  const tswasiOci = path.join(bin, 'tswasi-oci');
  // The shim passes `--root` as the runtime's Root joined with the containerd namespace.
  const runtimeRoot = path.join(dir, 'runc-root', 'k8s.io');

  return {
    dir, bin, sock, pid: daemonPid, cri, ctr, ctrNs, log, tail,
    logDir: path.join(dir, 'logs'),
    /** The runtime's own `list --format json` (Wasm and native containers). */
    /** @returns {Array<{ id: string, status: string }>} */
    runtimeList() {
      const r = spawnSync(tswasiOci, ['--root', runtimeRoot, 'list', '--format', 'json'], { encoding: 'utf8', env: { PATH: SYSTEMD_PATH } });
      if (r.status !== 0) throw new Error(`tswasi-oci list failed: ${r.stderr}`);
      return JSON.parse(r.stdout || '[]') ?? [];
    },
    /** SIGTERM, then wait (containerd takes about a second), SIGKILL after 15 s. */
    async stop() {
      cri.close();
      if (gone) return exited;
      process.kill(daemonPid, 'SIGTERM');
      const timer = setTimeout(killOnExit, 15_000);
      const r = await exited;
      clearTimeout(timer);
      process.off('exit', killOnExit);
      return r;
    },
  };
}

/**
 * Build the three images with buildah (private storage) and import them
 * into containerd's k8s.io namespace with the snapshotter CRI uses.
 * @param {Containerd} cd
 * @param {string} wasm the Wasm image's entrypoint, /tool.wasm
 * @param {[string, string][]} [moreWasm] more [host path, path in the image] for the Wasm image
 */
export async function importImages(cd, wasm, moreWasm = []) {
  const world = ociWorld();
  world.image('tswasi-cri-pause', { files: [[BUSYBOX, BUSYBOX]], entrypoint: [BUSYBOX, 'sleep', '2147483647'] });
  world.image('tswasi-cri-busybox', { files: [[BUSYBOX, BUSYBOX]], entrypoint: [BUSYBOX, 'sh'] });
  world.image('tswasi-cri-wasm', { files: [[wasm, '/tool.wasm'], ...moreWasm], entrypoint: ['/tool.wasm'] });
  for (const [key, ref] of Object.entries(IMAGES)) {
    const archive = path.join(cd.dir, `${key}.tar`);
    world.buildah('push', `localhost/tswasi-cri-${key}:latest`, `oci-archive:${archive}:1`);
    const r = await cd.ctr(['images', 'import', '--snapshotter', 'overlayfs', '--base-name', ref.replace(/:1$/, ''), archive], { timeout: 60_000 });
    if (r.code !== 0) throw new Error(`ctr images import ${ref} failed: ${r.stderr}`);
    fs.rmSync(archive);
  }
  world.cleanup();
}

/** @param {string} cmd */
function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} not found`);
  return fs.realpathSync(r.stdout.trim());
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
