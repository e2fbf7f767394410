/**
 * The explorer's worker: runs one WASI command on a memfs volume with the
 * tswasi core, traces every call with the CLI's decoder (src/trace/record.ts),
 * and streams calls, output and state changes to the page. The page stops a
 * spinning guest by terminating this worker.
 */
import { Volume, WASI, abi, type CallContext, type WasiFunction } from '../wasi/browser.js';
import { callDecoder } from '../src/trace/record.js';
import { SIGNATURES, type ParamKind } from '../src/trace/signatures.js';
import type { ExplorerCall, FdRow, GuestState, MemRegion, RunRequest, TreeEntry, WorkerItem, WorkerMessage } from './protocol.js';
import { importProblem } from './imports.js';
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
const MAX_REGION = 128;

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

function walk(vol: InstanceType<typeof Volume>, dir: string, out: TreeEntry[]): void {
  for (const name of (vol.readdirSync(dir) as string[]).map(String).sort()) {
    const p = dir === '/' ? `/${name}` : `${dir}/${name}`;
    const st = vol.lstatSync(p);
    if (st.isDirectory()) {
      out.push({ path: p, kind: 'dir', size: 0 });
      walk(vol, p, out);
    } else {
      out.push({ path: p, kind: st.isSymbolicLink() ? 'symlink' : 'file', size: Number(st.size) });
    }
  }
}

function snapshot(wasi: WASI, vol: InstanceType<typeof Volume>): GuestState {
  const fds: FdRow[] = [];
  for (const [fd, e] of wasi.fds.entries()) {
    fds.push({ fd, label: e.label, filetype: abi.FILETYPE_NAMES[e.filetype] ?? String(e.filetype), rights: `0x${e.rightsBase.toString(16)}` });
  }
  const files: TreeEntry[] = [];
  walk(vol, '/', files);
  return { fds, files };
}

/**
 * The state when the guest ended: its fds as they were at its last call
 * (start() closes them all on the way out), the files as they are now.
 */
function atExit(lastState: string, vol: InstanceType<typeof Volume>): GuestState {
  const files: TreeEntry[] = [];
  walk(vol, '/', files);
  return { fds: (JSON.parse(lastState) as GuestState).fds, files };
}

/** Where a parameter's bytes are and whether the call reads or writes them. */
function regions(ctx: CallContext, name: string, raw: unknown[], after: boolean): MemRegion[] {
  const sig = SIGNATURES[name];
  if (!sig) return [];
  const out: MemRegion[] = [];
  const take = (param: string, access: MemRegion['access'], ptr: number, len: number): void => {
    const n = Math.max(0, Math.min(len >>> 0, MAX_REGION));
    try {
      out.push({ param, access, ptr: ptr >>> 0, len: len >>> 0, bytes: ctx.mem.bytes(ptr >>> 0, n).slice() });
    } catch { /* a bad pointer: the call reports FAULT, there is nothing to show */ }
  };
  let i = 0;
  for (const [pname, kind] of sig) {
    const a = raw[i] as number;
    const b = raw[i + 1] as number;
    i += kind === 'str' || kind === 'iovs' || kind === 'ciovs' ? 2 : 1;
    const iov = (k: number): [number, number] => [ctx.mem.u32(a + k * 8), ctx.mem.u32(a + k * 8 + 4)];
    try {
      if (!after && kind === 'str') take(pname, 'read', a, b);
      else if (!after && kind === 'ciovs' && (b >>> 0) > 0) { const [p, l] = iov(0); take(pname, 'read', p, l); }
      else if (after && kind === 'iovs' && (b >>> 0) > 0) { const [p, l] = iov(0); take(pname, 'written', p, l); }
      else if (after && kind.startsWith('out_')) take(pname, 'written', a, outSize(kind as ParamKind, raw, sig));
    } catch { /* unreadable iovec array */ }
  }
  return out;
}

function outSize(kind: ParamKind, raw: unknown[], sig: readonly (readonly [string, ParamKind])[]): number {
  switch (kind) {
    case 'out_u64': return 8;
    case 'out_fdstat': return 24;
    case 'out_filestat': return 64;
    case 'out_prestat': return 8;
    case 'out_events': return 32;
    case 'out_buf_str': case 'out_dirents': {
      // The buffer's length is the next parameter (path_len / buf_len).
      const idx = sig.findIndex(([, k]) => k === kind);
      let pos = 0;
      for (let j = 0; j < idx; j++) pos += sig[j]![1] === 'str' || sig[j]![1] === 'iovs' || sig[j]![1] === 'ciovs' ? 2 : 1;
      return Number(raw[pos + 1]);
    }
    default: return 4;
  }
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

self.onmessage = (ev: MessageEvent<RunRequest>) => {
  if (ev.data?.type === 'run') run(ev.data);
};
