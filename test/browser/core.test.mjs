// @ts-check
// tswasi/browser in real headless Chromium: the C test programs of test/c
// that need no host filesystem run on memfs volumes with stdio sinks, in a
// browser worker, and must pass there as they do in Node (same cases, same
// checks; see c-cases.mjs). The last test reports both counts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Volume } from 'memfs';
import { ROOT, compileC, runWasi, toolchainProblem } from '../helpers/wasm.mjs';
import { makeOutside, populate } from '../helpers/fixtures.mjs';
import { snapshotTree } from '../helpers/snapshot.mjs';
import { launch, needChromium } from './chromium.mjs';
import { CASES, verdict } from './c-cases.mjs';

const BUNDLE = path.join(ROOT, 'dist/browser/tswasi.js');
const CASE_TIMEOUT_MS = 60_000;

/**
 * The operations that build a case's volume, recorded on a real memfs Volume, to replay in the browser.
 * @param {import('./c-cases.mjs').Case} c
 */
function recordOps(c) {
  const vol = new Volume();
  /** @type {Array<[string | symbol, unknown[]]>} */
  const ops = [];
  const enc = (/** @type {unknown} */ a) => (a instanceof Date ? a.getTime() / 1000 : a instanceof Uint8Array ? new TextDecoder().decode(a) : a);
  const rec = new Proxy(vol, {
    get(target, prop) {
      const v = /** @type {Record<string | symbol, unknown>} */ (/** @type {unknown} */ (target))[prop];
      if (typeof v !== 'function') return v;
      return (/** @type {unknown[]} */ ...args) => {
        if (/^(mkdir|writeFile|symlink|utimes)Sync$/.test(String(prop))) ops.push([prop, args.map(enc)]);
        return v.apply(target, args);
      };
    },
  });
  // The Volume as the fixtures see it (node:fs's shape, which memfs follows).
  const recFs = /** @type {import('../helpers/wasm.mjs').SetupArgs['fs']} */ (/** @type {unknown} */ (rec));
  populate(recFs, '/', c.files ?? {});
  if (c.withOutside) {
    makeOutside(recFs, '/outside');
    rec.mkdirSync('/etc', { recursive: true });
    rec.writeFileSync('/etc/passwd', 'root:x:0:0:MEM PASSWD:/root:/bin/sh\n');
  }
  c.setup?.({ fs: recFs, sandbox: '/', absOutside: '/outside' });
  return ops;
}

/** @typedef {import('./c-cases.mjs').Case} Case */
const label = (/** @type {Case} */ c) => c.label ?? c.name;
const argsOf = (/** @type {Case} */ c) => (typeof c.args === 'function' ? c.args() : c.args ?? []);
const outsideOf = (/** @type {import('../helpers/snapshot.mjs').TreeFs} */ vol) => ['/outside', '/etc'].map((d) => (vol.existsSync(d) ? JSON.stringify(snapshotTree(vol, d)) : '')).join('');

/** @type {import('node:http').Server | undefined} */
let server;
/** @type {Awaited<ReturnType<typeof launch>> | undefined} */
let chromium;
/** @type {import('playwright-core').Page | undefined} */
let page;
const results = { browser: new Map(), node: new Map() };

