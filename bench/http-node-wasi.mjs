#!/usr/bin/env node
// The comparison service for bench/pool.mjs: examples/http-service.mjs's
// CGI protocol, but with node:wasi on the main thread (compile once,
// instantiate per request) — what services do today.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WASI } from 'node:wasi';
import { fileURLToPath } from 'node:url';

const port = Number(process.argv[2] ?? 8081);
const module = new WebAssembly.Module(fs.readFileSync(fileURLToPath(new URL('../examples/cgi.wasm', import.meta.url))));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'node-wasi-cgi-'));

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  // node:wasi takes fds only: stdin and stdout go through files.
  const id = `${process.pid}-${Math.random()}`;
  const inPath = path.join(tmp, `in-${id}`);
  const outPath = path.join(tmp, `out-${id}`);
  fs.writeFileSync(inPath, Buffer.concat(chunks));
  const stdin = fs.openSync(inPath, 'r');
  const stdout = fs.openSync(outPath, 'w+');
  try {
    const env = { REQUEST_METHOD: req.method, PATH_INFO: new URL(req.url, 'http://x').pathname };
    for (const [k, v] of Object.entries(req.headers)) env['HTTP_' + k.toUpperCase().replace(/-/g, '_')] = String(v);
    const wasi = new WASI({ version: 'preview1', args: ['cgi'], env, stdin, stdout, stderr: 2, returnOnExit: true });
    const instance = new WebAssembly.Instance(module, wasi.getImportObject());
    const code = wasi.start(instance);
    res.writeHead(code === 0 ? 200 : 500).end(fs.readFileSync(outPath));
  } finally {
    fs.closeSync(stdin);
    fs.closeSync(stdout);
    fs.rmSync(inPath, { force: true });
    fs.rmSync(outPath, { force: true });
  }
});
server.listen(port, '127.0.0.1', () => console.log(`node:wasi http service on http://127.0.0.1:${port}/`));
process.on('SIGTERM', () => { fs.rmSync(tmp, { recursive: true, force: true }); process.exit(0); });
