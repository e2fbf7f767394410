#!/usr/bin/env node
// A small HTTP service that runs a Wasm module per request through the
// tswasi worker pool, CGI-style: the request body is the guest's stdin,
// method/path/headers are its environment, its stdout is the response body.
// A guest that spins or traps costs one request, never the service.
//
//   node examples/http-service.mjs [MODULE.wasm] [--port 8080] [--threads 2]
//   curl -d 'hello wasm world' http://127.0.0.1:8080/count
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { createPool } from '../dist/src/index.js';

const argv = process.argv.slice(2);
const flag = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv.splice(i, 2)[1] : def; };
const port = Number(flag('--port', process.env.PORT ?? 8080));
const threads = Number(flag('--threads', 2));
const module = argv[0] ?? fileURLToPath(new URL('./cgi.wasm', import.meta.url));
const MAX_BODY = 1 << 20;

const pool = createPool({ maxThreads: threads, minThreads: threads, maxQueue: 1000 });

/** CGI/1.1 meta-variables (RFC 3875) for one request. */
function cgiEnv(req, url, length) {
  const env = {
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: url.pathname,
    QUERY_STRING: url.search.slice(1),
    CONTENT_LENGTH: String(length),
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
  };
  if (req.headers['content-type']) env.CONTENT_TYPE = req.headers['content-type'];
  for (const [k, v] of Object.entries(req.headers)) {
    env['HTTP_' + k.toUpperCase().replace(/-/g, '_')] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return env;
}

const server = http.createServer(async (req, res) => {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > MAX_BODY) { res.writeHead(413).end('request body too large\n'); return; }
    chunks.push(c);
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    const r = await pool.run(module, { args: ['cgi'], env: cgiEnv(req, url, size), stdin: Buffer.concat(chunks), timeoutMs: 2000, memoryLimit: 64 << 20 });
    if (r.error) {
      res.writeHead(r.error.kind === 'timeout' ? 504 : 500, { 'content-type': 'text/plain' }).end(`${r.error.message}\n`);
    } else {
      res.writeHead(r.exitCode === 0 ? 200 : 500, { 'content-type': 'text/plain' }).end(r.stdout);
    }
  } catch (e) {
    res.writeHead(503, { 'content-type': 'text/plain' }).end(`${e.message}\n`);
  }
});

server.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`tswasi http service on http://127.0.0.1:${addr.port}/ running ${module} (${threads} threads)`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => pool.destroy().then(() => process.exit(0))));
