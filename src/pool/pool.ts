/**
 * The worker pool (piscina): every guest runs in a worker thread, never on
 * the caller's thread. A module is compiled once and shared with every
 * worker; each call gets a fresh instance and fresh memory.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { createRequire } from 'node:module';
import type { Server } from 'node:net';
import type { MessagePort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import createDebug from 'debug';
import { hostListeners, type ListenerSource, type ListenersOption } from '../../wasi/index.js';
import { UserError } from '../errors.js';
import { WASM_PAGE } from '../memory-limit.js';
import { compileModule, compileModuleFile } from '../module.js';
import { ModuleCache, sharedModuleCache, type ModuleCacheLimits } from '../module-cache.js';
import { recordingStart } from '../record/session.js';
import type { TraceSpec } from '../trace/setup.js';
import { inputSpec } from './input.js';
import { OutputRings } from './output.js';
import { preopenSpecs, writeBack, type PreopenSource } from './preopens.js';
import type { GuestError, GuestResult, GuestTask } from './task.js';

const debug = createDebug('tswasi:pool');

export interface PoolOptions {
  /** Most worker threads (default: the number of CPUs). */
  maxThreads?: number;
  /** Threads kept ready (default 1). */
  minThreads?: number;
  /** Ms an idle thread above minThreads lives (default 30 s). */
  idleTimeout?: number;
  /** Calls that may wait for a thread; more are rejected (default: unbounded). */
  maxQueue?: number;
  /**
   * Ms a guest's output may gather in shared memory before this thread
   * writes it out or hands it to a stdout callback (default 4): the bound on
   * how late a guest's bytes arrive while it computes.
   */
  outputGatherMs?: number;
  /**
   * Bounds of this pool's own module cache (default: the process's shared
   * cache, 64 modules and 256 MiB of module bytes, least recently used out
   * first). Modules are keyed by content hash and memory limit.
   */
  moduleCache?: ModuleCacheLimits;
  /**
   * Calls handed to a busy thread ahead of time (default 1: only to an idle
   * thread). 2 lets a thread start the next call as soon as one ends, without
   * waiting for a message from this thread (a round trip between threads costs
   * more than a small guest's run: ~10% more calls/s for hello), but a call
   * handed ahead waits for the one before it even if another thread frees up
   * first — a short call can queue behind a long one, so it is not the
   * default. Calls with `timeoutMs` or `signal` always go to an idle thread,
   * which runs nothing else until they end, so stopping one never stops another.
   */
  tasksPerThread?: number;
}

function tasksPerThread(n: number | undefined): number {
  if (n === undefined) return 1;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`tasksPerThread must be a whole number >= 1, not ${String(n)}`);
  return n;
}

/** A module: a file path, its bytes, or an already compiled module. */
export type ModuleSource = string | Uint8Array | WebAssembly.Module;

export type { PreopenSource } from './preopens.js';

