// @ts-check
// io.tswasi.tcplisten: a Wasm container's guest serves HTTP on a listener the
// container runner opened in the container's own network namespace. A real C
// server (test/c/http_serve.c) in a buildah-from-scratch image under podman
// with its default network and -p port mapping; tswasi-oci called directly
// for the errors: a bad annotation fails create with one line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { compileC, tempDir } from '../helpers/wasm.mjs';
import { bundle, lastLogEntry, ociToolsProblem, ociWorld } from '../helpers/oci.mjs';
import { runOci } from '../helpers/spawn.mjs';
import { freePort, httpGet } from '../helpers/tcp.mjs';
import { waitFor } from '../helpers/wait.mjs';

const problem = ociToolsProblem();
const skip = problem !== null && process.env.CI !== 'true' ? problem : false;
const ANNOTATION = 'io.tswasi.tcplisten';
/** @type {import('../helpers/oci.mjs').OciWorld} */
let world;
/** @type {string} */
let server;

before(() => {
  if (skip) return;
  if (problem) throw new Error(`CI needs podman, buildah and runc: ${problem}`);
  const wasm = compileC('http_serve');
  if (!wasm) throw new Error('no wasm32-wasi toolchain');
  server = wasm;
  world = ociWorld();
  world.image('http-wasm', { files: [[wasm, '/http_serve.wasm']], entrypoint: ['/http_serve.wasm'], annotations: { 'module.wasm.image/variant': 'compat' } });
  world.image('http-wasm-listening', {
    files: [[wasm, '/http_serve.wasm']], entrypoint: ['/http_serve.wasm'],
    annotations: { 'module.wasm.image/variant': 'compat', [ANNOTATION]: '0.0.0.0:8080' },
  });
});

after(() => world?.cleanup());

/**
 * Run a detached container serving `count` requests; GET each path; wait for it to end.
 * @param {string[]} runArgs podman run's options and image
 * @param {number} port the host port that reaches the container
 * @param {string[]} paths
 */
async function serve(runArgs, port, paths) {
  const r = await world.podman(['run', '-d', ...runArgs]);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  try {
    const bodies = [];
    // Until the runner listens the port mapping leads nowhere (refused): poll, one request at a time.
    for (const p of paths) bodies.push(await httpGet(port, p));
    await waitFor('the server to exit', async () => (await world.podman(['inspect', id, '--format', '{{.State.Status}}'])).stdout.trim() === 'exited');
    const code = (await world.podman(['inspect', id, '--format', '{{.State.ExitCode}}'])).stdout.trim();
    const logs = await world.podman(['logs', id]);
    return { bodies, code, logs };
  } finally {
    await world.podman(['rm', '-f', '-t', '0', id]);
  }
}

test('podman run -p HOST:8080 --annotation io.tswasi.tcplisten=0.0.0.0:8080: the guest serves HTTP on the host port', { skip, timeout: 120_000 }, async () => {
  const port = await freePort();
  const { bodies, code, logs } = await serve(['-p', `127.0.0.1:${port}:8080`, '--annotation', `${ANNOTATION}=0.0.0.0:8080`, 'http-wasm', '2', 'hi from the container'], port, ['/first', '/second?x=1']);
  assert.deepEqual(bodies, ['200 hi from the container: GET /first HTTP/1.1\n', '200 hi from the container: GET /second?x=1 HTTP/1.1\n']);
  assert.equal(code, '0', logs.stderr);
  assert.equal(logs.stdout, 'served 1: GET /first HTTP/1.1\nserved 2: GET /second?x=1 HTTP/1.1\n');
});

test('the annotation from the image; [::] listens on IPv4 too', { skip, timeout: 120_000 }, async () => {
  let port = await freePort();
  let { bodies, code } = await serve(['-p', `127.0.0.1:${port}:8080`, 'http-wasm-listening'], port, ['/from-image']);
  assert.equal(code, '0');
  assert.deepEqual(bodies, ['200 hello from wasm: GET /from-image HTTP/1.1\n']);
  // podman's --annotation wins over the image's.
  port = await freePort();
  ({ bodies, code } = await serve(['-p', `127.0.0.1:${port}:9090`, '--annotation', `${ANNOTATION}=[::]:9090`, 'http-wasm-listening'], port, ['/v6']));
  assert.equal(code, '0');
  assert.deepEqual(bodies, ['200 hello from wasm: GET /v6 HTTP/1.1\n']);
});

