/** `tswasi run`: wasmtime-compatible flags, exit status = the guest's. */
import { existsSync, fstatSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';

import { inheritedListenFds, parseHostPort, type CallContext, type ListenerSource, type WasiFunction } from '../../wasi/index.js';
import { UserError, errorLine, failureLine } from '../errors.js';
import { compileModule, readModule } from '../module.js';
import { runGuest, type GuestOutcome } from '../run-guest.js';
import type { Recorder, RecordingStart } from '../record/recorder.js';
import { recordTo, recordingEnd, recordingStart } from '../record/session.js';
import { tracerFor, type TraceSpec } from '../trace/setup.js';
import { parseTraceSpec } from '../trace/tracer.js';
import { compileWat, looksLikeWat } from '../wat.js';

export interface RunArgs {
  module: string;
  args: string[];
  /** argv[0] for the guest; default the module's base name (wasmtime's --argv0). */
  argv0?: string | undefined;
  dir: string[];
  env: string[];
  invoke?: string | undefined;
  trace?: string | undefined;
  traceFile?: string | undefined;
  traceSummary?: boolean;
  /** Bytes of stack the guest may use (wasmtime's `-W max-wasm-stack`): the guest then runs on a thread with that much. */
  maxWasmStack?: number | undefined;
  /** `--tcplisten HOST:PORT`s, in order. */
  tcplisten?: string[] | undefined;
  /** `--listenfd`: the sockets of systemd socket activation, first. */
  listenfd?: boolean | undefined;
  /** `--record FILE`: write a recording of the run there (docs/record-replay.md). */
  record?: string | undefined;
}

/** The guest of one `tswasi run`, as it crosses to a thread of its own (./run-worker.ts). */
export interface CliGuest {
  module: WebAssembly.Module;
  args: string[];
  env: Record<string, string>;
  preopens: Record<string, string>;
  invoke?: string | undefined;
  invokeArgs?: string[] | undefined;
  trace?: TraceSpec | undefined;
  /** The guest's listeners, fds 3… (fds of this process, and addresses to bind). */
  listeners?: ListenerSource[] | undefined;
  /** Record the run into `file`. */
  record?: { file: string; start: RecordingStart } | undefined;
}

/** Run the guest on this thread with the process's own stdio, every fd_write written at once; trace and record if asked. */
export function runCliGuest(g: CliGuest): GuestOutcome {
  let tracer;
  try {
    tracer = tracerFor(g.trace);
  } catch (e) {
    // The trace file cannot be opened: the guest does not run.
    return { exitCode: 1, error: { kind: 'error', message: `--trace-file ${g.trace?.file ?? ''}: ${(e as Error).message}` } };
  }
  let recorder: Recorder | null = null;
  if (g.record !== undefined) {
    try {
      recorder = recordTo(g.record.file, g.record.start);
    } catch (e) {
      tracer?.close();
      return { exitCode: 1, error: { kind: 'error', message: `--record: ${(e as Error).message}` } };
    }
  }
  // Traced and recorded: the tracer sees the call as the recorder passes it on.
  const rec = recorder;
  const wrapImport = tracer !== null && rec !== null ? (n: string, f: WasiFunction, c: CallContext) => tracer.wrap(n, rec.wrap(n, f, c), c)
    : (tracer?.wrap ?? rec?.wrap);
  const outcome = runGuest({
    module: g.module,
    wasi: {
      args: g.args, env: g.env, preopens: g.preopens, stdin: 0, stdout: 1, stderr: 2,
      ...(g.listeners !== undefined ? { listeners: g.listeners } : {}),
      ...(wrapImport !== undefined ? { wrapImport } : {}),
    },
    invoke: g.invoke,
    invokeArgs: g.invokeArgs,
  });
  recorder?.end(recordingEnd(outcome));
  if (tracer !== null) {
    tracer.close();
    if (g.trace?.summary && !tracer.summaryInFile) writeSync(2, tracer.summary() + '\n');
  }
  return outcome;
}

/** Most --max-wasm-stack accepted: a thread's stack is reserved whole. */
const MAX_WASM_STACK = 1 << 30;

/**
 * The guest on a worker thread whose stack holds `bytes` more than its own
 * frames. Output is still written at once by the guest's thread, so this
 * thread only waits: a signal's default action still loses nothing.
 */
function onThreadWithStack(g: CliGuest, bytes: number): Promise<GuestOutcome> {
  const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  const worker = new Worker(new URL('./run-worker.cjs', import.meta.url), {
    workerData: g,
    resourceLimits: { stackSizeMb: Math.ceil(bytes / 2 ** 20) + 1 },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the guest's thread ended (${code}) without an outcome`)));
  });
}

/** `--dir HOST[::GUEST]`: wasmtime maps HOST to GUEST, or to the same path when GUEST is missing. */
export function parseDir(spec: string): [guest: string, hostDir: string] {
  const i = spec.indexOf('::');
  const host = i < 0 ? spec : spec.slice(0, i);
  const guest = i < 0 ? spec : spec.slice(i + 2);
  if (host === '' || guest === '') throw new UserError(`invalid --dir ${spec}: expected HOST[::GUEST]`);
  if (!existsSync(host)) throw new UserError(`--dir ${spec}: ${host}: no such directory`);
  if (!statSync(host).isDirectory()) throw new UserError(`--dir ${spec}: ${host} is not a directory`);
  return [guest, host];
}

/**
 * The guest's listeners: with --listenfd the inherited ones first (fds
 * 3…, each checked to be a socket), then each --tcplisten address (a
 * malformed one is a usage error). `env` gets LISTEN_FDS (and
 * LISTEN_FDNAMES) as wasmtime passes them, so the guest knows how many.
 */
export function listenersOf(tcplisten: readonly string[], listenfd: boolean, env: Record<string, string>): ListenerSource[] {
  const out: ListenerSource[] = [];
  if (listenfd) {
    let fds: number[];
    try {
      fds = inheritedListenFds(process.env, process.pid);
    } catch (e) {
      throw new UserError(`--listenfd: ${(e as Error).message}`);
    }
    for (const fd of fds) {
      let socket = false;
      try { socket = fstatSync(fd).isSocket(); } catch { /* not open */ }
      if (!socket) throw new UserError(`--listenfd: fd ${fd} is not a socket`);
      out.push(fd);
    }
    for (const name of ['LISTEN_FDS', 'LISTEN_FDNAMES']) {
      const v = process.env[name];
      if (v !== undefined && fds.length > 0) env[name] = v;
    }
  }
  for (const spec of tcplisten) {
    const addr = parseHostPort(spec);
    if (addr === null) throw new UserError(`invalid --tcplisten ${spec}: expected HOST:PORT`, 2);
    out.push(addr);
  }
  return out;
}

/** `--env NAME=VALUE`, or `--env NAME` to pass the host's value through (as wasmtime). */
export function parseEnv(specs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const spec of specs) {
    const i = spec.indexOf('=');
    if (i === 0) throw new UserError(`invalid --env ${spec}: expected NAME[=VALUE]`);
    if (i < 0) {
      const v = process.env[spec];
      if (v !== undefined) env[spec] = v;
    } else {
      env[spec.slice(0, i)] = spec.slice(i + 1);
    }
  }
  return env;
}

