// @ts-check
// The explorer page in real headless Chromium, served by `tswasi view`'s
// server: what the page shows after running the shipped examples (rows,
// decoded calls — the same as `tswasi run --trace=json` prints — summary
// counts, files), bad input, the Stop button, opening a CLI trace, and
// plain-file use. TSWASI_SCREENSHOTS=DIR saves the screenshots of README and docs/tracing.md there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, compileC, compileWat, runCli, tempDir } from '../helpers/wasm.mjs';
import { connectWhenListening, freePort } from '../helpers/tcp.mjs';
import { EXPLORER, chromiumProblem, explorerReady, launch } from './chromium.mjs';

const SHOTS = process.env.TSWASI_SCREENSHOTS ? path.resolve(process.env.TSWASI_SCREENSHOTS) : null;
const WAIT_MS = 30_000;

/** @type {Awaited<ReturnType<typeof import('../../dist/src/view-server.js').startViewServer>> | undefined} */
let server;
/** @type {Awaited<ReturnType<typeof launch>> | undefined} */
let chromium;
/** @typedef {import('playwright-core').Page} Page */

before(async () => {
  if (!explorerReady()) return;
  const { startViewServer } = await import('../../dist/src/view-server.js');
  server = await startViewServer({});
  chromium = await launch();
});

after(async () => {
  await chromium?.close();
  await server?.close();
});

/** @param {import('node:test').TestContext} t */
function skipWithoutChromium(t) {
  if (chromium) return false;
  t.skip(chromiumProblem() ?? 'chromium did not start');
  return true;
}

/** @param {string} [url] */
async function openPage(url) {
  assert.ok(server && chromium, 'chromium and the view server run (before())');
  const page = await chromium.context.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url ?? server.url);
  return { page, errors };
}

/**
 * Run an example and wait for its exit (or an error line).
 * @param {Page} page
 * @param {string} name
 */
async function runExample(page, name) {
  await page.click(`button[data-example=${name}]`);
  await page.click('#run');
  await page.waitForFunction(() => {
    const s = /** @type {HTMLElement} */ (document.querySelector('#status'));
    return s.dataset.exit !== undefined || s.dataset.kind === 'error';
  }, null, { timeout: WAIT_MS });
  // The page renders on the next animation frame.
  await page.waitForFunction(() => /** @type {HTMLElement} */ (document.querySelector('#call-count')).dataset.count !== '0', null, { timeout: WAIT_MS });
}

/**
 * The text of the element `selector` names (failing when there is none).
 * @param {Page} page
 * @param {string} selector
 */
async function textOf(page, selector) {
  const text = await page.textContent(selector);
  assert.ok(text !== null, `${selector}: no such element, or no text`);
  return text;
}

/** The calls table's rows as the page shows them. @param {Page} page */
const rows = (page) => page.$$eval('#calls tbody tr', (trs) => /** @type {HTMLTableRowElement[]} */ (trs).map((tr) => ({
  name: tr.dataset.name,
  cells: [...tr.cells].map((c) => c.textContent),
  err: tr.classList.contains('err'),
})));

/**
 * Each "asked to sleep N ms, slept M ms" line of the clock example slept at least N ms.
 * @param {string} text
 */
