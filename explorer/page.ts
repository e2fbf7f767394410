/**
 * The explorer page: choose a module, set args/env/stdin/files, run it in a
 * worker, and look at its WASI calls (decoded by the CLI trace's decoder),
 * output, fd table, files, timeline and summary. Also opens `--trace=json`
 * files, exports Chrome trace JSON, and steps through `--record` recordings.
 *
 * This module wires the page: the run's state is run-state.ts's one object,
 * each panel is a module of views/, the elements are elements.ts's.
 */
import { el } from './dom.js';
import { ui } from './elements.js';
import { EXAMPLES, type Example } from './examples.js';
import { looksLikeRecording, openRecording, setStep } from './recording.js';
import { RunState } from './run-state.js';
import { endInput, runProgram, sendLine, stopRun } from './runner.js';
import { exportTrace, openTrace } from './traces.js';
import { fillGroupFilter, renderCalls, rowIndex } from './views/calls.js';
import { renderDetail } from './views/detail.js';
import { renderState } from './views/guest-state.js';
import { renderRecording } from './views/recording.js';
import { renderSetupFiles, showProgram } from './views/setup.js';
import { status } from './views/status.js';
import { renderSummary } from './views/summary.js';
import { drawTimeline } from './views/timeline.js';

declare const __EXAMPLE_WASM__: Record<string, string>;

const state = new RunState();

// ------------------------------------------------------------- setup

function setProgram(name: string, bytes: Uint8Array): void {
  state.program = { name, bytes };
  showProgram(state);
}