export interface GuestRunOptions {
  /** The guest's argv, argv[0] included. */
  args?: readonly string[];
  /**
   * argv[0] when `args` is not given (or empty): by default the module
   * file's base name, as wasmtime passes it — never a host path.
   */
  argv0?: string;
  env?: Readonly<Record<string, string>>;
  /** Bytes, a string, a stream (fed through shared memory), or a host fd. Default: empty. */
  stdin?: Uint8Array | string | AsyncIterable<Uint8Array | string> | number;
  /**
   * 'buffer' (default): returned in the result; a function: each chunk,
   * within a few ms of the guest writing it; a number: a host fd (small
   * writes gathered unless it is a terminal, written within a few ms even
   * while the guest computes). Whatever ends the call — exit, trap, timeout,
   * abort, memory limit — what the guest wrote is delivered before the call
   * settles.
   */
  stdout?: 'buffer' | ((chunk: Uint8Array) => void) | number;
  stderr?: 'buffer' | ((chunk: Uint8Array) => void) | number;
  /** Guest path → host directory or memfs Volume (changes are written back into the Volume). */
  preopens?: Readonly<Record<string, PreopenSource>>;
  /** Stop the guest after this many ms; its worker is replaced. */
  timeoutMs?: number;
  /** Bytes of linear memory the guest may grow to. */
  memoryLimit?: number;
  signal?: AbortSignal;
  /** Call this export instead of _start. */
  invoke?: string;
  invokeArgs?: readonly string[];
  /** Return the WASI calls of this run in `result.trace` (e.g. true, 'fs', 'json,path_open,fd_read'). */
  trace?: boolean | string;
  /** Trace to stderr or a file instead (the CLI's --trace, --trace-file, --trace-summary). */
  traceTo?: TraceSpec;
  /**
   * Listening sockets for the guest, its fds 3, 4, … (before the preopens):
   * listening `net.Server`s of this thread — their connections go to the
   * guest while it runs, and they stay open after (several calls may share
   * one) — or, all of the other kind, addresses `{ host, port }` to bind
   * and listening fds to take over, which the guest's thread opens and
   * closes. See docs/sockets.md.
   */
  listeners?: ReadonlyArray<Server> | ReadonlyArray<ListenerSource>;
  /**
   * Record the run into this file (the guest's thread writes it as the guest
   * runs; docs/record-replay.md). The recording keeps the module when
   * `source` is a path or bytes (a compiled module: replay needs `--module`).
   */
  record?: string;
  /**
   * Run `source` against this recording (a file path or its bytes) instead
   * of the host: every WASI call is answered from it; args, env, preopens,
   * stdin and listeners are not used. A guest that calls otherwise than the
   * recording ends with exit code 1 and `error` saying at which call.
   */
  replay?: string | Uint8Array;
}

export interface GuestRunResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  durationMs: number;
  /** Set when the guest trapped, hit its memory limit, timed out, or could not start. */
  error?: GuestError;
  results?: unknown[];
  trace?: string[];
}

/**
 * The worker's CommonJS launcher (scripts/bundle.mjs), not tsc's ES module:
 * piscina require()s its file, and on Node 22.12+ require() of an ES module
 * that is cut off while it links (a worker terminated by destroy() as it
 * starts) is a fatal V8 error that ends the whole process ("IsGraphAsync
 * must be used on an instantiated module"). A CommonJS file is loaded by
 * Node's CommonJS loader alone, and from the bundle's code cache.
 */
const WORKER = new URL('./guest-worker.cjs', import.meta.url).href;

/** What the pool needs of piscina. */
interface TaskRunner {
  run(task: GuestTask, options: { signal?: AbortSignal; transferList?: MessagePort[] }): Promise<GuestResult>;
  readonly queueSize: number;
  readonly threads: ArrayLike<unknown>;
  destroy(): Promise<void>;
}

/** piscina is loaded with the first pool: `tswasi run` and tswasi-oci never make one (start-up). */
let piscinaClass: typeof Piscina | undefined;
const loadPiscina = (): typeof Piscina =>
  (piscinaClass ??= (createRequire(import.meta.url)('piscina') as typeof import('piscina')).Piscina);

/** argv[0] for a module source: the file's base name, as wasmtime passes it. */
function defaultArgv0(source: ModuleSource): string {
  return typeof source === 'string' ? basename(source) : 'main.wasm';
}

export class Pool {
  private readonly workers: TaskRunner;
  private readonly cache: ModuleCache;
  private readonly maxQueue: number;
  /** Output rings of the calls under way (drained by this thread) and small ones kept for reuse. */
  private readonly output: OutputRings;

