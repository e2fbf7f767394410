// @ts-check
// The explorer's recording stepper in real headless Chromium: a C program
// run by `tswasi run --record` (several gzip members), opened in the page by
// the file input and by drag-and-drop, stepped forward and back; at each
// step the page shows the call (decoded by the replay), the memory the call
// wrote, the fd table and the files the guest had seen. Damaged recordings,
// other format versions and cut ones get one clear line.
// TSWASI_SCREENSHOTS=DIR saves docs/tracing.md's screenshot of the panel there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { compileC, runCli, tempDir } from '../helpers/wasm.mjs';
import { EXPLORER, chromiumProblem, explorerReady, launch } from './chromium.mjs';

const WAIT_MS = 30_000;
const IN_TXT = 'Bytes to copy, from in.txt to out.txt.\n';
const SHOTS = process.env.TSWASI_SCREENSHOTS ? path.resolve(process.env.TSWASI_SCREENSHOTS) : null;

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {{ name: string, args: Array<number | bigint>, inputs: Uint8Array[], ret: number }} Call */

/** @type {Awaited<ReturnType<typeof launch>> | undefined} */
let chromium;
/** @type {{ file: string, calls: Call[] } | undefined} */
let recorded;

before(async () => {
  if (!explorerReady()) return;
  const wasm = compileC('record_steps');
  if (!wasm) return;
  // The recording lives outside the guest's directory (the guest lists that directory).
  const base = tempDir();
  const sandbox = path.join(base, 'sandbox');
  fs.mkdirSync(sandbox);
  fs.writeFileSync(path.join(sandbox, 'in.txt'), IN_TXT);
  const file = path.join(base, 'steps.rec');
  const r = await runCli(['run', '--record', file, '--dir', `${sandbox}::/`, wasm]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'read 39 bytes, 4 entries listed\n');
  // What tswasi replay's reader sees: the page must show the same calls.
  const { parseRecording } = await import('../../dist/src/record/reader.js');
  recorded = { file, calls: parseRecording(fs.readFileSync(file)).calls };
  chromium = await launch();
});

after(async () => {
  await chromium?.close();
});

/** @param {import('node:test').TestContext} t */
function ready(t) {
  if (chromium && recorded) return { chromium, recorded };
  t.skip(chromiumProblem() ?? 'no C toolchain for wasm32-wasi');
  return null;
}

/** @param {NonNullable<typeof chromium>} c */
async function openPage(c) {
  const page = await c.context.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // As plain files: the worker is inlined, nothing is fetched.
  await page.goto(pathToFileURL(EXPLORER).href);
  return { page, errors };
}

/**
 * Wait until the page has opened recording `name`, or said why it cannot.
 * @param {Page} page @param {string} name
 */
const waitOpened = (page, name) => page.waitForFunction((n) => {
  const s = /** @type {HTMLElement} */ (document.querySelector('#status'));
  return s.textContent?.startsWith(`Recording ${n} `) || (s.textContent?.startsWith(`Opened recording ${n}:`) && s.dataset.recording === 'ready');
}, name, { timeout: WAIT_MS });

/** @param {Page} page @param {string} selector */
async function textOf(page, selector) {
  const text = await page.textContent(selector);
  assert.ok(text !== null, `${selector}: no such element, or no text`);
  return text;
}