function applyExample(ex: Example): void {
  const b64 = __EXAMPLE_WASM__[ex.name];
  if (!b64) return;
  setProgram(`${ex.name}.wasm`, Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  ui.args.value = ex.args;
  ui.env.value = ex.env;
  ui.stdin.value = '';
  state.setupFiles = Object.entries(ex.files).map(([path, text]) => {
    const data = new TextEncoder().encode(text);
    return { path, kind: 'file' as const, size: data.length, data };
  });
  renderSetupFiles(state);
  status(`Example "${ex.title}" loaded: press Run.`);
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
  state.setupFiles = state.setupFiles.filter((f) => f.path !== p);
  state.setupFiles.push({ path: p, kind: 'file', size: data.length, data });
  return true;
}

async function loadWasmFile(file: File): Promise<void> {
  setProgram(file.name, new Uint8Array(await file.arrayBuffer()));
  status(`${file.name} loaded: press Run.`);
}

// ------------------------------------------------------------- drawing

function render(): void {
  if (state.dirty) {
    state.dirty = false;
    renderCalls(state);
    renderSummary(state.summary);
    renderState(state);
    drawTimeline(ui.timeline, state.calls, state.selected);
    renderRecording(state);
    if (state.worker && !state.recording) status(`Running ${state.program?.name ?? ''}… ${state.total} calls, ${((performance.now() - state.runStarted) / 1000).toFixed(1)} s`);
  }
  requestAnimationFrame(render);
}

/** Show call `i` in the call panel; the state panel follows at once, not at the next frame. */
function select(i: number): void {
  if (state.recording) return setStep(state, i);
  state.selected = i;
  renderDetail(state.calls, i);
  renderState(state);
  state.dirty = true;
}

// ------------------------------------------------------------- wiring

const firstFile = (input: HTMLInputElement): File | undefined => input.files?.[0];

/** A file dropped on the page: a recording is opened, anything else taken as the module to run. */
async function openDropped(file: File): Promise<void> {
  if (await looksLikeRecording(file)) await openRecording(state, file);
  else await loadWasmFile(file);
}

/** `zone` takes dropped files to `open` (and shows that it would while one is dragged over it). */
function dropZone(zone: HTMLElement, open: (f: File) => Promise<void>): void {
  zone.addEventListener('dragover', (ev) => { ev.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    zone.classList.remove('over');
    const f = ev.dataTransfer?.files[0];
    if (f) void open(f);
  });
}

function wireStepper(): void {
  const step = (to: (at: number) => number) => () => setStep(state, to(state.recording?.step ?? 0));
  ui.stepFirst.onclick = step(() => 0);
  ui.stepBack.onclick = step((at) => at - 1);
  ui.stepForward.onclick = step((at) => at + 1);
  ui.stepLast.onclick = step(() => Infinity);
  ui.stepSlider.oninput = step(() => Number(ui.stepSlider.value) - 1);
  ui.stepIndex.onchange = step(() => Number(ui.stepIndex.value) - 1);
  ui.recordingFile.onchange = () => {
    const f = firstFile(ui.recordingFile);
    if (f) void openRecording(state, f);
  };
  dropZone(ui.recordingPanel, (f) => openRecording(state, f));
}

/** The `?module=` / `?trace=` / `?recording=` that `tswasi view FILE` puts in the URL: fetch what it serves. */
function openServed(): void {
  const query = new URLSearchParams(location.search);
  const wanted = query.get('module');
  const trace = query.get('trace');
  const recording = query.get('recording');
  if (wanted !== null) {
    fetch('module.wasm')
      .then(async (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        setProgram(wanted, new Uint8Array(await r.arrayBuffer()));
        status(`${wanted} loaded: press Run.`);
      })
      .catch((e: Error) => status(`Could not load ${wanted}: ${e.message}`, true));
  } else if (trace !== null) {
    fetch('trace.json')
      .then(async (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        await openTrace(state, new File([await r.blob()], trace));
      })
      .catch((e: Error) => status(`Could not load ${trace}: ${e.message}`, true));
  } else if (recording !== null) {
    fetch('recording.rec')
      .then(async (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        await openRecording(state, new File([await r.blob()], recording));
      })
      .catch((e: Error) => status(`Could not load ${recording}: ${e.message}`, true));
  } else {
    status('Choose an example or a .wasm file.');
  }
}

function init(): void {
  ui.examples.append(el('span', 'Examples:', 'note'));
  for (const e of EXAMPLES) {
    const b = el('button', e.name);
    b.type = 'button';
    b.title = e.title;
    b.dataset['example'] = e.name;
    b.onclick = () => applyExample(e);
    ui.examples.append(b);
  }
  fillGroupFilter();
  const redraw = (): void => { state.dirty = true; };
  ui.groupFilter.onchange = redraw;
  ui.fnFilter.oninput = redraw;
  ui.errorsOnly.onchange = redraw;
  window.addEventListener('resize', redraw);

  ui.wasmFile.onchange = () => {
    const f = firstFile(ui.wasmFile);
    if (f) void loadWasmFile(f);
  };
  dropZone(ui.drop, openDropped);
  wireStepper();
  ui.addFile.onclick = () => {
    const path = ui.newPath.value;
    if (addFile(path, new TextEncoder().encode(ui.newContent.value))) {
      renderSetupFiles(state);
      status(`Added ${cleanPath(path)}.`);
    }
  };
  ui.upload.onchange = async () => {
    const files = [...(ui.upload.files ?? [])];
    for (const f of files) addFile(f.webkitRelativePath || f.name, new Uint8Array(await f.arrayBuffer()));
    renderSetupFiles(state);
    status(`Added ${files.length} files.`);
  };
  ui.run.onclick = () => runProgram(state);
  ui.stop.onclick = () => stopRun(state);
  ui.stdinSend.onclick = () => sendLine(state);
  ui.stdinLine.onkeydown = (ev) => { if (ev.key === 'Enter') sendLine(state); };
  ui.stdinEof.onclick = () => endInput(state);
  ui.traceFile.onchange = () => {
    const f = firstFile(ui.traceFile);
    if (f) void openTrace(state, f);
  };
  ui.exportTrace.onclick = () => exportTrace(state);
  ui.callRows.onclick = (ev) => {
    const i = rowIndex(ev.target);
    if (i !== null) select(i);
  };
  openServed();
  requestAnimationFrame(render);
}

init();
