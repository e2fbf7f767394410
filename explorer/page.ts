/**
 * The explorer page: choose a module, set args/env/stdin/files, run it in a
 * worker, and look at its WASI calls (decoded by the CLI trace's decoder),
 * output, fd table, files, timeline and summary. Also opens `--trace=json`
 * files and exports Chrome trace JSON.
 */
import { CallSummary, type TracedCall, argsText, chromeEvent, chromeTrace, isErrorCall, resultText } from '../src/trace/record.js';
import { errnoMeaning } from '../src/trace/errno-text.js';
import { GROUPS } from '../src/trace/filters.js';
import { $, el } from './dom.js';
import { EXAMPLES, type Example } from './examples.js';
import { hexDump } from './hexdump.js';
import type { ExplorerCall, GuestState, RunRequest, TreeEntry, WorkerMessage } from './protocol.js';
import { StdinWriter, createStdinBuffer } from './stdin-channel.js';
import { drawTimeline } from './timeline.js';
import { parseTrace } from './trace-file.js';

declare const __WORKER_SOURCE__: string;
declare const __EXAMPLE_WASM__: Record<string, string>;

const MAX_ROWS = 5000;
/** The terminal keeps the last this many characters (a chatty guest must not exhaust the page). */
const MAX_TERMINAL = 200_000;
let program: { name: string; bytes: Uint8Array } | null = null;
let setupFiles: TreeEntry[] = [];
let calls: ExplorerCall[] = [];
let dropped = 0;
let summary = new CallSummary();
let latestState: GuestState | null = null;
let initialPaths = new Set<string>();
let worker: Worker | null = null;
let selected = -1;
let dirty = false;
let runStarted = 0;
/** Typed stdin for the running guest (null: not cross-origin isolated, stdin is the box's text). */
let stdinWriter: StdinWriter | null = null;

// ------------------------------------------------------------- status

function status(text: string, error = false): void {
  const s = $('status');
  delete s.dataset['exit'];
  delete s.dataset['stopped'];
  s.textContent = text;
  s.className = error ? 'status error' : 'status';
  s.dataset['kind'] = error ? 'error' : 'info';
}

// ------------------------------------------------------------- setup

function setProgram(name: string, bytes: Uint8Array): void {
  program = { name, bytes };
  $('program').textContent = `${name} (${bytes.length.toLocaleString()} bytes)`;
  ($('run') as HTMLButtonElement).disabled = false;
}

function applyExample(ex: Example): void {
  const b64 = __EXAMPLE_WASM__[ex.name];
  if (!b64) return;
  setProgram(`${ex.name}.wasm`, Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  ($('args') as HTMLInputElement).value = ex.args;
  ($('env') as HTMLTextAreaElement).value = ex.env;
  ($('stdin') as HTMLTextAreaElement).value = '';
  setupFiles = Object.entries(ex.files).map(([path, text]) => {
    const data = new TextEncoder().encode(text);
    return { path, kind: 'file' as const, size: data.length, data };
  });
  renderSetupFiles();
  status(`Example "${ex.title}" loaded: press Run.`);
}

function renderSetupFiles(): void {
  const ul = $('setup-files');
  ul.replaceChildren();
  for (const f of [...setupFiles].sort((a, b) => a.path.localeCompare(b.path))) {
    const li = el('li', `${f.path} (${f.size} bytes)`);
    const del = el('button', '×');
    del.title = `remove ${f.path}`;
    del.onclick = () => { setupFiles = setupFiles.filter((x) => x !== f); renderSetupFiles(); };
    li.append(del);
    ul.append(li);
  }
}

/** A guest path for the tree: absolute, no "." or ".." (the page refuses anything else). */
function cleanPath(p: string): string | null {
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.length === 0 || parts.includes('..')) return null;
  return '/' + parts.join('/');
}