function assertSleeps(text) {
  const sleeps = [...text.matchAll(/asked to sleep (\d+) ms, slept (\d+\.\d) ms/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.deepEqual(sleeps.map(([asked]) => asked), [10, 20, 30], text);
  for (const [asked, slept] of sleeps) assert.ok(slept >= asked - 0.1, `asked ${asked} ms, slept ${slept} ms`);
}

/**
 * Save a screenshot of the page, or of the box around `selectors`, when TSWASI_SCREENSHOTS is set.
 * @param {Page} page
 * @param {string} file
 * @param {...string} selectors
 */
async function shot(page, file, ...selectors) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  let clip;
  if (selectors.length > 0) {
    // Page coordinates (boundingBox is relative to the viewport).
    const scroll = await page.evaluate(() => [scrollX, scrollY]);
    const boxes = (await Promise.all(selectors.map((s) => page.locator(s).boundingBox()))).map((b, i) => {
      assert.ok(b, `${selectors[i]} is not visible`);
      return { ...b, x: b.x + scroll[0], y: b.y + scroll[1] };
    });
    const x = Math.min(...boxes.map((b) => b.x));
    const y = Math.min(...boxes.map((b) => b.y));
    clip = { x, y, width: Math.max(...boxes.map((b) => b.x + b.width)) - x, height: Math.max(...boxes.map((b) => b.y + b.height)) - y };
  }
  await page.screenshot({ path: path.join(SHOTS, file), ...(clip ? { clip, fullPage: true } : {}) });
}

test('copy example: rows, the decoded path_open calls, the summary, and out.txt appearing in the tree', async (t) => {
  if (skipWithoutChromium(t)) return;
  const { page, errors } = await openPage();
  await runExample(page, 'copy');
  assert.equal(await page.getAttribute('#status', 'data-exit'), '0');
  assert.match(await textOf(page, '#terminal'), /^copied 39 bytes from in\.txt to out\.txt\n$/);

  const count = Number(await page.getAttribute('#call-count', 'data-count'));
  const shown = await rows(page);
  assert.equal(shown.length, count, 'one row per call');
  const opens = shown.filter((r) => r.name === 'path_open');
  assert.equal(opens.length, 2);
  assert.match(opens[0].cells[2], /^path_open\(fd=3<\/>, dirflags=SYMLINK_FOLLOW, path="in\.txt", oflags=0,/);
  assert.match(opens[1].cells[2], /path="out\.txt", oflags=CREAT\|TRUNC,/);
  assert.equal(opens[1].cells[3], 'SUCCESS');
  assert.match(opens[1].cells[4], /^opened_fd=\d+<\/out\.txt>$/);

  // The summary counts what the table shows.
  const summary = await page.$$eval('#summary tbody tr', (trs) => Object.fromEntries(/** @type {HTMLTableRowElement[]} */ (trs).map((tr) => [tr.dataset.name, [Number(tr.cells[1].textContent), Number(tr.cells[2].textContent)]])));
  assert.deepEqual(summary.path_open, [2, 0]);
  const total = Object.values(summary).reduce((n, [c]) => n + c, 0);
  assert.equal(total, count);
  for (const [name, [calls, errs]] of Object.entries(summary)) {
    assert.equal(calls, shown.filter((r) => r.name === name).length, name);
    assert.equal(errs, shown.filter((r) => r.name === name && r.err).length, name);
  }

  // out.txt appears in the tree, marked new, with the copied size; the fd table lists the preopen.
  assert.equal(await textOf(page, '#files li[data-path="/out.txt"]'), 'out.txt (39 bytes)');
  assert.equal(await page.getAttribute('#files li[data-path="/out.txt"]', 'class'), 'new');
  assert.match(await textOf(page, '#fds tbody'), /3\/DIRECTORY/);

  // Clicking a call shows its arguments, result, errno meaning and the memory it used.
  await page.click('#calls tbody tr[data-name=path_open] >> nth=1');
  const detail = await textOf(page, '#detail');
  assert.match(detail, /errnoSUCCESS: No error occurred/);
  assert.match(detail, /path: 7 bytes read at 0x[0-9a-f]+/);
  assert.match(detail, /opened_fd: 4 bytes written/);
  // The state panel now shows the tree as it was after that call: out.txt exists, still empty.
  assert.equal(await textOf(page, '#files li[data-path="/out.txt"]'), 'out.txt (0 bytes)');
  await shot(page, 'explorer-copy.png');
  await shot(page, 'explorer-state.png', '#state-panel', '#summary-panel');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the page decodes calls exactly as tswasi run --trace=json does (one decoder)', async (t) => {
  if (skipWithoutChromium(t)) return;
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'in.txt'), 'Bytes to copy, from in.txt to out.txt.\n');
  const file = path.join(dir, 'trace.jsonl');
  const r = await runCli(['run', '--trace=json', '--trace-file', file, '--dir', `${dir}::/`, path.join(ROOT, 'examples/explorer/copy.wasm'), 'in.txt', 'out.txt']);
  assert.equal(r.code, 0, r.stderr);
  const cli = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const { page } = await openPage();
  await runExample(page, 'copy');
  const inPage = (await rows(page)).map((row) => `${row.cells[2]} = ${row.cells[3]} ${row.cells[4]}`);
  const fromCli = cli.map((c) => `${c.name}(${Object.entries(c.args).map(([k, v]) => `${k}=${v}`).join(', ')}) = ${c.errno} ${Object.entries(c.result).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  assert.deepEqual(inPage, fromCli);
  await page.close();
});

test('fail example: the errno is highlighted, with its meaning; the errors-only filter keeps it', async (t) => {
  if (skipWithoutChromium(t)) return;
  const { page } = await openPage();
  await runExample(page, 'fail');
  assert.equal(await page.getAttribute('#status', 'data-exit'), '1');
  assert.match(await textOf(page, '#terminal .stderr'), /cannot open missing\.txt: No such file or directory \(errno 44\)/);
  await page.check('#errors-only');
  await page.waitForFunction(() => [...document.querySelectorAll('#calls tbody tr')].every((tr) => tr.classList.contains('err')));
  const errs = await rows(page);
  const open = errs.find((r) => r.name === 'path_open');
  assert.ok(open, 'the failing path_open is listed');
  assert.equal(open.cells[3], 'NOENT');
  await page.click('#calls tbody tr[data-name=path_open]');
  assert.match(await textOf(page, '#detail'), /NOENT: No such file or directory\./);
  await shot(page, 'explorer-fail.png', '#terminal-panel', '#detail-panel', '#calls-panel');
  await page.close();
});

test('walk and clock examples: readdir calls; poll_oneoff sleeps on the timeline', async (t) => {
  if (skipWithoutChromium(t)) return;
  const { page } = await openPage();
  // A file added in the page joins the example's tree; a path with ".." is refused.
  await page.click('button[data-example=walk]');
  await page.fill('#new-path', 'extra/../../escape.txt');
  await page.click('#add-file');
  assert.match(await textOf(page, '#status'), /^Not a usable file path: "extra\/\.\.\/\.\.\/escape\.txt"/);
  await page.fill('#new-path', 'extra/new.txt');
  await page.fill('#new-content', 'made in the page');
  await page.click('#add-file');
  assert.equal(await textOf(page, '#setup-files li:has-text("/extra/new.txt")'), '/extra/new.txt (16 bytes)×');
  await page.click('#run');
  await page.waitForFunction(() => /** @type {HTMLElement} */ (document.querySelector('#status')).dataset.exit !== undefined, null, { timeout: WAIT_MS });
  assert.match(await textOf(page, '#terminal'), /docs\/\n {4}notes\/\n {6}todo\.txt \(14 bytes\)/);
  assert.match(await textOf(page, '#terminal'), /extra\/\n {4}new\.txt \(16 bytes\)/);
  assert.ok((await rows(page)).some((r) => r.name === 'fd_readdir'));
  await runExample(page, 'clock');
  assertSleeps(await textOf(page, '#terminal'));
  await page.selectOption('#group-filter', 'poll');
  await page.waitForFunction(() => [...document.querySelectorAll('#calls tbody tr')].every((tr) => /** @type {HTMLElement} */ (tr).dataset.name === 'poll_oneoff'));
  const polls = await rows(page);
  assert.equal(polls.length, 3);
  // Each sleep took at least what it asked for (µs column).
  assert.deepEqual(polls.map((r) => Number(r.cells[5]) >= [10000, 20000, 30000][polls.indexOf(r)]), [true, true, true]);
  await shot(page, 'explorer-timeline.png', '#timeline-panel');
  await page.close();
});

test('bad input: not Wasm, and a module needing imports nobody provides, get one clear line', async (t) => {
  if (skipWithoutChromium(t)) return;
  const { page } = await openPage();
  await page.setInputFiles('#wasm-file', { name: 'notes.wasm', mimeType: 'application/wasm', buffer: Buffer.from('hello, not wasm') });
  await page.click('#run');
  await page.waitForFunction(() => /** @type {HTMLElement} */ (document.querySelector('#status')).dataset.kind === 'error');
  assert.match(await textOf(page, '#status'), /^Not a WebAssembly module: /);
  const needsEnv = await compileWat(
    '(module (import "env" "host_thing" (func)) (memory (export "memory") 1) (func (export "_start")))', { name: 'needs-env.wat' });
  await page.setInputFiles('#wasm-file', { name: 'needs-env.wasm', mimeType: 'application/wasm', buffer: needsEnv });
  await page.waitForFunction(() => /** @type {HTMLElement} */ (document.querySelector('#status')).textContent.startsWith('needs-env.wasm loaded'));
  await page.click('#run');
  await page.waitForFunction(() => /** @type {HTMLElement} */ (document.querySelector('#status')).dataset.kind === 'error');
  assert.equal(await textOf(page, '#status'), 'This module needs imports nobody provides here: env.host_thing (function). The explorer gives only wasi_snapshot_preview1.');
  await page.close();
});

test('a guest that spins: Stop ends it, says so, and the page can run again', async (t) => {
  if (skipWithoutChromium(t)) return;
  const { page } = await openPage();
  await page.click('button[data-example=spin]');
  await page.click('#run');
  await page.waitForFunction(() => /** @type {HTMLElement} */ (document.querySelector('#terminal')).textContent.includes('press Stop'), null, { timeout: WAIT_MS });
  assert.equal(await page.isEnabled('#stop'), true);
  await page.click('#stop');
  await page.waitForFunction(() => /** @type {HTMLElement} */ (document.querySelector('#status')).dataset.stopped === 'true');
  assert.match(await textOf(page, '#status'), /^Stopped spin\.wasm after \d+ WASI calls and \d+\.\d s\.$/);
  assert.equal(await page.isEnabled('#stop'), false);
  await runExample(page, 'hello');
  assert.match(await textOf(page, '#terminal'), /^Hello, learner!\nargv\[0\] = hello\.wasm\n/);
  await page.close();
});

test('stdin typed while the guest runs: each line reaches the blocked fd_read; End input is EOF', async (t) => {
  if (skipWithoutChromium(t)) return;
  const { page } = await openPage();
  assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'tswasi view serves the page cross-origin isolated');
  await page.click('button[data-example=upper]');
  await page.fill('#stdin', 'given first\n');
  await page.click('#run');
  await page.waitForFunction(() => /** @type {HTMLElement} */ (document.querySelector('#terminal')).dataset.waiting === 'true', null, { timeout: WAIT_MS });
  assert.equal(await textOf(page, '#terminal'), 'type lines; End input finishes\nGIVEN FIRST\n');
  await page.fill('#stdin-line', 'typed later');
  await page.press('#stdin-line', 'Enter');
  await page.waitForFunction(() => /** @type {HTMLElement} */ (document.querySelector('#terminal')).textContent.endsWith('TYPED LATER\n'), null, { timeout: WAIT_MS });
  await page.click('#stdin-eof');
  await page.waitForFunction(() => /** @type {HTMLElement} */ (document.querySelector('#status')).dataset.exit !== undefined, null, { timeout: WAIT_MS });
  assert.equal(await page.getAttribute('#status', 'data-exit'), '0');
  assert.equal(await textOf(page, '#terminal'), 'type lines; End input finishes\nGIVEN FIRST\ntyped later\nTYPED LATER\n2 lines\n');
  await page.close();
});

test('tswasi view TRACE: a trace written by tswasi run --trace=json opens in the page', async (t) => {
  if (skipWithoutChromium(t)) return;
  const dir = tempDir();
  const file = path.join(dir, 'walk.jsonl');
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'sub', 'a.txt'), 'a');
  const r = await runCli(['run', '--trace=json', '--trace-file', file, '--dir', `${dir}::/`, path.join(ROOT, 'examples/explorer/walk.wasm'), '.']);
  assert.equal(r.code, 0, r.stderr);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').length;
  const { startViewServer } = await import('../../dist/src/view-server.js');
  const s = await startViewServer({ file: { name: file, bytes: fs.readFileSync(file), kind: 'trace' } });
  try {
    const { page } = await openPage(s.url);
    await page.waitForFunction(() => /** @type {HTMLElement} */ (document.querySelector('#status')).textContent.startsWith('Opened trace'), null, { timeout: WAIT_MS });
    assert.equal(await page.getAttribute('#call-count', 'data-count'), String(lines));
    assert.match(await textOf(page, '#status'), new RegExp(`^Opened trace walk\\.jsonl: ${lines} calls`));
    // Export gives Chrome trace JSON with one event per call.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert.equal(exported.traceEvents.length, lines);
    assert.equal(exported.traceEvents[0].ph, 'X');
    await page.close();
  } finally {
    await s.close();
  }
});

test('a socket server\'s trace opens in the page: the socket calls and poll events decoded, the sock and poll groups', async (t) => {
  if (skipWithoutChromium(t)) return;
  const wasm = compileC('echo_poll');
  if (!wasm) return t.skip('no toolchain');
  const file = path.join(tempDir(), 'echo.jsonl');
  const port = await freePort();
  const guest = runCli(['run', '--trace=json', '--trace-file', file, '--tcplisten', `127.0.0.1:${port}`, wasm]);
  const sock = await connectWhenListening(port);
  await new Promise((resolve, reject) => {
    sock.on('data', () => sock.end());
    sock.on('end', resolve);
    sock.on('error', reject);
    sock.write('hello');
  });
  const r = await guest;
  assert.equal(r.code, 0, r.stderr);
  const { startViewServer } = await import('../../dist/src/view-server.js');
  const s = await startViewServer({ file: { name: file, bytes: fs.readFileSync(file), kind: 'trace' } });
  try {
    const { page, errors } = await openPage(s.url);
    await page.waitForFunction(() => /** @type {HTMLElement} */ (document.querySelector('#status')).textContent.startsWith('Opened trace'), null, { timeout: WAIT_MS });
    await page.selectOption('#group-filter', 'sock');
    await page.waitForFunction(() => [...document.querySelectorAll('#calls tbody tr')].every((tr) => /** @type {HTMLElement} */ (tr).dataset.name?.startsWith('sock_')));
    const socks = await rows(page);
    assert.deepEqual(socks.map((row) => row.name), ['sock_accept', 'sock_recv', 'sock_send', 'sock_recv']);
    assert.match(socks[0].cells[2] ?? '', /^sock_accept\(fd=3<127\.0\.0\.1:\d+>, flags=0\)$/);
    assert.match(socks[0].cells[4] ?? '', /^fd=4<127\.0\.0\.1:\d+#1>$/);
    assert.match(socks[1].cells[2] ?? '', /^sock_recv\(fd=4<[^>]+>, ri_data=\[1 iov, 256 bytes\], ri_flags=0\)$/);
    assert.equal(socks[1].cells[4], 'ro_datalen=5, ro_flags=0');
    assert.equal(socks[2].cells[4], 'so_datalen=5');
    await page.selectOption('#group-filter', 'poll');
    await page.waitForFunction(() => [...document.querySelectorAll('#calls tbody tr')].every((tr) => /** @type {HTMLElement} */ (tr).dataset.name === 'poll_oneoff'));
    const polls = await rows(page);
    assert.equal(polls.length, 2);
    assert.match(polls[0].cells[2] ?? '', /^poll_oneoff\(in=\[#\d+ FD_READ\(fd=4<[^>]+>\)\], nsubscriptions=1\)$/);
    assert.match(polls[0].cells[4] ?? '', /^out=\[#\d+ FD_READ nbytes=5\], nevents=1$/);
    assert.match(polls[1].cells[4] ?? '', /^out=\[#\d+ FD_READ nbytes=0 HANGUP\], nevents=1$/);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await s.close();
  }
});

test('the page works as plain files (file://): the worker and the examples are inlined', async (t) => {
  if (skipWithoutChromium(t)) return;
  const { page, errors } = await openPage(pathToFileURL(EXPLORER).href);
  await runExample(page, 'hello');
  assert.equal(await page.getAttribute('#status', 'data-exit'), '0');
  assert.match(await textOf(page, '#terminal'), /Hello, learner!/);
  // No cross-origin isolation here: the clock example sleeps without SharedArrayBuffer.
  assert.equal(await page.evaluate(() => crossOriginIsolated), false);
  await runExample(page, 'clock');
  assertSleeps(await textOf(page, '#terminal'));
  assert.deepEqual(errors, []);
  await page.close();
});
