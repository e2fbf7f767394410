// @ts-check
// The shim's gRPC client (oci/shim/grpc.ts) against a real HTTP/2 server on
// a unix socket that answers as containerd does, and as a broken or hostile
// one might: messages split across frames, an error status, an answer too
// large, none at all, a compressed message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http2 from 'node:http2';
import path from 'node:path';
import { GrpcClient, GrpcCode, GrpcError } from '../../dist/oci/shim/grpc.js';
import { tempDir } from '../helpers/wasm.mjs';

const dir = tempDir('tswasi-grpc-');
const sock = path.join(dir, 'api.sock');
/** @type {http2.Http2Server} */
let server;
/** @type {{ path: string, namespace: string | undefined, body: Buffer }[]} */
const seen = [];

/** @param {Uint8Array} m */
const frame = (m, flag = 0) => { const b = Buffer.alloc(5 + m.length); b[0] = flag; b.writeUInt32BE(m.length, 1); b.set(m, 5); return b; };

before(async () => {
  server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks = /** @type {Buffer[]} */ ([]);
    stream.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
    stream.on('end', () => {
      const p = String(headers[':path']);
      seen.push({ path: p, namespace: /** @type {string | undefined} */ (headers['containerd-namespace']), body: Buffer.concat(chunks) });
      if (p === '/t/Echo') {
        // The request's message back three times, the frames cut anywhere.
        const all = Buffer.concat([frame(Buffer.concat(chunks).subarray(5)), frame(Buffer.from('two')), frame(Buffer.alloc(0))]);
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        for (let i = 0; i < all.length; i += 3) stream.write(all.subarray(i, i + 3));
        stream.end();
      } else if (p === '/t/NotFound') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '5', 'grpc-message': 'container%20%22x%22%20in%20namespace%20%22k8s.io%22:%20not%20found' }, { endStream: true });
      } else if (p === '/t/Big') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
        stream.end(frame(Buffer.alloc(70_000)));
      } else if (p === '/t/Compressed') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(frame(Buffer.from('x'), 1));
      } else if (p === '/t/Cut') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(frame(Buffer.from('whole')).subarray(0, 7));
      } else if (p === '/t/NoStatus') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
        stream.end(frame(Buffer.from('x')));
      }
      // /t/Silent: no answer at all.
    });
  });
  await new Promise((resolve) => server.listen(sock, () => resolve(undefined)));
});

after(() => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const LIMITS = { timeoutMs: 2000, maxBytes: 65_536 };

test('a call: the path, the namespace header, the request framed; every message of the answer, however it is cut', async () => {
  const c = new GrpcClient(sock, 'k8s.io');
  const out = await c.call('/t/Echo', new Uint8Array([1, 2, 3]), LIMITS);
  assert.deepEqual(out.map((m) => Buffer.from(m).toString('latin1')), ['\x01\x02\x03', 'two', '']);
  const last = seen.at(-1);
  assert.equal(last?.path, '/t/Echo');
  assert.equal(last?.namespace, 'k8s.io');
  assert.deepEqual([...(last?.body ?? [])], [0, 0, 0, 0, 3, 1, 2, 3]);
  c.close();
});

test('an error status: its code and its message, decoded', async () => {
  const c = new GrpcClient(sock, 'k8s.io');
  await assert.rejects(c.call('/t/NotFound', new Uint8Array(0), LIMITS), (e) => e instanceof GrpcError && e.code === GrpcCode.NOT_FOUND && e.message === 'container "x" in namespace "k8s.io": not found');
  c.close();
});

test('a broken or hostile answer fails the call with one line; the client goes on', async () => {
  const c = new GrpcClient(sock, 'k8s.io');
  await assert.rejects(c.call('/t/Big', new Uint8Array(0), LIMITS), (e) => e instanceof GrpcError && e.code === GrpcCode.RESOURCE_EXHAUSTED && /larger than 65536 bytes/.test(e.message));
  await assert.rejects(c.call('/t/Compressed', new Uint8Array(0), LIMITS), /compressed message/);
  await assert.rejects(c.call('/t/Cut', new Uint8Array(0), LIMITS), /a message cut short/);
  await assert.rejects(c.call('/t/NoStatus', new Uint8Array(0), LIMITS), /without a status/);
  const t = performance.now();
  await assert.rejects(c.call('/t/Silent', new Uint8Array(0), { timeoutMs: 300, maxBytes: 100 }), (e) => e instanceof GrpcError && e.code === GrpcCode.DEADLINE_EXCEEDED);
  assert.ok(performance.now() - t < 2000, 'the deadline holds');
  assert.equal((await c.call('/t/Echo', new Uint8Array([9]), LIMITS)).length, 3);
  c.close();
});

test('no server: UNAVAILABLE, not a crash', async () => {
  const c = new GrpcClient(path.join(dir, 'nobody.sock'), 'default');
  await assert.rejects(c.call('/t/Echo', new Uint8Array(0), LIMITS), (e) => e instanceof GrpcError && e.code === GrpcCode.UNAVAILABLE);
  c.close();
});