function addFile(path: string, data: Uint8Array): boolean {
  const p = cleanPath(path);
  if (p === null) {
    status(`Not a usable file path: "${path}" (use names like /dir/file.txt, without "..").`, true);
    return false;
  }
  setupFiles = setupFiles.filter((f) => f.path !== p);
  setupFiles.push({ path: p, kind: 'file', size: data.length, data });
  return true;
}

async function loadWasmFile(file: File): Promise<void> {
  setProgram(file.name, new Uint8Array(await file.arrayBuffer()));
  status(`${file.name} loaded: press Run.`);
}

// ------------------------------------------------------------- running

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const i = line.indexOf('=');
    if (i <= 0) throw new Error(`environment line "${line}" is not NAME=value`);
    env[line.slice(0, i)] = line.slice(i + 1);
  }
  return env;
}

function splitArgs(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

function reset(): void {
  calls = [];
  dropped = 0;
  summary = new CallSummary();
  selected = -1;
  latestState = null;
  $('terminal').replaceChildren();
  $('detail').textContent = 'Click a call to see its arguments, result, errno and the guest memory it used.';
  dirty = true;
}

function runProgram(): void {
  if (!program) return;
  let env: Record<string, string>;
  try {
    env = parseEnv(($('env') as HTMLTextAreaElement).value);
  } catch (e) {
    status((e as Error).message, true);
    return;
  }
  stopWorker();
  reset();
  initialPaths = new Set(setupFiles.map((f) => f.path));
  const url = URL.createObjectURL(new Blob([__WORKER_SOURCE__], { type: 'text/javascript' }));
  const w = new Worker(url);
  URL.revokeObjectURL(url);
  worker = w;
  w.onmessage = (ev: MessageEvent<WorkerMessage>) => onWorkerMessage(ev.data);
  w.onerror = (ev) => { finish(); status(`The worker failed: ${ev.message}`, true); };
  const typed = ($('stdin') as HTMLTextAreaElement).value;
  let stdinBuffer: SharedArrayBuffer | undefined;
  stdinWriter = null;
  if (globalThis.crossOriginIsolated) {
    stdinBuffer = createStdinBuffer();
    stdinWriter = new StdinWriter(stdinBuffer);
    stdinWriter.write(new TextEncoder().encode(typed));
  }
  setTyping(stdinWriter !== null);
  const req: RunRequest = {
    type: 'run',
    ...(stdinBuffer ? { stdinBuffer } : {}),
    wasm: program.bytes.slice().buffer,
    // argv[0] is the module's file name, as `tswasi run` gives it.
    args: [program.name, ...splitArgs(($('args') as HTMLInputElement).value)],
    env,
    stdin: typed,
    files: setupFiles.map((f) => ({ ...f })),
  };
  w.postMessage(req, [req.wasm]);
  runStarted = performance.now();
  ($('stop') as HTMLButtonElement).disabled = false;
  ($('run') as HTMLButtonElement).disabled = true;
  status(`Running ${program.name}…`);
}

function stopWorker(): boolean {
  if (!worker) return false;
  worker.terminate();
  worker = null;
  return true;
}

/** The terminal's input line: usable while a guest runs with typed stdin. */
function setTyping(on: boolean): void {
  ($('stdin-line') as HTMLInputElement).disabled = !on;
  ($('stdin-send') as HTMLButtonElement).disabled = !on;
  ($('stdin-eof') as HTMLButtonElement).disabled = !on;
}

function sendLine(): void {
  const input = $('stdin-line') as HTMLInputElement;
  if (!stdinWriter) return;
  appendOutput(0, input.value + '\n');
  stdinWriter.write(new TextEncoder().encode(input.value + '\n'));
  input.value = '';
}

function finish(): void {
  stopWorker();
  stdinWriter = null;
  setTyping(false);
  ($('stop') as HTMLButtonElement).disabled = true;
  ($('run') as HTMLButtonElement).disabled = program === null;
  ($('export') as HTMLButtonElement).disabled = calls.length === 0;
  dirty = true;
}

function addCall(c: ExplorerCall): void {
  calls.push(c);
  summary.add(c);
  if (c.state) latestState = c.state;
}

function onWorkerMessage(m: WorkerMessage): void {
  switch (m.type) {
    case 'started':
      latestState = m.state;
      break;
    case 'stdin-wait':
      stdinWriter?.pump();
      if (stdinWriter && !stdinWriter.waiting) {
        ($('stdin-line') as HTMLInputElement).focus();
        $('terminal').dataset['waiting'] = 'true';
      }
      break;
    case 'batch':
      for (const item of m.items) {
        if (item.kind === 'call') addCall(item.call);
        else appendOutput(item.fd, item.text);
      }
      dropped = m.dropped;
      break;
    case 'exit':
      latestState = m.state;
      finish();
      status(`${program?.name ?? 'The program'} exited with code ${m.code} after ${calls.length + dropped} WASI calls.`, m.code !== 0);
      $('status').dataset['exit'] = String(m.code);
      break;
    case 'error':
      if (m.state) latestState = m.state;
      finish();
      status(m.message, true);
      break;
  }
  dirty = true;
}

/** fd 0: what the user typed, echoed as a terminal does. */
function appendOutput(fd: 0 | 1 | 2, text: string): void {
  const t = $('terminal');
  delete t.dataset['waiting'];
  t.append(el('span', text, fd === 2 ? 'stderr' : fd === 0 ? 'stdin' : 'stdout'));
  if (t.childElementCount > 2000 || (t.textContent?.length ?? 0) > MAX_TERMINAL) {
    const all = t.textContent ?? '';
    const keep = all.length > MAX_TERMINAL / 2 ? `[earlier output dropped]\n${all.slice(-MAX_TERMINAL / 2)}` : all;
    t.replaceChildren(el('span', keep, 'stdout'));
  }
  t.scrollTop = t.scrollHeight;
}

// ------------------------------------------------------------- views

function filterFn(): (c: TracedCall) => boolean {
  const group = GROUPS[($('group-filter') as HTMLSelectElement).value] ?? GROUPS['all']!;
  const names = ($('fn-filter') as HTMLInputElement).value.split(',').map((s) => s.trim()).filter(Boolean);
  const errorsOnly = ($('errors-only') as HTMLInputElement).checked;
  return (c) => group(c.name) && (names.length === 0 || names.some((n) => c.name.includes(n))) && (!errorsOnly || isError(c));
}

const isError = isErrorCall;

function renderCalls(): void {
  const keep = filterFn();
  const body = ($('calls') as HTMLTableElement).tBodies[0]!;
  const rows: HTMLTableRowElement[] = [];
  let shown = 0;
  let matching = 0;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    if (!keep(c)) continue;
    matching++;
    if (shown >= MAX_ROWS) continue;
    shown++;
    const tr = el('tr');
    tr.dataset['index'] = String(i);
    tr.dataset['name'] = c.name;
    if (isError(c)) tr.className = 'err';
    if (i === selected) tr.classList.add('sel');
    tr.append(el('td', String(i + 1)), el('td', c.ts.toFixed(2)), el('td', argsText(c)), el('td', c.errno), el('td', resultText(c)), el('td', c.us.toFixed(1)));
    rows.push(tr);
  }
  body.replaceChildren(...rows);
  const count = $('call-count');
  count.textContent = String(calls.length + dropped);
  count.dataset['count'] = String(calls.length + dropped);
  const notes: string[] = [];
  if (matching !== calls.length) notes.push(`${matching} of ${calls.length} calls match the filter`);
  if (matching > shown) notes.push(`showing the first ${shown}`);
  if (dropped > 0) notes.push(`${dropped} later calls were counted but not kept`);
  $('calls-note').textContent = notes.join('; ');
}

