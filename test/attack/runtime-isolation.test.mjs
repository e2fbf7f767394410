// @ts-check
// Issue 15: a Wasm container runs as runc's container with tswasi's runner
// (Node) as its process. The guest must never reach what is the runner's or
// the kernel's — procfs, sysfs, cgroupfs, device nodes, Node and tswasi —
// by any path form, and nothing of the container's environment may change
// how the runner's Node starts or behaves. Real podman, runc and images.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compileC } from '../helpers/wasm.mjs';
import { hostInit, ociToolsProblem, ociWorld } from '../helpers/oci.mjs';
import { tempDir } from '../helpers/tmp.mjs';
import { waitFor } from '../helpers/wait.mjs';
import { compileAttack, summary, runCli } from './lib.mjs';

const problem = ociToolsProblem();
const skip = problem !== null && process.env.CI !== 'true' ? problem : false;
/** @type {import('../helpers/oci.mjs').OciWorld} */
let world;
/** @type {string} built in before() */
let probeWasm;
const tally = { attempts: 0, hits: 0, runs: 0 };

/** A volume with host-made symlinks at every place the guest must not reach. */
function plantedVolume() {
  const vol = tempDir('tswasi-probe-vol-');
  const links = {
    'link-proc': '/proc', 'link-relproc': '../../../../../proc', 'link-node': '/tswasi/node', 'link-pkg': '/tswasi/pkg',
    'link-dev': '/dev', 'link-sys': '/sys/fs/cgroup', 'link-rootfs': '/rootfs', 'link-environ': '/proc/self/environ',
    'link-fd': '/proc/self/fd/3', 'link-init-root': '/proc/1/root', 'link-ld': '/lib64/ld-linux-x86-64.so.2',
  };
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(vol, name));
  return vol;
}

/**
 * @param {string} label
 * @param {import('../helpers/spawn.mjs').RunResult} r
 */
function verdict(label, r) {
  assert.equal(r.code, 0, `${label}: exit ${r.code}\n${r.stderr}`);
  const m = /runtime-probe: (\d+) attempts, (\d+) hits, (\d+) symlinks made/.exec(r.stdout);
  assert.ok(m, `${label}: no summary\n${r.stdout.slice(-2000)}\n${r.stderr}`);
  tally.runs++;
  tally.attempts += Number(m[1]);
  tally.hits += Number(m[2]);
  assert.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('HIT ')).slice(0, 20), [], `${label}: the guest reached the runner's or the kernel's files`);
  assert.ok(Number(m[3]) > 0, `${label}: the guest could make no symlinks, so those forms were not tried`);
}

before(() => {
  if (skip) return;
  if (problem) throw new Error(`CI needs podman, buildah and runc: ${problem}`);
  const probe = compileAttack('runtime_probe');
  const tool = compileC('oci_tool');
  if (!probe || !tool) throw new Error('no wasm32-wasi toolchain');
  probeWasm = probe;
  world = ociWorld();
  world.image('probe-wasm', { files: [[probeWasm, '/probe.wasm']], entrypoint: ['/probe.wasm'], annotations: { 'module.wasm.image/variant': 'compat' } });
  world.image('env-wasm', {
    files: [[tool, '/tool.wasm']], entrypoint: ['/tool.wasm'], annotations: { 'module.wasm.image/variant': 'compat' },
    env: ['NODE_OPTIONS=--require /data/x.js', 'NODE_PATH=/data', 'DEBUG=*', 'UV_THREADPOOL_SIZE=1', 'GUEST_MARK=zq9-guest-only'],
  });
});

after(() => {
  world?.cleanup();
  summary(`attack: runtime probes ${tally.attempts} in ${tally.runs} containers, hits ${tally.hits}`);
});

test('the probe finds what is there (control: host /proc preopened through the CLI)', { skip }, async () => {
  const r = await runCli(['run', '--dir', '/proc::/proc', probeWasm, 'probe']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HIT open-read \/proc\/self\/environ/m);
  assert.match(r.stdout, /^HIT list \/proc\/self\/fd/m);
});

test('podman: procfs, sysfs, cgroupfs, /dev and the runner\'s files are absent at every path form', { skip }, async () => {
  const vol = plantedVolume();
  const r = await world.podman(['run', '--rm', '-v', `${vol}:/data`, 'probe-wasm', 'probe', '/data'], { timeout: 120_000 });
  verdict('podman', r);
});

test('podman --read-only, -w, a tmpfs and a named user: still nothing', { skip }, async () => {
  const vol = plantedVolume();
  fs.chmodSync(vol, 0o777);
  const r = await world.podman(['run', '--rm', '--read-only', '--tmpfs', '/scratch', '-w', '/data', '--user', '1000:1000',
    '-v', `${vol}:/data`, 'probe-wasm', 'probe', '/data'], { timeout: 120_000 });
  verdict('podman --read-only --user', r);
});

test('readdir("/") lists the image and the engine\'s mounts only', { skip }, async () => {
  const vol = tempDir('tswasi-probe-vol-');
  const r = await world.podman(['run', '--rm', '-v', `${vol}:/data`, 'probe-wasm', 'root']);
  assert.equal(r.code, 0, r.stderr);
  const names = r.stdout.trim().split('\n');
  // The image has /probe.wasm; podman adds /etc/{hosts,hostname,resolv.conf}, /run/.containerenv, and the volume.
  for (const n of names) assert.ok(['probe.wasm', 'data', 'etc', 'run'].includes(n), `unexpected "${n}" in /: ${names}`);
  assert.ok(names.includes('probe.wasm') && names.includes('data'), String(names));
});

