// @ts-check
// oci/runc-errors.ts's id rule and oci/argv.ts's split of the global options
// from the command, in-process (test/oci-route.test.mjs has the rest of argv).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERR_EMPTY_ID, ERR_INVALID_ID, ID_MAX, idProblem } from '../../dist/oci/runc-errors.js';
import { UsageError, parseArgv } from '../../dist/oci/argv.js';
import { invocation } from '../helpers/oci-argv.mjs';

test("container ids: runc's rule, no leading dot, at most ID_MAX characters", () => {
  for (const ok of ['a', 'ctr1', 'A-b_c+d,e.f', '0123456789abcdef'.repeat(4), '-x', 'x'.repeat(ID_MAX), 'a..b']) {
    assert.equal(idProblem(ok), null, ok);
  }
  assert.equal(idProblem(''), ERR_EMPTY_ID);
  for (const bad of ['.', '..', '.a', '.ID.lock', 'a/b', '../x', '/abs', 'a b', 'a\nb', 'é', 'a:b', 'x'.repeat(ID_MAX + 1), 'a\0']) {
    assert.equal(idProblem(bad), ERR_INVALID_ID, JSON.stringify(bad));
  }
  // runc's words, which engines match on.
  assert.equal(ERR_INVALID_ID, 'invalid container ID format');
  assert.equal(ERR_EMPTY_ID, 'container id cannot be empty');
});

test('argv split: global options (valued or not, = or separate) before the command; --native-runtime taken out', () => {
  // (Separate values, --native-runtime=, kill's operands: test/oci-route.test.mjs.)
  let inv = invocation(['--log=/l', '--native-runtime', '/usr/bin/runc', '--systemd-cgroup', 'state', 'x']);
  assert.deepEqual(inv.globalArgs, ['--log=/l', '--systemd-cgroup']);
  assert.equal(inv.globals.value('log'), '/l');
  assert.equal(inv.globals.value('native-runtime'), '/usr/bin/runc');
  assert.equal(inv.command, 'state');
  assert.equal(inv.id, 'x');
  // A valued option's value is not the command, even when it looks like one.
  inv = invocation(['--root', 'delete', 'start', 'id']);
  assert.deepEqual(inv.globalArgs, ['--root', 'delete']);
  assert.equal(inv.command, 'start');
  assert.equal(inv.id, 'id');
  // Options after the command belong to it: not a global, whether the command is ours or the native runtime's.
  assert.throws(() => parseArgv(['state', '--root', '/r', 'x']), (e) => e instanceof UsageError && e.message === 'unknown option: --root');
  inv = invocation(['ps', '--root', 'x']);
  assert.deepEqual(inv.globalArgs, []);
  assert.equal(inv.globals.value('root'), undefined);
  assert.deepEqual(inv.nativeArgs, ['ps', '--root', 'x']);
  assert.equal(inv.id, 'x');
  assert.throws(() => parseArgv([]), (e) => e instanceof UsageError && e.message === 'a command is required');
  // A valued option at the very end: no value, no command.
  assert.throws(() => parseArgv(['--root']), (e) => e instanceof UsageError && e.message === '--root needs a value');
});
