// @ts-check
// Sockets (issue 19): `tswasi run --tcplisten` / `-S tcplisten=` and
// `--listenfd` / `-S listenfd` themselves: a malformed address (exit 2), a
// port in use or a name that does not resolve (exit 1), each one error line;
// IPv6 and host names; the guest's fd order (the --listenfd sockets, then
// the --tcplisten ones in command-line order); nothing left listening
// after the guest exits. The guests are test/c/sock_*.c (see sockets.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { runCli } from './helpers/wasm.mjs';
import { TARGETS, freePort, startServer } from './helpers/listen.mjs';
import { assertRefused, assertServed, collect, connectWhenUp, program } from './helpers/net-client.mjs';

const T = { timeout: 90_000 };

/** @param {import('./helpers/spawn.mjs').RunResult} res */
function oneErrorLine(res) {
  const lines = res.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${res.stderr}`);
  assert.match(lines[0], /^error: /);
  return lines[0];
}

const tswasiOnly = TARGETS.includes('tswasi') ? {} : { skip: 'TSWASI_SOCK_TARGETS leaves out tswasi' };

test('--tcplisten and -S tcplisten: a malformed address is one error line and exit 2', { ...T, ...tswasiOnly }, async (t) => {
  const prog = program(t, 'tswasi', 'sock_echo');
  if (!prog) return;
  for (const bad of ['nonsense', '127.0.0.1', '127.0.0.1:', ':8080', '127.0.0.1:http', '127.0.0.1:65536', '127.0.0.1:-1', '[::1:80']) {
    const res = await runCli(['run', '--tcplisten', bad, prog]);
    assert.equal(res.code, 2, `--tcplisten ${bad}: ${JSON.stringify(res)}`);
    assert.equal(oneErrorLine(res), `error: invalid --tcplisten ${bad}: expected HOST:PORT`);
    const s = await runCli(['run', '-S', `tcplisten=${bad}`, prog]);
    assert.equal(s.code, 2, `-S tcplisten=${bad}: ${JSON.stringify(s)}`);
    assert.match(oneErrorLine(s), /tcplisten/);
  }
});

test('--tcplisten on a port in use is one error line and exit 1', { ...T, ...tswasiOnly }, async (t) => {
  const prog = program(t, 'tswasi', 'sock_echo');
  if (!prog) return;
  const taken = net.createServer();
  await new Promise((resolve) => taken.listen({ port: 0, host: '127.0.0.1' }, () => resolve(undefined)));
  try {
    const { port } = /** @type {net.AddressInfo} */ (taken.address());
    const res = await runCli(['run', '--tcplisten', `127.0.0.1:${port}`, prog]);
    assert.equal(res.code, 1, JSON.stringify(res));
    assert.match(oneErrorLine(res), new RegExp(String(port)));
  } finally {
    taken.close();
  }
  // A host name that does not resolve (.invalid never does: RFC 6761).
  const res = await runCli(['run', '--tcplisten', 'no-such-host.invalid:8080', prog]);
  assert.equal(res.code, 1, JSON.stringify(res));
  assert.match(oneErrorLine(res), /no-such-host\.invalid/);
});

test('--tcplisten [::1]:PORT and localhost:PORT; -S listenfd', { ...T, ...tswasiOnly }, async (t) => {
  const fds = program(t, 'tswasi', 'sock_fds');
  if (!fds) return;
  const [p6, pName] = [await freePort('::1'), await freePort()];
  const srv = await startServer({
    target: 'tswasi', program: fds, args: ['3'], listeners: 1, listenfdFlag: ['-S', 'listenfd'],
    runArgs: ['--tcplisten', `[::1]:${p6}`, '--tcplisten', `localhost:${pName}`],
  });
  try {
    const got = await Promise.all(/** @type {const} */ ([['127.0.0.1', srv.ports[0]], ['::1', p6], ['localhost', pName]])
      .map(async ([host, p]) => (await collect(await connectWhenUp(p, srv, host)).toEnd()).toString()));
    assert.deepEqual(got, ['fd 3\n', 'fd 4\n', 'fd 5\n']);
    await assertServed(srv, /^ok\n$/);
  } finally {
    await srv.stop();
  }
});

test('--tcplisten: the guest serves on it, and when it exits (0 or not) nothing is left listening', { ...T, ...tswasiOnly }, async (t) => {
  const fds = program(t, 'tswasi', 'sock_fds');
  const shut = program(t, 'tswasi', 'sock_shutdown');
  if (!fds || !shut) return;
  const port = await freePort();
  const srv = await startServer({ target: 'tswasi', program: fds, args: ['1'], listeners: 0, runArgs: ['--tcplisten', `127.0.0.1:${port}`] });
  try {
    const s = await connectWhenUp(port, srv);
    assert.equal((await collect(s).toEnd()).toString(), 'fd 3\n');
    await assertServed(srv, /^ok\n$/);
    await assertRefused(port);
  } finally {
    await srv.stop();
  }
  // A guest that fails at once (an unknown mode: exit 1), the listener made.
  const port2 = await freePort();
  const res = await runCli(['run', '--tcplisten', `127.0.0.1:${port2}`, shut, 'bogus']);
  assert.equal(res.code, 1, JSON.stringify(res));
  await assertRefused(port2);
});

test('--listenfd sockets come first, then --tcplisten ones in order (fds 3, 4, 5)', { ...T, ...tswasiOnly }, async (t) => {
  const fds = program(t, 'tswasi', 'sock_fds');
  if (!fds) return;
  const [p1, p2] = [await freePort(), await freePort()];
  // --tcplisten before --listenfd on the command line: the fds do not follow that order.
  const srv = await startServer({
    target: 'tswasi', program: fds, args: ['3'], listeners: 1,
    runArgs: ['--tcplisten', `127.0.0.1:${p1}`, '-S', `tcplisten=127.0.0.1:${p2}`],
  });
  try {
    const got = await Promise.all([srv.ports[0], p1, p2].map(async (p) => (await collect(await connectWhenUp(p, srv)).toEnd()).toString()));
    assert.deepEqual(got, ['fd 3\n', 'fd 4\n', 'fd 5\n']);
    await assertServed(srv, /^ok\n$/);
  } finally {
    await srv.stop();
  }
});