test('NODE_OPTIONS, NODE_PATH, NODE_V8_COVERAGE, UV_*, DEBUG from the image or -e reach the guest and nothing else', { skip }, async () => {
  const vol = tempDir('tswasi-probe-vol-');
  fs.writeFileSync(path.join(vol, 'x.js'), `require('fs').writeFileSync('/data/PWNED-require', String(process.pid));\n`);
  fs.writeFileSync(path.join(vol, 'x.mjs'), `import fs from 'node:fs'; fs.writeFileSync('/data/PWNED-import', String(process.pid));\n`);
  // From the image: NODE_OPTIONS=--require /data/x.js, DEBUG=*.
  let r = await world.podman(['run', '--rm', '-v', `${vol}:/data`, 'env-wasm', 'env', 'NODE_OPTIONS']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'NODE_OPTIONS=--require /data/x.js\n');
  assert.equal(r.stderr, '', 'DEBUG=* in the image turned on nothing of the runner');
  // From -e: --import, NODE_V8_COVERAGE (Node would write coverage there at exit), NODE_EXTRA_CA_CERTS.
  r = await world.podman(['run', '--rm', '-v', `${vol}:/data`, '-e', 'NODE_OPTIONS=--import=/data/x.mjs --require=/data/x.js',
    '-e', 'NODE_V8_COVERAGE=/data/cov', '-e', 'NODE_EXTRA_CA_CERTS=/data/x.js', '-e', 'DEBUG=*,tswasi:*', 'env-wasm', 'env', 'NODE_V8_COVERAGE']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'NODE_V8_COVERAGE=/data/cov\n');
  assert.equal(r.stderr, '');
  assert.deepEqual(fs.readdirSync(vol).sort(), ['x.js', 'x.mjs'], 'nothing ran: no PWNED file, no coverage directory');
});

test('the runner\'s environment, argv and fds hold nothing of the guest\'s or the host\'s', { skip }, async () => {
  const vol = tempDir('tswasi-probe-vol-');
  let r = await world.podman(['run', '-d', '-v', `${vol}:/data`, '-e', 'SECRET_MARK=zq9-from-e', 'env-wasm', 'sleep', '30000']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  try {
    const pid1 = Number((await world.podman(['inspect', id, '--format', '{{.State.Pid}}'])).stdout.trim());
    assert.ok(pid1 > 0);
    /** @param {number} p */
    const argvOf = (p) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean);
    /** @param {number} p */
    const fdTargets = (p) => fs.readdirSync(`/proc/${p}/fd`).map((fd) => { try { return fs.readlinkSync(`/proc/${p}/fd/${fd}`); } catch { return 'gone'; } });
    // runc sets HOME when the config has none; the config's env is empty.
    /** @param {number} p */
    const assertEnv = (p) => {
      const environ = fs.readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').filter(Boolean);
      for (const e of environ) assert.match(e, /^HOME=\//, `pid ${p} env: ${environ}`);
    };
    // The container's pid 1: the host's init, when it has one (oci/runner-root.ts), the runner its only child.
    const init = await hostInit() !== null;
    let pid = pid1;
    if (init) {
      assertEnv(pid1);
      assert.deepEqual(argvOf(pid1).slice(0, 3), ['/tswasi/init', '--', '/tswasi/node']);
      const children = () => fs.readFileSync(`/proc/${pid1}/task/${pid1}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      await waitFor('the init to start the runner', () => children().length === 1);
      pid = /** @type {number} */ (children()[0]);
    }
    assertEnv(pid);
    const argv = argvOf(pid);
    assert.equal(argv[0], '/tswasi/node');
    assert.match(argv.at(-2) ?? '', /^\/tswasi\/pkg\/dist\/oci\/runner\.c?js$/);
    assert.ok(!argv.includes('sleep') && !argv.some((a) => a.includes('zq9')), `runner argv: ${argv}`);
    // Every fd: stdio, Node's own (pipes, eventfd, epoll, its read-only package
    // files while the loader reads them), the guest's tree (/rootfs…); nothing of the host.
    // The guest description (oci/guest.ts) is inherited, read and closed as the
    // runner starts: `podman run -d` returns before that on a busy machine.
    await waitFor('the runner to read and close its guest description', () => !fdTargets(pid).some((t) => /\/guest-[^/]*\.json \(deleted\)$/.test(t)));
    const targets = fdTargets(pid);
    const bad = targets.filter((t) => !/^(pipe:|socket:|anon_inode:|\/dev\/null$|\/dev\/pts\/|\/rootfs(\/|$)|\/tswasi\/pkg\/|gone$)/.test(t));
    assert.deepEqual(bad, [], `runner fds: ${targets.join(', ')}`);
    if (init) {
      // The init's fds: stdio and its signalfd; the guest description it passed on, it closed.
      const initBad = fdTargets(pid1).filter((t) => !/^(pipe:|socket:|anon_inode:|\/dev\/null$|\/dev\/pts\/)/.test(t));
      assert.deepEqual(initBad, [], `init fds: ${fdTargets(pid1).join(', ')}`);
    }
  } finally {
    await world.podman(['rm', '-f', '-t', '0', id]);
  }
});
