// @ts-check
// oci/runc-errors.ts's id rule and oci/route.ts's argv split, in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERR_EMPTY_ID, ERR_INVALID_ID, ID_MAX, idProblem } from '../../dist/oci/runc-errors.js';
import { splitArgv } from '../../dist/oci/route.js';

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
  assert.deepEqual(splitArgv(['--root', '/r', '--debug', 'create', '--bundle', 'b', 'id']), {
    globals: ['--root', '/r', '--debug'], nativeRuntime: undefined, command: 'create', rest: ['--bundle', 'b', 'id'],
  });
  assert.deepEqual(splitArgv(['--log=/l', '--native-runtime', '/usr/bin/runc', '--systemd-cgroup', 'state', 'x']), {
    globals: ['--log=/l', '--systemd-cgroup'], nativeRuntime: '/usr/bin/runc', command: 'state', rest: ['x'],
  });
  assert.deepEqual(splitArgv(['--native-runtime=/bin/crun', 'kill', 'x', 'KILL']), {
    globals: [], nativeRuntime: '/bin/crun', command: 'kill', rest: ['x', 'KILL'],
  });
  // A valued option's value is not the command, even when it looks like one.
  assert.deepEqual(splitArgv(['--root', 'delete', 'start', 'id']), { globals: ['--root', 'delete'], nativeRuntime: undefined, command: 'start', rest: ['id'] });
  // Options after the command belong to it.
  assert.deepEqual(splitArgv(['state', '--root', '/r']), { globals: [], nativeRuntime: undefined, command: 'state', rest: ['--root', '/r'] });
  assert.deepEqual(splitArgv([]), { globals: [], nativeRuntime: undefined, command: undefined, rest: [] });
  // A valued option at the very end: no value, no command.
  assert.deepEqual(splitArgv(['--root']), { globals: ['--root'], nativeRuntime: undefined, command: undefined, rest: [] });
});