function renderDetail(): void {
  const d = $('detail');
  const c = calls[selected];
  if (!c) return;
  d.replaceChildren();
  const dl = el('dl');
  const row = (k: string, v: string, cls?: string): void => { dl.append(el('dt', k), el('dd', v, cls)); };
  row('call', `#${selected + 1} ${c.name}`);
  row('at', `${c.ts.toFixed(3)} ms, took ${c.us.toFixed(1)} µs`);
  for (const [k, v] of Object.entries(c.args)) row(k, v);
  for (const [k, v] of Object.entries(c.result)) row(`→ ${k}`, v);
  row('errno', `${c.errno}: ${errnoMeaning(c.errno)}`, isError(c) ? 'errtext' : undefined);
  d.append(dl);
  for (const r of c.memory ?? []) {
    d.append(el('h3', `${r.param}: ${r.len} bytes ${r.access} at 0x${r.ptr.toString(16)}`), el('div', hexDump(r), 'hex'));
  }
  d.dataset['name'] = c.name;
}

/** The state after call `i`: the last snapshot at or before it. */
function stateAt(i: number): GuestState | null {
  for (let j = Math.min(i, calls.length - 1); j >= 0; j--) if (calls[j]!.state) return calls[j]!.state!;
  return null;
}

function renderState(): void {
  const st = selected >= 0 ? stateAt(selected) ?? latestState : latestState;
  $('state-at').textContent = selected >= 0 ? `after call #${selected + 1}` : 'now';
  const body = ($('fds') as HTMLTableElement).tBodies[0]!;
  body.replaceChildren(...(st?.fds ?? []).map((f) => {
    const tr = el('tr');
    tr.append(el('td', String(f.fd)), el('td', f.label), el('td', f.filetype), el('td', f.rights));
    return tr;
  }));
  const ul = $('files');
  ul.replaceChildren(...(st?.files ?? []).map((f) => {
    const depth = f.path.split('/').length - 2;
    const li = el('li', `${'  '.repeat(depth)}${f.path.slice(f.path.lastIndexOf('/') + 1)}${f.kind === 'dir' ? '/' : f.kind === 'symlink' ? ' →' : ` (${f.size} bytes)`}`);
    li.style.paddingLeft = `${depth * 14}px`;
    li.dataset['path'] = f.path;
    if (!initialPaths.has(f.path) && f.kind !== 'dir') li.className = 'new';
    return li;
  }));
}

