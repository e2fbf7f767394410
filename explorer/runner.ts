/**
 * Running the program: start the worker with the setup, take its messages
 * into the run state, stop it, and hand typed stdin over to it.
 */
import { ui } from './elements.js';
import type { ExplorerCall, RunRequest, WorkerMessage } from './protocol.js';
import type { RunState } from './run-state.js';
import { StdinWriter, createStdinBuffer } from './stdin-channel.js';
import { clearDetail } from './views/detail.js';
import { status } from './views/status.js';
import { appendOutput, clearTerminal, setTyping, showWaiting } from './views/terminal.js';

declare const __WORKER_SOURCE__: string;

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

/** Before a run (or opening a trace): no calls, empty terminal, no call shown. */
export function reset(state: RunState): void {
  state.clearCalls();
  clearTerminal();
  clearDetail();
}

export function stopWorker(state: RunState): boolean {
  if (!state.worker) return false;
  state.worker.terminate();
  state.worker = null;
  return true;
}

/** The run is over (or stopped): buttons back to rest. */
export function finish(state: RunState): void {
  stopWorker(state);
  state.stdinWriter = null;
  setTyping(false);
  ui.stop.disabled = true;
  ui.run.disabled = state.program === null;
  ui.exportTrace.disabled = state.calls.length === 0;
  state.dirty = true;
}

/** A new worker with the page's bundled worker source, its messages going to `onMessage`. */
export function startWorker(state: RunState, onMessage: (m: WorkerMessage) => void): Worker {
  const url = URL.createObjectURL(new Blob([__WORKER_SOURCE__], { type: 'text/javascript' }));
  const w = new Worker(url);
  URL.revokeObjectURL(url);
  state.worker = w;
  w.onmessage = (ev: MessageEvent<WorkerMessage>) => onMessage(ev.data);
  w.onerror = (ev) => { finish(state); status(`The worker failed: ${ev.message}`, true); };
  return w;
}

export function runProgram(state: RunState): void {
  const program = state.program;
  if (!program) return;
  let env: Record<string, string>;
  try {
    env = parseEnv(ui.env.value);
  } catch (e) {
    status((e as Error).message, true);
    return;
  }
  stopWorker(state);
  reset(state);
  state.initialPaths = new Set(state.setupFiles.map((f) => f.path));
  const w = startWorker(state, (m) => onWorkerMessage(state, m));
  const typed = ui.stdin.value;
  let stdinBuffer: SharedArrayBuffer | undefined;
  state.stdinWriter = null;
  if (globalThis.crossOriginIsolated) {
    stdinBuffer = createStdinBuffer();
    state.stdinWriter = new StdinWriter(stdinBuffer);
    state.stdinWriter.write(new TextEncoder().encode(typed));
  }
  setTyping(state.stdinWriter !== null);
  const req: RunRequest = {
    type: 'run',
    ...(stdinBuffer ? { stdinBuffer } : {}),
    wasm: program.bytes.slice().buffer,
    // argv[0] is the module's file name, as `tswasi run` gives it.
    args: [program.name, ...splitArgs(ui.args.value)],
    env,
    stdin: typed,
    files: state.setupFiles.map((f) => ({ ...f })),
  };
  w.postMessage(req, [req.wasm]);
  state.runStarted = performance.now();
  ui.stop.disabled = false;
  ui.run.disabled = true;
  status(`Running ${program.name}…`);
}

/** The Stop button: end the worker and say after how much. */
export function stopRun(state: RunState): void {
  if (!stopWorker(state)) return;
  finish(state);
  status(`Stopped ${state.program?.name ?? 'the program'} after ${state.total} WASI calls and ${((performance.now() - state.runStarted) / 1000).toFixed(1)} s.`, true);
  ui.status.dataset['stopped'] = 'true';
}

/** The stdin line's Send (or Enter): echo it and hand it to the guest. */
export function sendLine(state: RunState): void {
  const input = ui.stdinLine;
  if (!state.stdinWriter) return;
  appendOutput(0, input.value + '\n');
  state.stdinWriter.write(new TextEncoder().encode(input.value + '\n'));
  input.value = '';
}

export function endInput(state: RunState): void {
  state.stdinWriter?.end();
  setTyping(false);
}

function onWorkerMessage(state: RunState, m: WorkerMessage): void {
  switch (m.type) {
    case 'started':
      state.latestState = m.state;
      break;
    case 'stdin-wait':
      state.stdinWriter?.pump();
      if (state.stdinWriter && !state.stdinWriter.waiting) showWaiting();
      break;
    case 'batch':
      for (const item of m.items) {
        if (item.kind === 'call') state.addCall(item.call);
        else appendOutput(item.fd, item.text);
      }
      state.dropped = m.dropped;
      break;
    case 'exit':
      state.latestState = m.state;
      finish(state);
      status(`${state.program?.name ?? 'The program'} exited with code ${m.code} after ${state.total} WASI calls.`, m.code !== 0);
      ui.status.dataset['exit'] = String(m.code);
      break;
    case 'error':
      if (m.state) state.latestState = m.state;
      finish(state);
      status(m.message, true);
      break;
  }
  state.dirty = true;
}

/** Calls that came from elsewhere (a trace file): shown as a finished run's. */
export function showCalls(state: RunState, calls: readonly ExplorerCall[]): void {
  stopWorker(state);
  reset(state);
  state.initialPaths = new Set();
  for (const c of calls) state.addCall(c);
  finish(state);
}