/** What the page shows at its step: the step number, the call's rows, the memory headings, the fd table and the files. */
const shown = (/** @type {Page} */ page) => page.evaluate(() => {
  const q = (/** @type {string} */ s) => /** @type {HTMLElement} */ (document.querySelector(s));
  return {
    step: Number(q('#recording-panel').dataset.step),
    name: q('#step-call').dataset.name,
    decoded: q('#step-call').dataset.decoded,
    call: Object.fromEntries([...document.querySelectorAll('#step-call dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent])),
    memory: [...document.querySelectorAll('#step-memory h3')].map((h) => h.textContent),
    hex: [...document.querySelectorAll('#step-memory .hex')].map((h) => h.textContent),
    fds: Object.fromEntries([...document.querySelectorAll('#step-fds tbody tr')].map((tr) => [/** @type {HTMLTableRowElement} */ (tr).cells[0].textContent,
      [...(/** @type {HTMLTableRowElement} */ (tr).cells)].slice(1).map((c) => c.textContent)])),
    files: Object.fromEntries([...document.querySelectorAll('#step-files li')].map((li) => [/** @type {HTMLElement} */ (li).dataset.path, li.textContent])),
  };
});

const utf8 = new TextDecoder();

/**
 * The index (0-based) of the `nth` recorded call named `name` (with `path` as its first input).
 * @param {Call[]} calls @param {string} name @param {string} [path] @param {number} [nth]
 */
function indexOf(calls, name, path, nth = 0) {
  const all = calls.flatMap((c, i) => (c.name === name && (path === undefined || utf8.decode(c.inputs[0]) === path) ? [i] : []));
  assert.ok(all[nth] !== undefined, `no ${name} ${path ?? ''} #${nth} in the recording`);
  return all[nth];
}

/** @param {Page} page @param {number} i 0-based */
async function goTo(page, i) {
  await page.fill('#step-index', String(i + 1));
  await page.dispatchEvent('#step-index', 'change');
  assert.equal((await shown(page)).step, i + 1);
}

test('a recording opens in the page and steps forward and back: call, memory written, fd table, files seen', async (t) => {
  const env = ready(t);
  if (!env) return;
  const { calls } = env.recorded;
  const { page, errors } = await openPage(env.chromium);
  await page.setInputFiles('#recording-file', env.recorded.file);
  await waitOpened(page, 'steps.rec');
  assert.equal(await textOf(page, '#status'), `Opened recording steps.rec: ${calls.length} calls; the run exited with code 0.`);
  assert.equal(await textOf(page, '#step-of'), `of ${calls.length}`);
  // The replay's output in the terminal; every call in the calls table, named as recorded.
  assert.equal(await textOf(page, '#terminal'), 'read 39 bytes, 4 entries listed\n');
  assert.deepEqual(await page.$$eval('#calls tbody tr', (trs) => trs.map((tr) => /** @type {HTMLElement} */ (tr).dataset.name)), calls.map((c) => c.name));

  // Step 1: wasi-libc asks for the first preopen; the prestat written is 8 bytes.
  let s = await shown(page);
  assert.equal(s.step, 1);
  assert.equal(s.name, 'fd_prestat_get');
  assert.equal(s.decoded, 'true');
  assert.equal(s.call['→ buf'], '{dir, name_len=1}');
  assert.deepEqual(s.memory, [s.memory[0]]);
  assert.match(s.memory[0], /^buf: 8 bytes written at 0x[0-9a-f]+$/);
  assert.match(s.fds['3'].join(' '), /^preopen 3 preopen 0 0$/);
  assert.equal(await page.isDisabled('#step-back'), true);

  // Forward: its name, "/", written into guest memory; the fd table names the preopen.
  await page.click('#step-forward');
  s = await shown(page);
  assert.equal(s.name, 'fd_prestat_dir_name');
  assert.equal(s.call['→ path'], '"/"');
  assert.match(s.memory[0], /^path: 1 bytes written at/);
  assert.match(s.hex[0], /^[0-9a-f]{8} {2}2f {24}\/$/);
  assert.deepEqual(s.fds['3'], ['/', 'preopen', '0', '0']);
  assert.deepEqual(Object.keys(s.fds), ['0', '1', '2', '3']);

  // in.txt: opened (fd 4), 39 bytes read into the guest's buffer, closed.
  const openIn = indexOf(calls, 'path_open', 'in.txt');
  await goTo(page, openIn);
  s = await shown(page);
  assert.equal(s.call.path, '"in.txt"');
  assert.deepEqual(s.fds['4'], ['/in.txt', 'file', '0', '0']);
  assert.equal(s.files['/in.txt'], '/in.txt  path_open');
  await page.click('#step-forward');
  s = await shown(page);
  assert.equal(s.name, 'fd_read');
  assert.equal(s.call['→ nread'], '39');
  assert.deepEqual(s.memory.map((m) => m.replace(/ at 0x[0-9a-f]+$/, '')), ['iovs: 39 bytes written', 'nread: 4 bytes written']);
  assert.equal(s.hex[0].split('\n').map((l) => l.slice(36)).join(''), IN_TXT.replace('\n', '.'));
  assert.equal(s.files['/in.txt'], '/in.txt  path_open; read 39 bytes');
  if (SHOTS) {
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.locator('#recording-panel').screenshot({ path: path.join(SHOTS, 'explorer-recording.png') });
  }
  await page.click('#step-forward');
  s = await shown(page);
  assert.equal(s.name, 'fd_close');
  assert.equal(s.fds['4'], undefined);

  // out.txt: created, written, closed; and back again: the write undone, fd 4 open again.
  const openOut = indexOf(calls, 'path_open', 'out.txt');
  await goTo(page, openOut + 1);
  s = await shown(page);
  assert.equal(s.name, 'fd_write');
  assert.equal(s.memory.length, 1, 'fd_write writes only nwritten');
  assert.equal(s.files['/out.txt'], '/out.txt  path_open; wrote 39 bytes');
  assert.deepEqual(s.fds['4'], ['/out.txt', 'file', '0', '39']);
  await page.click('#step-back');
  s = await shown(page);
  assert.equal(s.name, 'path_open');
  assert.equal(s.call.oflags, 'CREAT|TRUNC');
  assert.equal(s.files['/out.txt'], '/out.txt  path_open');
  assert.deepEqual(s.fds['4'], ['/out.txt', 'file', '0', '0']);

  // The directory listing: what fd_readdir returned is in the files seen.
  await goTo(page, indexOf(calls, 'fd_readdir'));
  s = await shown(page);
  assert.equal(s.files['/in.txt'], '/in.txt  path_open; listed by fd_readdir; read 39 bytes');
  assert.equal(s.files['/out.txt'], '/out.txt  path_open; listed by fd_readdir; wrote 39 bytes');
  assert.deepEqual(s.fds['4'], ['/', 'directory', '0', '0']);

  // A failed open is seen too, with its errno.
  await goTo(page, indexOf(calls, 'path_open', 'missing.txt'));
  s = await shown(page);
  assert.equal(s.call.errno, 'NOENT: No such file or directory.');
  // A failed call keeps its fixed-size results (docs/record-replay.md): opened_fd, as it was.
  assert.deepEqual(s.memory.map((m) => m.replace(/ at 0x[0-9a-f]+$/, '')), ['opened_fd: 4 bytes written']);
  assert.equal(s.files['/missing.txt'], '/missing.txt  path_open: NOENT');

  // fd_renumber: out.txt's fd now holds in.txt.
  await goTo(page, indexOf(calls, 'fd_renumber'));
  s = await shown(page);
  const [from, to] = [String(calls[indexOf(calls, 'fd_renumber')].args[0]), String(calls[indexOf(calls, 'fd_renumber')].args[1])];
  assert.equal(s.fds[from], undefined);
  assert.equal(s.fds[to][0], '/in.txt');

  // The slider goes anywhere; Last is the last call, with every file closed and big.bin written.
  await page.fill('#step-slider', '1');
  assert.equal((await shown(page)).step, 1);
  await page.click('#step-last');
  s = await shown(page);
  assert.equal(s.step, calls.length);
  assert.equal(s.name, calls[calls.length - 1].name);
  assert.equal(await page.isDisabled('#step-forward'), true);
  assert.deepEqual(Object.keys(s.fds), ['0', '1', '2', '3']);
  assert.equal(s.files['/big.bin'], '/big.bin  path_open; wrote 70000 bytes');
  assert.equal(s.files['/made'], '/made  path_create_directory');
  assert.match(s.fds['1'].join(' '), /^stdout stdio 0 32$/);

  // A row of the calls table moves the stepper there; First goes back to the start.
  await page.click(`#calls tbody tr[data-index="${openOut}"]`);
  assert.equal((await shown(page)).step, openOut + 1);
  assert.equal(await page.getAttribute('#detail', 'data-name'), 'path_open');
  await page.click('#step-first');
  assert.equal((await shown(page)).step, 1);
  // A call that writes nothing says so.
  await goTo(page, indexOf(calls, 'fd_close'));
  assert.equal(await textOf(page, '#step-memory'), 'nothing');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a recording dropped on the page opens; bad, foreign-version and cut recordings get one clear line', async (t) => {
  const env = ready(t);
  if (!env) return;
  const { page, errors } = await openPage(env.chromium);
  /** Drop a file with these bytes on `selector`, as a drag from the desktop does. @param {string} selector @param {string} name @param {Uint8Array} bytes */
  const drop = (selector, name, bytes) => page.evaluate(([sel, n, b]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(/** @type {number[]} */ (b))], /** @type {string} */ (n)));
    /** @type {HTMLElement} */ (document.querySelector(/** @type {string} */ (sel))).dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, /** @type {const} */ ([selector, name, [...bytes]]));
  const file = fs.readFileSync(env.recorded.file);

  // The module drop zone tells a recording from a module.
  await drop('#drop', 'dropped.rec', file);
  await waitOpened(page, 'dropped.rec');
  assert.equal(await textOf(page, '#status'), `Opened recording dropped.rec: ${env.recorded.calls.length} calls; the run exited with code 0.`);

  const raw = zlib.gunzipSync(file);
  const v6 = Buffer.from(raw);
  v6[7] = 6;
  const cases = [
    ['notes.rec', Buffer.from('hello, not a recording'), 'Recording notes.rec is not a tswasi recording (not gzip data).'],
    ['other.rec', zlib.gzipSync(Buffer.from('PK\x03\x04 a zip file, gzipped')), 'Recording other.rec is not a tswasi recording (no TSWREC magic).'],
    ['v6.rec', zlib.gzipSync(v6), 'Recording v6.rec has format version 6; this tswasi reads versions 2, 3, 4 and 5.'],
  ];
  for (const [name, bytes, line] of /** @type {Array<[string, Buffer, string]>} */ (cases)) {
    await drop('#recording-panel', name, bytes);
    await waitOpened(page, name);
    assert.equal(await page.getAttribute('#status', 'data-kind'), 'error', name);
    assert.equal(await textOf(page, '#status'), line);
  }

  // Cut in the middle of its last gzip member (Node's gzip header: no name, no time): the calls before the cut step as usual, and the page says it stops early.
  const last = file.lastIndexOf(Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0]));
  assert.ok(last > 0, 'the recording has several gzip members');
  const cut = file.subarray(0, last + Math.floor((file.length - last) / 2));
  const { parseRecording } = await import('../../dist/src/record/reader.js');
  const prefix = parseRecording(cut).calls.length;
  assert.ok(prefix > 0 && prefix < env.recorded.calls.length);
  await drop('#recording-panel', 'cut.rec', cut);
  await waitOpened(page, 'cut.rec');
  const status = await textOf(page, '#status');
  const shownCalls = Number(/^Opened recording cut\.rec: (\d+) calls; the recording stops early \(it [^)]+\)\. Replay stopped: the recording stops after call #\1: /.exec(status)?.[1]);
  // The browser's inflate may hold back the last few bytes of a cut member that zlib's sync flush gives.
  assert.ok(shownCalls > 0 && shownCalls <= prefix && shownCalls >= prefix - 2, `${status} (node reads ${prefix})`);
  assert.match(await textOf(page, '#step-of'), new RegExp(`^of ${shownCalls} \\(the recording stops early\\)$`));
  await page.click('#step-last');
  assert.equal((await shown(page)).step, shownCalls);
  assert.deepEqual(errors, []);
  await page.close();
});

test('tswasi view FILE.rec serves a recording that opens in the page; a bad one is one line and exit 1', async (t) => {
  const env = ready(t);
  if (!env) return;
  const { startViewServer } = await import('../../dist/src/view-server.js');
  const s = await startViewServer({ file: { name: env.recorded.file, bytes: fs.readFileSync(env.recorded.file), kind: 'recording' } });
  try {
    assert.match(s.url, /\?recording=steps\.rec$/);
    const page = await env.chromium.context.newPage();
    await page.goto(s.url);
    await waitOpened(page, 'steps.rec');
    assert.equal(await textOf(page, '#step-of'), `of ${env.recorded.calls.length}`);
    await page.close();
  } finally {
    await s.close();
  }
  const bad = path.join(tempDir(), 'bad.rec');
  fs.writeFileSync(bad, zlib.gzipSync(Buffer.from('not a recording')));
  const r = await runCli(['view', '--port', '0', bad]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `error: recording ${bad} is not a tswasi recording (no TSWREC magic)\n`);
});