  constructor(options: PoolOptions = {}) {
    const maxThreads = options.maxThreads ?? availableParallelism();
    this.maxQueue = options.maxQueue ?? Infinity;
    this.output = new OutputRings(options.outputGatherMs ?? 4);
    this.cache = options.moduleCache === undefined ? sharedModuleCache : new ModuleCache(options.moduleCache);
    this.workers = new (loadPiscina())<GuestTask, GuestResult>({
      filename: WORKER,
      maxThreads,
      minThreads: Math.min(options.minThreads ?? 1, maxThreads),
      idleTimeout: options.idleTimeout ?? 30_000,
      maxQueue: options.maxQueue ?? Infinity,
      concurrentTasksPerWorker: tasksPerThread(options.tasksPerThread),
    });
  }

  /** Threads alive now (for tests and metrics). */
  get threads(): number {
    return this.workers.threads.length;
  }

  /** Compile once per content and memory limit (./module-cache.ts), shared by every worker. */
  private async module(source: ModuleSource, memoryLimitPages: number | undefined): Promise<WebAssembly.Module> {
    if (source instanceof WebAssembly.Module) {
      if (memoryLimitPages !== undefined) throw new UserError('memoryLimit needs the module as a path or bytes, not a compiled WebAssembly.Module');
      return source;
    }
    const options = { cache: this.cache, memoryLimitPages };
    return typeof source === 'string' ? compileModuleFile(source, options) : compileModule(source, 'module', options);
  }

  async run(source: ModuleSource, o: GuestRunOptions = {}): Promise<GuestRunResult> {
    if (this.maxQueue !== Infinity && this.workers.queueSize >= this.maxQueue) throw this.queueFull();
    // Taken over before anything awaits: a connection that comes meanwhile is the guest's.
    const listeners = taskListeners(o.listeners);
    try {
      return await this.runTask(source, o, listeners);
    } finally {
      // A call that never reached its thread lets its host go (a port handed over is already detached).
      if (listeners !== undefined && 'channel' in listeners) listeners.channel.port.close();
    }
  }

  private async runTask(source: ModuleSource, o: GuestRunOptions, listeners: ListenersOption | undefined): Promise<GuestRunResult> {
    const memoryLimitPages = o.memoryLimit === undefined ? undefined : Math.max(1, Math.floor(o.memoryLimit / WASM_PAGE));
    const module = await this.module(source, memoryLimitPages);
    const output = this.output.open(o.stdout, o.stderr);
    try {
      const { specs, volumes } = preopenSpecs(o.preopens);
      const task: GuestTask = {
        module,
        ...(listeners !== undefined ? { listeners } : {}),
        args: o.args !== undefined && o.args.length > 0 ? [...o.args] : [o.argv0 ?? defaultArgv0(source)],
        env: { ...(o.env ?? {}) },
        preopens: specs,
        stdin: inputSpec(o.stdin),
        stdout: output.stdout,
        stderr: output.stderr,
        invoke: o.invoke,
        invokeArgs: o.invokeArgs === undefined ? undefined : [...o.invokeArgs],
        memoryLimitPages,
        trace: o.traceTo !== undefined ? o.traceTo
          : o.trace === undefined || o.trace === false ? undefined
          : { spec: o.trace === true ? 'all' : o.trace, collect: true },
      };
      if (o.record !== undefined && o.replay !== undefined) throw new UserError('record and replay cannot both be given');
      if (o.record !== undefined) {
        const bytes = source instanceof WebAssembly.Module ? undefined : typeof source === 'string' ? readFileSync(source) : source;
        task.record = { file: o.record, start: recordingStart(bytes, { args: task.args, env: task.env, preopens: Object.keys(task.preopens), invoke: task.invoke, invokeArgs: task.invokeArgs }) };
      }
      if (o.replay !== undefined) task.replay = o.replay;
      const r = await this.runStoppable(task, o, listeners);
      if ('stopped' in r) {
        // The guest's thread was terminated: what it wrote is still in the rings.
        output.close(true);
        return { exitCode: 124, ...output.buffers(), durationMs: r.durationMs, error: r.stopped };
      }
      output.close(false);
      writeBack(volumes, r.volumes);
      const result: GuestRunResult = { exitCode: r.exitCode, ...output.buffers(), durationMs: r.durationMs };
      if (r.error !== undefined) result.error = r.error;
      if (r.results !== undefined) result.results = r.results;
      if (r.trace !== undefined) result.trace = r.trace;
      return result;
    } catch (e) {
      output.close(true);
      if (o.signal?.aborted) throw Object.assign(new Error('the guest was aborted'), { name: 'AbortError', ...output.buffers() });
      throw e;
    }
  }

