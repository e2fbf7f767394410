// @ts-check
// The OCI config schema (oci/spec.ts): a good config passes unchanged, fields
// tswasi-oci never reads included; a bad one is one line naming the JSON
// path, and tswasi-oci create exits 1 with it (runc exits 1 on the same
// config), on stderr and as the --log JSON line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseProcess, parseSpec } from '../dist/oci/spec.js';
import { lastLogEntry } from './helpers/oci.mjs';
import { ROOT } from './helpers/paths.mjs';
import { runOci } from './helpers/spawn.mjs';
import { tempDir } from './helpers/tmp.mjs';

/**
 * A config as parsed JSON, before or after a change below breaks it on
 * purpose into shapes no config type allows (a string for an array, a
 * number for a string, ...): so deliberately untyped, JSON.parse's `any`.
 * @typedef {any} ConfigJson
 */

/** `runc spec` (runc 1.1.5), as written. @type {ConfigJson} */
const RUNC_SPEC = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/oci/runc-spec.json'), 'utf8'));

/** What podman and CRI-O add, none of which tswasi-oci reads: it must reach runc as it came. */
function fullConfig() {
  const c = structuredClone(RUNC_SPEC);
  c.annotations = { 'module.wasm.image/variant': 'compat', 'io.kubernetes.cri.container-type': 'container' };
  c.hooks = { prestart: [{ path: '/usr/bin/hook', args: ['hook', 'x'], timeout: 5 }] };
  c.linux.seccomp = { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] };
  c.linux.devices = [{ path: '/dev/null', type: 'c', major: 1, minor: 3 }];
  c.linux.resources.memory = { limit: 67108864 };
  c.process.rlimits = [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }];
  c.process.oomScoreAdj = 0;
  c.process.user.additionalGids = [10];
  c.process.futureField = { nested: [1, 'two', null] };
  c.mounts[0].uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
  c.windows = null;
  c.vm = { hypervisor: { path: '/x' } };
  return c;
}

test('a good config round-trips: every field, read or not, as it came', () => {
  for (const c of [RUNC_SPEC, fullConfig(), { ociVersion: '1.0.0' }]) {
    assert.deepEqual(parseSpec(JSON.stringify(c), 'config.json'), c);
  }
  const p = { cwd: '/', args: ['/tool.wasm', 'x'], env: ['A=1'], terminal: false, user: { uid: 0, gid: 0 }, unknown: true };
  assert.deepEqual(parseProcess(JSON.stringify(p), 'p.json'), p);
});

/** [what is changed, the line expected after "config.json: "]. @type {[(c: ConfigJson) => void, string][]} */
const BAD_CONFIGS = [
  [(c) => { c.mounts[0].options = 'ro'; }, 'mounts[0].options: expected array of strings, got string'],
  [(c) => { c.mounts[2].options[1] = 7; }, 'mounts[2].options[1]: expected string, got number'],
  [(c) => { delete c.mounts[1].destination; }, 'mounts[1].destination: missing'],
  [(c) => { c.mounts = {}; }, 'mounts: expected array, got object'],
  [(c) => { c.mounts[0] = 'proc'; }, 'mounts[0]: expected object, got string'],
  [(c) => { delete c.ociVersion; }, 'ociVersion: missing'],
  [(c) => { c.ociVersion = 1; }, 'ociVersion: expected string, got number'],
  [(c) => { c.process = 5; }, 'process: expected object, got number'],
  [(c) => { c.process = []; }, 'process: expected object, got an empty array'],
  [(c) => { delete c.process.cwd; }, 'process.cwd: missing'],
  [(c) => { c.process.args = '/tool.wasm'; }, 'process.args: expected array of strings, got string'],
  [(c) => { c.process.env = { A: '1' }; }, 'process.env: expected array of strings, got object'],
  [(c) => { c.process.terminal = 'yes'; }, 'process.terminal: expected boolean, got string'],
  [(c) => { c.process.user.uid = '0'; }, 'process.user.uid: expected number, got string'],
  [(c) => { c.process.rlimits = [{ type: 'RLIMIT_NOFILE', hard: '1024', soft: 1024 }]; }, 'process.rlimits[0].hard: expected number, got string'],
  [(c) => { c.process.capabilities.bounding = 'CAP_KILL'; }, 'process.capabilities.bounding: expected array of strings, got string'],
  [(c) => { c.root = 7; }, 'root: expected object, got number'],
  [(c) => { c.root.path = null; }, 'root.path: expected string, got null'],
  [(c) => { c.root.readonly = 'true'; }, 'root.readonly: expected boolean, got string'],
  [(c) => { c.annotations = { a: 1 }; }, 'annotations.a: expected string, got number'],
  [(c) => { c.annotations = ['a']; }, 'annotations: expected object of strings, got array'],
  [(c) => { c.linux = []; }, 'linux: expected object, got an empty array'],
  [(c) => { c.linux.namespaces[0] = { type: 3 }; }, 'linux.namespaces[0].type: expected string, got number'],
  [(c) => { c.linux.resources.memory = { limit: '64m' }; }, 'linux.resources.memory.limit: expected number, got string'],
  [(c) => { c.linux.readonlyPaths = '/proc'; }, 'linux.readonlyPaths: expected array of strings, got string'],
];

test('a bad config: one line naming the JSON path, what was expected and what came', () => {
  for (const [change, line] of BAD_CONFIGS) {
    const c = structuredClone(RUNC_SPEC);
    change(c);
    assert.throws(() => parseSpec(JSON.stringify(c), '/b/config.json'), { message: `/b/config.json: ${line}` });
  }
  for (const [text, line] of [['[]', 'expected object, got an empty array'], ['null', 'expected object, got null'], ['"x"', 'expected object, got string']]) {
    assert.throws(() => parseSpec(text, '/b/config.json'), { message: `/b/config.json: ${line}` });
  }
  assert.throws(() => parseSpec('{"ociVersion":', '/b/config.json'), { message: /^\/b\/config\.json: invalid JSON: / });
});

test('exec --process: a bare process, args required and non-empty', () => {
  for (const [text, line] of [
    ['[1, 2]', 'process: expected object, got array'],
    ['{"cwd": "/"}', 'process.args: missing'],
    ['{"cwd": "/", "args": []}', 'process.args: expected non-empty array of strings, got an empty array'],
    ['{"cwd": "/", "args": ["/t.wasm", 7]}', 'process.args[1]: expected string, got number'],
  ]) assert.throws(() => parseProcess(text, '/p.json'), { message: `/p.json: ${line}` });
});

test('tswasi-oci create with a bad config: exit 1, the one line on stderr and in the --log JSON', async () => {
  const dir = tempDir('tswasi-spec-test-');
  const c = structuredClone(RUNC_SPEC);
  c.mounts[0].options = 'ro';
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c));
  const log = path.join(dir, 'log.json');
  for (const cmd of ['create', 'run']) {
    fs.rmSync(log, { force: true });
    const r = await runOci(path.join(dir, 'root'), ['--log', log, '--log-format', 'json', cmd, '--bundle', dir, 'bad'], { timeout: 30_000 });
    const line = `${path.join(dir, 'config.json')}: mounts[0].options: expected array of strings, got string`;
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `tswasi-oci: ${line}\n`);
    const last = lastLogEntry(log);
    assert.equal(last.level, 'error');
    assert.equal(last.msg, line);
  }
  assert.equal(fs.existsSync(path.join(dir, 'root')), false, 'nothing created');
});
