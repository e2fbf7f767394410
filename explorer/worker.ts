/**
 * The explorer's worker: runs one WASI command on a memfs volume with the
 * tswasi core, traces every call with the CLI's decoder (src/trace/record.ts),
 * and streams calls, output and state changes to the page. The page stops a
 * spinning guest by terminating this worker. It also replays recordings
 * (src/record/replayer.ts): the recorded module runs against the recorded
 * calls, so the same decoder shows them.
 */
import { Volume, WASI, type CallContext, type WasiFunction } from '../wasi/browser.js';
import { ReplayStop, Replayer } from '../src/record/replayer.js';
import { callDecoder } from '../src/trace/record.js';
import { atExit, snapshot } from './guest-state.js';
import { importProblem } from './imports.js';
import { regions } from './memory-regions.js';
import type { ExplorerCall, MemRegion, ReplayRequest, RunRequest, WorkerItem, WorkerMessage, WorkerRequest } from './protocol.js';
import { stdinSource } from './stdin-channel.js';

/** Calls that never change the fd table or the files: no snapshot after them. */
const READ_ONLY = new Set([
  'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get',
  'fd_fdstat_get', 'fd_filestat_get', 'fd_prestat_get', 'fd_prestat_dir_name', 'fd_read', 'fd_pread',
  'fd_readdir', 'fd_seek', 'fd_tell', 'path_filestat_get', 'path_readlink', 'poll_oneoff', 'random_get',
  'sched_yield', 'proc_raise', 'fd_advise', 'fd_sync', 'fd_datasync',
]);
/** Calls kept in full; beyond that only counted (a spinning guest must not exhaust the page). */
const MAX_CALLS = 50_000;

const post = (m: WorkerMessage): void => { (self as unknown as Worker).postMessage(m); };

let queue: WorkerItem[] = [];
let lastPost = 0;
let kept = 0;
let dropped = 0;

function flush(): void {
  if (queue.length === 0 && dropped === 0) return;
  post({ type: 'batch', items: queue, dropped });
  queue = [];
  lastPost = performance.now();
}

/** Post now and then while the guest runs (this thread is busy: no timers fire). */
function push(item: WorkerItem): void {
  queue.push(item);
  if (queue.length >= 500 || performance.now() - lastPost > 50) flush();
}

function run(req: RunRequest): void {
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(req.wasm);
  } catch (e) {
    post({ type: 'error', message: `Not a WebAssembly module: ${(e as Error).message}` });
    return;
  }
  const problem = importProblem(module);
  if (problem) {
    post({ type: 'error', message: problem });
    return;
  }
  const vol = new Volume();
  for (const f of req.files) {
    if (f.kind === 'dir') vol.mkdirSync(f.path, { recursive: true });
    else {
      vol.mkdirSync(f.path.slice(0, f.path.lastIndexOf('/')) || '/', { recursive: true });
      vol.writeFileSync(f.path, f.data ?? new Uint8Array(0));
    }
  }
  const sink = (fd: 1 | 2) => {
    const dec = new TextDecoder();
    return { write: (chunk: Uint8Array) => push({ kind: 'output', fd, text: dec.decode(chunk, { stream: true }) }) };
  };
  let wasi: WASI | undefined;
  let pending: MemRegion[] = [];
  let lastState = '';
  const decode = callDecoder(() => true, (c) => {
    if (kept >= MAX_CALLS) { dropped++; return; }
    kept++;
    const call: ExplorerCall = { ...c };
    if (pending.length > 0) call.memory = pending;
    pending = [];
    if (wasi && !READ_ONLY.has(c.name)) {
      const st = snapshot(wasi, vol);
      const key = JSON.stringify(st);
      if (key !== lastState) { lastState = key; call.state = st; }
    }
    push({ kind: 'call', call });
  });
  /** Inside the decoder's wrapper: note the memory the call reads (before) and writes (after). */
  const capture = (name: string, fn: WasiFunction, ctx: CallContext): WasiFunction => {
    const f = fn as (...a: unknown[]) => unknown;
    return ((...raw: unknown[]) => {
      const before = kept < MAX_CALLS ? regions(ctx, name, raw, false) : [];
      const ret = f(...raw);
      pending = ret === 0 && kept < MAX_CALLS ? [...before, ...regions(ctx, name, raw, true)] : before;
      return ret;
    }) as WasiFunction;
  };
  try {
    wasi = new WASI({
      args: req.args,
      env: req.env,
      stdin: req.stdinBuffer ? stdinSource(req.stdinBuffer, () => { flush(); post({ type: 'stdin-wait' }); }) : req.stdin,
      stdout: sink(1),
      stderr: sink(2),
      preopens: { '/': vol },
      wrapImport: (name, fn, ctx) => decode(name, capture(name, fn, ctx), ctx),
    });
    const instance = new WebAssembly.Instance(module, wasi.getImportObject() as unknown as WebAssembly.Imports);
    const initial = snapshot(wasi, vol);
    lastState = JSON.stringify(initial);
    post({ type: 'started', state: initial });
    const code = wasi.start(instance);
    flush();
    post({ type: 'exit', code, state: atExit(lastState, vol) });
  } catch (e) {
    flush();
    const msg = e instanceof WebAssembly.RuntimeError ? `The guest trapped: ${e.message}` : `The run failed: ${(e as Error).message ?? String(e)}`;
    post({ type: 'error', message: msg, ...(lastState ? { state: atExit(lastState, vol) } : {}) });
  }
}