  /**
   * Run the task on a thread, stopped after `timeoutMs` or on `signal`.
   * Only a call that can be stopped is abortable for piscina: its worker
   * then runs nothing else, so terminating it stops no other call; the
   * others may be queued on a busy worker (concurrentTasksPerWorker).
   */
  private async runStoppable(task: GuestTask, o: GuestRunOptions, listeners: ListenersOption | undefined): Promise<GuestResult | { stopped: GuestError; durationMs: number }> {
    const controller = o.timeoutMs === undefined && o.signal === undefined ? null : new AbortController();
    let timedOut = false;
    const timer = o.timeoutMs === undefined ? null : setTimeout(() => { timedOut = true; controller?.abort(); }, o.timeoutMs);
    const onAbort = (): void => controller?.abort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    try {
      if (debug.enabled) debug('run %o (queue %d, threads %d)', task.args, this.workers.queueSize, this.workers.threads.length);
      const transferList = listeners !== undefined && 'channel' in listeners ? [listeners.channel.port] : [];
      const r = await this.workers.run(task, { ...(controller === null ? {} : { signal: controller.signal }), transferList });
      if (debug.enabled) debug('done: exit %d in %s ms%s', r.exitCode, r.durationMs.toFixed(2), r.error ? ` (${r.error.kind}: ${r.error.message})` : '');
      return r;
    } catch (e) {
      if (timedOut) {
        return { stopped: { kind: 'timeout', message: `the guest ran longer than ${o.timeoutMs} ms and was stopped` }, durationMs: performance.now() - started };
      }
      if (/queue is at limit/i.test(String((e as Error)?.message))) throw this.queueFull();
      throw e;
    } finally {
      if (timer !== null) clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  private queueFull(): Error {
    return new Error(`tswasi pool: the queue is full (maxQueue ${this.maxQueue}); try again later`);
  }

  /**
   * Write out, now and synchronously, what the running guests have gathered
   * for host fds and callbacks — for a process about to end on a signal
   * (the CLI calls it from its SIGTERM/SIGINT/SIGHUP handlers and at exit).
   * Waits up to `waitMs` for a guest's thread that is writing them itself.
   */
  drainOutput(waitMs = 1000): void {
    for (const r of this.output.readers) r.drain(waitMs);
  }

  async destroy(): Promise<void> {
    await this.workers.destroy();
  }
}

/**
 * A call's listeners as they cross to the guest's thread: net.Servers are
 * served from this thread (the channel's port goes with the task); addresses
 * and fds are opened by the guest's thread. Its host ends when the guest's
 * WASI closes, or when the guest's thread is terminated (its port closes).
 */
function taskListeners(given: GuestRunOptions['listeners']): ListenersOption | undefined {
  if (given === undefined || given.length === 0) return undefined;
  const servers = given.filter((l): l is Server => typeof l === 'object' && l !== null && typeof (l as Server).listen === 'function');
  if (servers.length === 0) return [...(given as ReadonlyArray<ListenerSource>)];
  if (servers.length !== given.length) throw new TypeError('listeners: give net.Servers or addresses and fds, not both');
  return { channel: hostListeners(servers).channel };
}

export function createPool(options?: PoolOptions): Pool {
  return new Pool(options);
}

/** One guest, one call: `pool.run` on a pool of its own. */
export async function run(source: ModuleSource, options?: GuestRunOptions): Promise<GuestRunResult> {
  const pool = new Pool({ maxThreads: 1, minThreads: 1 });
  try {
    return await pool.run(source, options);
  } finally {
    await pool.destroy();
  }
}