/**
 * Run and return the process exit status. Prints one line on any failure.
 *
 * The guest runs here, on the main thread, and every fd_write reaches its fd
 * before the call returns — as node:wasi and wasmtime do. Nothing is ever
 * held back, so however the process ends (exit, trap, or a signal's default
 * action: SIGTERM, SIGINT and SIGHUP kill it by that signal) nothing the
 * guest wrote is lost, and no second thread is needed to get output out
 * while the guest computes. That thread — a second Node environment, ~20 ms
 * of CPU and more under load — was most of the difference in start-up to
 * node:wasi; what it bought, gathering small writes into one write(2), only
 * pays for guests that make many unbuffered writes (docs/performance.md "Where the time goes").
 * The pool (./pool) still gathers: its guests run on its worker threads.
 * A thread is started only for --max-wasm-stack: V8's stack on the main
 * thread is fixed at start (~1 MB).
 */
export async function run(a: RunArgs): Promise<number> {
  try {
    const preopens: Record<string, string> = {};
    for (const spec of a.dir) {
      const [guest, src] = parseDir(spec);
      preopens[guest] = src;
    }
    const env = parseEnv(a.env);
    const listeners = listenersOf(a.tcplisten ?? [], a.listenfd ?? false, env);
    let traceTo: TraceSpec | undefined;
    // --trace-file alone means "trace to this file"; with --trace-summary alone, the summary goes there.
    if (a.trace !== undefined || a.traceSummary || a.traceFile !== undefined) {
      const spec = a.trace ?? (a.traceSummary ? 'summary-only' : 'all');
      if (spec !== 'summary-only') {
        try { parseTraceSpec(spec); } catch (e) { throw new UserError((e as Error).message, 2); }
      }
      traceTo = { spec, file: a.traceFile, summary: a.traceSummary ?? false };
    }
    if (a.maxWasmStack !== undefined && !(Number.isSafeInteger(a.maxWasmStack) && a.maxWasmStack > 0 && a.maxWasmStack <= MAX_WASM_STACK)) {
      throw new UserError(`invalid --max-wasm-stack ${a.maxWasmStack}: expected bytes, 1 to ${MAX_WASM_STACK}`, 2);
    }
    const bytes = readModule(a.module);
    // A text module is compiled from WAT first, as wasmtime does.
    const wasm = looksLikeWat(bytes) ? await compileWat(bytes, a.module) : bytes;
    const module = compileModule(wasm, a.module, { cache: false });
    const guest: CliGuest = {
      module,
      // argv[0] is the module's base name, as wasmtime passes it: the guest learns no host path.
      args: [a.argv0 ?? basename(a.module), ...(a.invoke === undefined ? a.args : [])],
      env,
      preopens,
      invoke: a.invoke,
      invokeArgs: a.invoke === undefined ? undefined : a.args,
      trace: traceTo,
      listeners,
    };
    if (a.record !== undefined) {
      guest.record = {
        file: a.record,
        // Only what the guest is given: its args, env and preopens' guest paths, and the module it runs.
        start: recordingStart(wasm, { args: guest.args, env, preopens: Object.keys(preopens), invoke: a.invoke, invokeArgs: guest.invokeArgs }),
      };
    }
    // Here, on the main thread, unless the guest needs more stack than V8 gives it (~1 MB).
    const outcome = a.maxWasmStack === undefined ? runCliGuest(guest) : await onThreadWithStack(guest, a.maxWasmStack);
    if (outcome.error !== undefined) process.stderr.write(errorLine(outcome.error) + '\n');
    for (const r of outcome.results ?? []) process.stdout.write(`${String(r)}\n`);
    return outcome.exitCode;
  } catch (e) {
    process.stderr.write(failureLine(e) + '\n');
    return e instanceof UserError ? e.exitCode : 70;
  }
}