function renderSummary(): void {
  const rows = summary.rows();
  const total = rows.reduce((n, s) => n + s.us, 0) || 1;
  const body = ($('summary') as HTMLTableElement).tBodies[0]!;
  body.replaceChildren(...rows.map((s) => {
    const tr = el('tr');
    tr.dataset['name'] = s.name;
    tr.append(el('td', s.name), el('td', String(s.calls)), el('td', String(s.errors)), el('td', s.us.toFixed(0)), el('td', ((100 * s.us) / total).toFixed(1)));
    if (s.errors > 0) tr.className = 'err';
    return tr;
  }));
}

function render(): void {
  if (dirty) {
    dirty = false;
    renderCalls();
    renderSummary();
    renderState();
    drawTimeline($('timeline') as HTMLCanvasElement, calls, selected);
    if (worker) status(`Running ${program?.name ?? ''}… ${calls.length + dropped} calls, ${((performance.now() - runStarted) / 1000).toFixed(1)} s`);
  }
  requestAnimationFrame(render);
}

// ------------------------------------------------------------- traces

async function openTrace(file: File): Promise<void> {
  try {
    const list = parseTrace(await file.text());
    stopWorker();
    reset();
    initialPaths = new Set();
    for (const c of list) addCall(c);
    finish();
    status(`Opened trace ${file.name}: ${list.length} calls (no files or fd table: a trace does not record them).`);
  } catch (e) {
    status((e as Error).message, true);
  }
}