/**
 * Replay: every call is answered by the Replayer (nothing else of the WASI
 * is used: no files, no stdin) and decoded around it, as a run's calls are.
 * The page has the recording itself; this only adds the decoded calls and
 * the output. Like `tswasi replay`, it stops at the first divergence.
 */
function replay(req: ReplayRequest): void {
  const rec = req.recording;
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(rec.module.slice());
  } catch (e) {
    post({ type: 'error', message: `The recorded module does not compile here: ${(e as Error).message}` });
    return;
  }
  if (rec.header.invoke !== undefined) {
    post({ type: 'error', message: `The recorded run called ${rec.header.invoke} (--invoke), which the page does not replay: its calls are shown undecoded.` });
    return;
  }
  const text = { 1: new TextDecoder(), 2: new TextDecoder() };
  const replayer = new Replayer(rec, {
    write: (fd, buf, off, len) => push({ kind: 'output', fd, text: text[fd].decode(buf.subarray(off, off + len), { stream: true }) }),
    flush: () => {},
  });
  const decode = callDecoder(() => true, (c) => {
    // The call the replay stopped at is not the recorded one: leave it out.
    if (replayer.stopped !== undefined) return;
    if (kept >= MAX_CALLS) { dropped++; return; }
    kept++;
    push({ kind: 'call', call: c });
  });
  const none = { write: () => {} };
  try {
    const wasi = new WASI({ args: [], env: {}, stdout: none, stderr: none, wrapImport: (name, fn, ctx) => decode(name, replayer.wrap(name, fn, ctx), ctx) });
    const instance = new WebAssembly.Instance(module, wasi.getImportObject() as unknown as WebAssembly.Imports);
    const code = wasi.start(instance);
    flush();
    const diverged = replayer.finish(code, rec.end?.error);
    if (diverged !== undefined) post({ type: 'error', message: `Replay ${diverged}` });
    else post({ type: 'exit', code, state: { fds: [], files: [] } });
  } catch (e) {
    flush();
    const msg = e instanceof ReplayStop ? `Replay stopped: ${e.message}`
      : e instanceof WebAssembly.RuntimeError ? `The guest trapped: ${e.message}` : `The replay failed: ${(e as Error).message ?? String(e)}`;
    post({ type: 'error', message: msg });
  }
}

self.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  if (ev.data?.type === 'run') run(ev.data);
  else if (ev.data?.type === 'replay') replay(ev.data);
};
