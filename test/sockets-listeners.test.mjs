// @ts-check
// wasi/sockets/listeners.ts in-process: HOST:PORT as --tcplisten, -S
// tcplisten= and the io.tswasi.tcplisten annotation read it, and systemd's
// LISTEN_FDS/LISTEN_PID rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeListener, inheritedListenFds, parseHostPort } from '../dist/wasi/sockets/listeners.js';

test('parseHostPort: IPv4, bracketed IPv6, names; every malformed form is null', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseHostPort('0.0.0.0:0'), { host: '0.0.0.0', port: 0 });
  assert.deepEqual(parseHostPort('[::1]:80'), { host: '::1', port: 80 });
  assert.deepEqual(parseHostPort('[fe80::1%eth0]:443'), { host: 'fe80::1%eth0', port: 443 });
  assert.deepEqual(parseHostPort('localhost:65535'), { host: 'localhost', port: 65535 });
  for (const bad of ['', '8080', ':8080', '127.0.0.1', '127.0.0.1:', '127.0.0.1:65536', '127.0.0.1:-1', '127.0.0.1:80x',
    '::1:80', '[::1]80', '[::1]', '[127.0.0.1]:80', 'a b:80', 'host/x:80', '127.0.0.1:123456', '[]:80']) {
    assert.equal(parseHostPort(bad), null, `"${bad}" was accepted`);
  }
});

test('describeListener writes an address back as it is written', () => {
  assert.equal(describeListener({ host: '::1', port: 80 }), '[::1]:80');
  assert.equal(describeListener({ host: '127.0.0.1', port: 8080 }), '127.0.0.1:8080');
  assert.equal(describeListener(3), 'fd 3');
});

test('inheritedListenFds: LISTEN_PID unset, empty or ours; LISTEN_FDS a count', () => {
  assert.deepEqual(inheritedListenFds({ LISTEN_FDS: '2' }, 42), [3, 4]);
  assert.deepEqual(inheritedListenFds({ LISTEN_FDS: '1', LISTEN_PID: '' }, 42), [3]);
  assert.deepEqual(inheritedListenFds({ LISTEN_FDS: '1', LISTEN_PID: '42' }, 42), [3]);
  assert.deepEqual(inheritedListenFds({ LISTEN_FDS: '1', LISTEN_PID: '41' }, 42), [], 'another process\'s sockets');
  assert.deepEqual(inheritedListenFds({}, 42), []);
  assert.throws(() => inheritedListenFds({ LISTEN_FDS: 'x' }, 42), /invalid LISTEN_FDS=x/);
});