function exportTrace(): void {
  const blob = new Blob([chromeTrace(calls.map(chromeEvent))], { type: 'application/json' });
  const a = el('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${(program?.name ?? 'trace').replace(/\.wasm$/, '')}.chrome-trace.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// ------------------------------------------------------------- wiring

function init(): void {
  const ex = $('examples');
  ex.append(el('span', 'Examples:', 'note'));
  for (const e of EXAMPLES) {
    const b = el('button', e.name);
    b.type = 'button';
    b.title = e.title;
    b.dataset['example'] = e.name;
    b.onclick = () => applyExample(e);
    ex.append(b);
  }
  const sel = $('group-filter') as HTMLSelectElement;
  for (const g of Object.keys(GROUPS)) sel.append(new Option(g === 'all' ? 'all groups' : g, g));
  sel.onchange = () => { dirty = true; };
  $('fn-filter').oninput = () => { dirty = true; };
  $('errors-only').onchange = () => { dirty = true; };

  ($('wasm-file') as HTMLInputElement).onchange = (ev) => {
    const f = (ev.target as HTMLInputElement).files?.[0];
    if (f) void loadWasmFile(f);
  };
  const drop = $('drop');
  drop.ondragover = (ev) => { ev.preventDefault(); drop.classList.add('over'); };
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = (ev) => {
    ev.preventDefault();
    drop.classList.remove('over');
    const f = ev.dataTransfer?.files[0];
    if (f) void loadWasmFile(f);
  };
  $('add-file').onclick = () => {
    const path = ($('new-path') as HTMLInputElement).value;
    if (addFile(path, new TextEncoder().encode(($('new-content') as HTMLTextAreaElement).value))) {
      renderSetupFiles();
      status(`Added ${cleanPath(path)}.`);
    }
  };
  ($('upload') as HTMLInputElement).onchange = async (ev) => {
    const files = [...((ev.target as HTMLInputElement).files ?? [])];
    for (const f of files) addFile(f.webkitRelativePath || f.name, new Uint8Array(await f.arrayBuffer()));
    renderSetupFiles();
    status(`Added ${files.length} files.`);
  };
  $('run').onclick = runProgram;
  $('stdin-send').onclick = sendLine;
  $('stdin-line').onkeydown = (ev) => { if (ev.key === 'Enter') sendLine(); };
  $('stdin-eof').onclick = () => { stdinWriter?.end(); setTyping(false); };
  $('stop').onclick = () => {
    if (!stopWorker()) return;
    finish();
    status(`Stopped ${program?.name ?? 'the program'} after ${calls.length + dropped} WASI calls and ${((performance.now() - runStarted) / 1000).toFixed(1)} s.`, true);
    $('status').dataset['stopped'] = 'true';
  };
  ($('trace-file') as HTMLInputElement).onchange = (ev) => {
    const f = (ev.target as HTMLInputElement).files?.[0];
    if (f) void openTrace(f);
  };
  $('export').onclick = exportTrace;
  ($('calls') as HTMLTableElement).tBodies[0]!.onclick = (ev) => {
    const tr = (ev.target as HTMLElement).closest('tr');
    if (!tr?.dataset['index']) return;
    selected = Number(tr.dataset['index']);
    renderDetail();
    // The state panel follows the selection at once, not at the next frame.
    renderState();
    dirty = true;
  };
  window.addEventListener('resize', () => { dirty = true; });

  // `tswasi view FILE` serves the module at ./module.wasm and says so in the query.
  const wanted = new URLSearchParams(location.search).get('module');
  if (wanted !== null) {
    fetch('module.wasm')
      .then(async (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        setProgram(wanted, new Uint8Array(await r.arrayBuffer()));
        status(`${wanted} loaded: press Run.`);
      })
      .catch((e: Error) => status(`Could not load ${wanted}: ${e.message}`, true));
  } else if (new URLSearchParams(location.search).get('trace') !== null) {
    const name = new URLSearchParams(location.search).get('trace')!;
    fetch('trace.json')
      .then(async (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        await openTrace(new File([await r.blob()], name));
      })
      .catch((e: Error) => status(`Could not load ${name}: ${e.message}`, true));
  } else {
    status('Choose an example or a .wasm file.');
  }
  requestAnimationFrame(render);
}

init();