/** @param {import('node:test').TestContext} t */
async function ready(t) {
  if (!needChromium(t)) return false;
  const problem = toolchainProblem();
  if (problem) {
    if (process.env.CI === 'true') throw new Error(problem);
    t.skip(problem);
    return false;
  }
  if (page) return true;
  assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} is missing: run npm run build`);
  /** @type {Record<string, [string, string | Buffer]>} */
  const routes = {
    '/': ['text/html', '<!doctype html><title>tswasi core</title>'],
    '/tswasi.js': ['text/javascript', fs.readFileSync(BUNDLE)],
    '/runner.js': ['text/javascript', fs.readFileSync(path.join(ROOT, 'test/browser/runner.js'))],
  };
  const srv = http.createServer((req, res) => {
    const r = routes[req.url ?? ''];
    if (!r) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': r[0], 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    res.end(r[1]);
  });
  server = srv;
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(undefined)));
  chromium = await launch();
  page = await chromium.context.newPage();
  await page.goto(`http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (srv.address()).port}/`);
  return true;
}

after(async () => {
  await chromium?.close();
  server?.close();
});

/**
 * @param {string} wasm
 * @param {Case} c
 * @param {string[]} argv
 * @returns {Promise<import('./c-cases.mjs').CaseResult>}
 */
async function runInBrowser(wasm, c, argv) {
  assert.ok(page, 'the page is open (ready())');
  const data = { wasm: fs.readFileSync(wasm).toString('base64'), argv, env: c.env ?? {}, stdin: c.stdin ?? '', ops: recordOps(c) };
  // What the worker posts back (test/browser/runner.js) is a CaseResult, or { error } (verdict() reads that first).
  return /** @type {Promise<import('./c-cases.mjs').CaseResult>} */ (/** @type {Promise<unknown>} */ (page.evaluate(([d, ms]) => new Promise((resolve) => {
    const w = new Worker('/runner.js', { type: 'module' });
    const timer = setTimeout(() => { w.terminate(); resolve({ error: `no result within ${ms} ms` }); }, ms);
    w.onmessage = (ev) => { clearTimeout(timer); w.terminate(); resolve(ev.data); };
    w.onerror = (ev) => { clearTimeout(timer); w.terminate(); resolve({ error: `worker error: ${ev.message}` }); };
    w.postMessage({ ...d, wasm: Uint8Array.from(atob(d.wasm), (ch) => ch.charCodeAt(0)) });
  }), /** @type {const} */ ([data, CASE_TIMEOUT_MS]))));
}

/**
 * @param {string} wasm
 * @param {Case} c
 * @param {string[]} args
 * @returns {Promise<import('./c-cases.mjs').CaseResult>}
 */
async function runInNode(wasm, c, args) {
  let outsideBefore = '';
  const r = await runWasi(wasm, {
    backend: 'mem', memLayout: 'root', args, env: c.env ?? {}, files: c.files ?? {}, stdin: c.stdin ?? '', withOutside: c.withOutside ?? false,
    setup(ctx) {
      c.setup?.(ctx);
      outsideBefore = outsideOf(ctx.fs);
    },
  });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, error: r.error && String(r.error), outsideBefore, outsideAfter: outsideOf(r.fs) };
}

for (const c of CASES) {
  test(`Chromium and Node: ${label(c)}`, { timeout: 2 * CASE_TIMEOUT_MS }, async (t) => {
    if (!(await ready(t))) return;
    const wasm = compileC(c.name);
    assert.ok(wasm, `${c.name} was not built`);
    const args = argsOf(c);
    const node = await runInNode(wasm, c, args);
    const browser = await runInBrowser(wasm, c, [c.name, ...args]);
    const nv = verdict(c, node);
    const bv = verdict(c, browser);
    results.node.set(label(c), nv);
    results.browser.set(label(c), bv);
    const show = (/** @type {import('./c-cases.mjs').CaseResult} */ r) => `exit ${r.code}${r.error ? `, threw ${r.error}` : ''}\n--- stdout ---\n${r.stdout.slice(-2000)}\n--- stderr ---\n${r.stderr.slice(-2000)}`;
    assert.equal(nv, null, `in Node: ${nv}\n${show(node)}`);
    assert.equal(bv, null, `in Chromium: ${bv}\n${show(browser)}`);
  });
}

test('Chromium vs Node: counts', (t) => {
  if (results.browser.size === 0) return t.skip('nothing ran');
  const pass = (/** @type {Map<string, string | null>} */ m) => [...m.values()].filter((v) => v === null).length;
  const line = `test/c programs (${new Set(CASES.map((c) => c.name)).size} programs, ${CASES.length} cases): ` +
    `Chromium ${pass(results.browser)}/${results.browser.size} pass, Node ${pass(results.node)}/${results.node.size} pass`;
  t.diagnostic(line);
  process.stdout.write(`# ${line}\n`);
  assert.equal(pass(results.browser), pass(results.node), line);
});
