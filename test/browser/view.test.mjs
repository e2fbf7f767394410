// @ts-check
// `tswasi view [FILE]`: serves the explorer on 127.0.0.1 (only its own few
// files and the given module or trace), refuses files that are neither.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, ROOT, runCli, tempDir } from '../helpers/wasm.mjs';

/**
 * Start `tswasi view ...args --port 0`; resolves { url, child } once it prints its address.
 * @param {string[]} args
 * @returns {Promise<{ url: string, child: import('node:child_process').ChildProcess }>}
 */
function startView(args) {
  const child = spawn(process.execPath, [CLI, 'view', ...args, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no address within 20 s: ${out}`)); }, 20_000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = /tswasi explorer: (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ url: m[1], child }); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}: ${out}`)); });
  });
}

/**
 * @param {import('node:child_process').ChildProcess} child
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null }>}
 */
function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.kill('SIGTERM');
  });
}

test('tswasi view FILE.wasm serves the page and the module, nothing else, on 127.0.0.1', async () => {
  const wasm = path.join(ROOT, 'examples/explorer/hello.wasm');
  const { url, child } = await startView([wasm]);
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?module=hello\.wasm$/);
    const base = new URL(url);
    const page = await fetch(new URL('/', base));
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>tswasi explorer/);
    const mod = await fetch(new URL('/module.wasm', base));
    assert.equal(mod.headers.get('content-type'), 'application/wasm');
    assert.deepEqual(Buffer.from(await mod.arrayBuffer()), fs.readFileSync(wasm));
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/dist/src/index.js', '/trace.json']) {
      assert.equal((await fetch(new URL(p, base))).status, 404, p);
    }
    assert.equal((await fetch(new URL('/', base), { method: 'POST' })).status, 405);
  } finally {
    const { code } = await stop(child);
    assert.equal(code, 0);
  }
});

test('tswasi view: a file that is neither Wasm nor a JSON trace, or is missing, gets one line and exit 1', async () => {
  const dir = tempDir();
  const bad = path.join(dir, 'notes.txt');
  fs.writeFileSync(bad, 'just text\n');
  let r = await runCli(['view', bad, '--port', '0']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `error: ${bad} is neither a WebAssembly module, a tswasi --trace=json file nor a tswasi --record recording\n`);
  r = await runCli(['view', path.join(dir, 'nope.wasm'), '--port', '0']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `error: cannot read module ${path.join(dir, 'nope.wasm')}: no such file\n`);
  r = await runCli(['view', '--port', '70000']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: invalid --port 70000: expected 0-65535\n');
});