test('a bad annotation fails podman run at create, with our one line, and leaves nothing', { skip, timeout: 120_000 }, async () => {
  const before = new Set(world.knownIds());
  const r = await world.podman(['run', '--rm', '--annotation', `${ANNOTATION}=0.0.0.0:0`, 'http-wasm']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /invalid annotation io\.tswasi\.tcplisten: "0\.0\.0\.0:0": port 0/);
  assert.deepEqual(world.knownIds().filter((id) => !before.has(id)), []);
});

test('a port taken in the container\'s network namespace ends the container at start: one error line, status 1', { skip, timeout: 120_000 }, async () => {
  // With --network host the container's namespace is the host's, where this test holds the port.
  const holder = net.createServer();
  await new Promise((resolve) => holder.listen(0, '127.0.0.1', () => resolve(undefined)));
  const port = /** @type {net.AddressInfo} */ (holder.address()).port;
  try {
    const r = await world.podman(['run', '--rm', '--network', 'host', '--annotation', `${ANNOTATION}=127.0.0.1:${port}`, 'http-wasm']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `error: failed to bind to address '127.0.0.1:${port}': address already in use\n`);
    assert.equal(r.stdout, '');
  } finally {
    holder.close();
  }
});

test('tswasi-oci create: every bad annotation is one line and exit 1, in the JSON log too', { skip, timeout: 120_000 }, async () => {
  const root = path.join(tempDir('tswasi-oci-root-'), 'state');
  for (const [value, re] of /** @type {Array<[string, RegExp]>} */ ([
    ['', /"": empty item/],
    ['0.0.0.0:8080,', /"": empty item/],
    ['localhost:8080', /names are not resolved/],
    ['0.0.0.0:65536', /PORT must be 1-65535/],
    ['::1:80', /needs brackets/],
  ])) {
    const b = bundle(tempDir('tswasi-bundle-'), { args: ['/http_serve.wasm'], files: [[server, 'http_serve.wasm']], annotations: { 'module.wasm.image/variant': 'compat', [ANNOTATION]: value } });
    const log = path.join(b, 'log.json');
    const r = await runOci(root, ['--log', log, '--log-format', 'json', 'create', '--bundle', b, 'bad-listen']);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(`^tswasi-oci: invalid annotation io\\.tswasi\\.tcplisten: .*${re.source}`));
    assert.match(lastLogEntry(log).msg, re);
    assert.equal(lastLogEntry(log).level, 'error');
  }
  // Nothing was created: the id is free.
  assert.notEqual((await runOci(root, ['state', 'bad-listen'])).code, 0);
});

test('podman exec runs another guest without the listeners: only the container\'s own process has them', { skip, timeout: 120_000 }, async () => {
  const port = await freePort();
  const r = await world.podman(['run', '-d', '-p', `127.0.0.1:${port}:8080`, '--annotation', `${ANNOTATION}=0.0.0.0:8080`, 'http-wasm', '0']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  try {
    assert.equal(await httpGet(port, '/before'), '200 hello from wasm: GET /before HTTP/1.1\n');
    // fd 3 of an exec'd guest is its first directory, not a listener: accept says so.
    const e = await world.podman(['exec', id, '/http_serve.wasm', '1']);
    assert.equal(e.code, 1, e.stderr);
    assert.equal(e.stderr, 'http_serve: accept: Not a socket\n');
    // The container's own server goes on.
    assert.equal(await httpGet(port, '/after'), '200 hello from wasm: GET /after HTTP/1.1\n');
  } finally {
    await world.podman(['rm', '-f', '-t', '0', id]);
  }
});
