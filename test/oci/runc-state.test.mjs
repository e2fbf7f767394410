// @ts-check
// tswasi-oci answers state, list and kill from runc's own files where they
// make the answer plain (oci/runc-state.ts): byte for byte what runc 1.1
// prints, checked side by side with runc on real busybox containers in
// every state it reads (created, running, stopped) and one it leaves to
// runc (paused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/wasm.mjs';
import { OCI_BIN, runcBundle } from '../helpers/oci.mjs';

// runc names a container's cgroups by its id alone, whatever the --root: ids of this run only.
/** @param {string} name */
const id = (name) => `${name}-${process.pid}`;

const runc = spawnSync('runc', ['--version']).status === 0 ? 'runc' : null;
const skip = runc === null && process.env.CI !== 'true' ? 'runc not found' : false;

test('state, list and kill: the same as runc, created, running, paused and stopped', { skip }, () => {
  const root = path.join(tempDir('tswasi-runc-state-'), 'root');
  const bundle = runcBundle({ annotations: { 'org.example/b': '2', 'org.example/a': '1' } });
  /** @param {string} cmd @param {string[]} args */
  const sh = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  /** @param {string[]} args */
  const viaRunc = (...args) => sh('runc', ['--root', root, ...args]);
  /** @param {string[]} args */
  const viaOci = (...args) => sh(process.execPath, [OCI_BIN, '--native-runtime', 'runc', '--root', root, ...args]);
  /** @param {string} what @param {string[]} args */
  const same = (what, ...args) => {
    const a = viaOci(...args), b = viaRunc(...args);
    assert.equal(a.status, b.status, `${what}: ${a.stderr} / ${b.stderr}`);
    if (args[0] === 'state' && a.status === 0) assert.deepEqual(JSON.parse(a.stdout), JSON.parse(b.stdout), what);
    else assert.equal(a.stdout, b.stdout, what);
  };
  /** @param {string} what */
  const lists = (what) => { same(`${what}: list`, 'list'); same(`${what}: list -f json`, 'list', '-f', 'json'); same(`${what}: list -q`, 'list', '-q'); };
  try {
    lists('empty root');
    for (const c of [id('c1'), id('c2')]) assert.equal(spawnSync('runc', ['--root', root, 'create', '--bundle', bundle, c], { stdio: 'ignore' }).status, 0);
    same('created', 'state', id('c1'));
    assert.equal(JSON.parse(viaOci('state', id('c1')).stdout).status, 'created');
    lists('created');
    assert.equal(viaRunc('start', id('c2')).status, 0);
    same('running', 'state', id('c2'));
    assert.equal(JSON.parse(viaOci('state', id('c2')).stdout).status, 'running');
    lists('running');
    if (viaRunc('pause', id('c2')).status === 0) {
      same('paused (runc answers)', 'state', id('c2'));
      lists('paused');
      assert.equal(viaRunc('resume', id('c2')).status, 0);
    }
    // kill: tswasi-oci signals the init itself, and the container stops.
    assert.equal(viaOci('kill', id('c1'), 'KILL').status, 0);
    for (let i = 0; i < 200 && JSON.parse(viaRunc('state', id('c1')).stdout).status !== 'stopped'; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    same('stopped', 'state', id('c1'));
    lists('stopped');
    // Killing a stopped container: runc's exit status and words (handed to runc).
    const a = viaOci('kill', id('c1'), 'KILL'), b = viaRunc('kill', id('c1'), 'KILL');
    assert.equal(a.status, b.status);
    assert.match(a.stderr, /container not running/);
    same('unknown id', 'state', 'nope');
  } finally {
    for (const c of [id('c1'), id('c2')]) viaRunc('delete', '--force', c);
  }
});

/**
 * A stopped container: its cgroups and runc's state directory.
 * @param {string} root @param {string} c
 */
function leftovers(root, c) {
  const st = JSON.parse(fs.readFileSync(path.join(root, c, 'state.json'), 'utf8'));
  return { stateDir: path.join(root, c), cgroups: /** @type {string[]} */ (Object.values(st.cgroup_paths)) };
}

test('delete: a stopped container goes as runc deletes it; running, unknown and hooked ones get runc\'s own answer', { skip }, () => {
  const root = path.join(tempDir('tswasi-runc-delete-'), 'root');
  const hookLog = path.join(tempDir('tswasi-runc-hook-'), 'poststop');
  const plain = runcBundle({ args: ['/bin/busybox', 'true'] });
  const hooked = runcBundle({ args: ['/bin/busybox', 'true'], hooks: { poststop: [{ path: '/bin/sh', args: ['sh', '-c', `echo ran >> ${hookLog}`] }] } });
  const running = runcBundle();
  /** @param {string} cmd @param {string[]} args */
  const sh = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  /** @param {string[]} args */
  const viaRunc = (...args) => sh('runc', ['--root', root, ...args]);
  /** @param {string[]} args */
  const viaOci = (...args) => sh(process.execPath, [OCI_BIN, '--native-runtime', 'runc', '--root', root, ...args]);
  // Not piped: a detached container keeps runc's stdio open while it runs.
  /** @param {string} c @param {string} bundle */
  const detached = (c, bundle) => spawnSync('runc', ['--root', root, 'run', '--detach', '--bundle', bundle, c], { stdio: 'ignore' }).status;
  /** Run container `c` from `bundle` to its end. @param {string} c @param {string} bundle */
  const stopped = (c, bundle) => {
    assert.equal(detached(c, bundle), 0);
    for (let i = 0; i < 500 && JSON.parse(viaRunc('state', c).stdout).status !== 'stopped'; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    assert.equal(JSON.parse(viaRunc('state', c).stdout).status, 'stopped');
    return leftovers(root, c);
  };
  try {
    // Side by side: the same container deleted by each leaves the same nothing.
    for (const [name, del] of /** @type {const} */ ([[id('by-oci'), viaOci], [id('by-runc'), viaRunc]])) {
      const left = stopped(name, plain);
      assert.ok(left.cgroups.length > 0 && left.cgroups.every((p) => fs.existsSync(p)), `${name}: its cgroups exist before delete`);
      const r = del('delete', name);
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', ''], name);
      assert.equal(fs.existsSync(left.stateDir), false, `${name}: state directory gone`);
      assert.deepEqual(left.cgroups.filter((p) => fs.existsSync(p)), [], `${name}: cgroups gone`);
      // Deleted: runc no longer knows it, and both say so in the same words.
      const a = viaOci('delete', name), b = viaRunc('delete', name);
      assert.equal(a.status, b.status);
      assert.equal(a.stderr.replace(/^time="[^"]*" /gm, ''), b.stderr.replace(/^time="[^"]*" /gm, ''));
    }
    // A poststop hook: runc runs it (tswasi-oci hands the delete on).
    stopped(id('hooked'), hooked);
    assert.equal(viaOci('delete', id('hooked')).status, 0);
    assert.equal(fs.readFileSync(hookLog, 'utf8'), 'ran\n');
    // Not stopped: runc's refusal, word for word, and the container stays.
    assert.equal(detached(id('up'), running), 0);
    const a = viaOci('delete', id('up')), b = viaRunc('delete', id('up'));
    assert.equal(a.status, 1);
    assert.equal(a.status, b.status);
    assert.match(a.stderr, new RegExp(`cannot delete container ${id('up')} that is not stopped: running`));
    assert.equal(JSON.parse(viaRunc('state', id('up')).stdout).status, 'running');
  } finally {
    for (const c of [id('by-oci'), id('by-runc'), id('hooked'), id('up')]) viaRunc('delete', '--force', c);
  }
});
