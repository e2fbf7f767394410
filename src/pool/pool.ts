/**
 * The worker pool (piscina): every guest runs in a worker thread, never on
 * the caller's thread. A module is compiled once and shared with every
 * worker; each call gets a fresh instance and fresh memory.
 */
import { availableParallelism } from 'node:os';
import { readFile, stat } from 'node:fs/promises';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Volume } from 'memfs';
import { UserError } from '../errors.js';
import type { TraceSpec } from '../trace/setup.js';
import createDebug from 'debug';

const debug = createDebug('tswasi:pool');
import { limitMemory, WASM_PAGE } from '../memory-limit.js';
import { compileModule, contentHash, moduleReadError } from '../module.js';
import { createSharedStdin, feedSharedStdin } from './shared-stdin.js';
import { restoreVolume, type GuestError, type GuestResult, type GuestTask, type InputSpec, type OutputSpec, type PreopenSpec, type VolumeSnapshot } from './task.js';

export interface PoolOptions {
  /** Most worker threads (default: the number of CPUs). */
  maxThreads?: number;
  /** Threads kept ready (default 1). */
  minThreads?: number;
  /** Ms an idle thread above minThreads lives (default 30 s). */
  idleTimeout?: number;
  /** Calls that may wait for a thread; more are rejected (default: unbounded). */
  maxQueue?: number;
}

/** A module: a file path, its bytes, or an already compiled module. */
export type ModuleSource = string | Uint8Array | WebAssembly.Module;

export type PreopenSource = string | Volume | { host: string; readonly?: boolean } | { volume: Volume; readonly?: boolean };

export interface GuestRunOptions {
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** Bytes, a string, a stream (fed through shared memory), or a host fd. Default: empty. */
  stdin?: Uint8Array | string | AsyncIterable<Uint8Array | string> | number;
  /** 'buffer' (default): returned in the result; a function: each chunk as written; a number: a host fd. */
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

const WORKER = new URL('./guest-worker.js', import.meta.url).href;

function isVolume(v: unknown): v is Volume {
  return typeof v === 'object' && v !== null && '_core' in v && 'toJSON' in v;
}

function isAsyncIterable(v: unknown): v is AsyncIterable<Uint8Array | string> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}

export class Pool {
  private readonly piscina: Piscina<GuestTask, GuestResult>;
  private readonly modules = new Map<string, WebAssembly.Module>();
  /** path → what it held when last read, so a file is read and hashed only when it changes. */
  private readonly files = new Map<string, { stamp: string; module: WebAssembly.Module; limit: number | undefined }>();
  private readonly maxQueue: number;

  constructor(options: PoolOptions = {}) {
    const maxThreads = options.maxThreads ?? availableParallelism();
    this.maxQueue = options.maxQueue ?? Infinity;
    this.piscina = new Piscina<GuestTask, GuestResult>({
      filename: WORKER,
      maxThreads,
      minThreads: Math.min(options.minThreads ?? 1, maxThreads),
      idleTimeout: options.idleTimeout ?? 30_000,
      maxQueue: options.maxQueue ?? Infinity,
    });
  }

  /** Threads alive now (for tests and metrics). */
  get threads(): number {
    return this.piscina.threads.length;
  }

  /** Compile once per content (and per memory limit), shared by every worker. */
  private async module(source: ModuleSource, memoryLimitPages: number | undefined): Promise<WebAssembly.Module> {
    if (source instanceof WebAssembly.Module) {
      if (memoryLimitPages !== undefined) throw new UserError('memoryLimit needs the module as a path or bytes, not a compiled WebAssembly.Module');
      return source;
    }
    let stamp = '';
    let bytes: Uint8Array;
    if (typeof source === 'string') {
      try {
        const st = await stat(source);
        stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
        const hit = this.files.get(source);
        if (hit !== undefined && hit.stamp === stamp && hit.limit === memoryLimitPages) return hit.module;
        bytes = await readFile(source);
      } catch (e) {
        throw moduleReadError(source, e);
      }
    } else {
      bytes = source;
    }
    const key = `${contentHash(bytes)}:${memoryLimitPages ?? ''}`;
    let m = this.modules.get(key);
    if (m === undefined) {
      m = compileModule(memoryLimitPages === undefined ? bytes : limitMemory(bytes, memoryLimitPages), typeof source === 'string' ? source : 'module');
      this.modules.set(key, m);
    }
    if (typeof source === 'string') this.files.set(source, { stamp, module: m, limit: memoryLimitPages });
    return m;
  }

  async run(source: ModuleSource, o: GuestRunOptions = {}): Promise<GuestRunResult> {
    if (this.maxQueue !== Infinity && this.piscina.queueSize >= this.maxQueue) {
      throw new Error(`tswasi pool: the queue is full (maxQueue ${this.maxQueue}); try again later`);
    }
    const memoryLimitPages = o.memoryLimit === undefined ? undefined : Math.max(1, Math.floor(o.memoryLimit / WASM_PAGE));
    const module = await this.module(source, memoryLimitPages);
    const transfer: Array<MessagePort | ArrayBuffer> = [];
    const waits: Array<Promise<void>> = [];

    const outputSpec = (opt: GuestRunOptions['stdout']): OutputSpec => {
      if (opt === undefined || opt === 'buffer') return { kind: 'capture' };
      if (typeof opt === 'number') return { kind: 'fd', fd: opt };
      const { port1, port2 } = new MessageChannel();
      const cb = opt;
      waits.push(new Promise<void>((resolve) => {
        port1.on('message', (m: Uint8Array | 'end') => {
          if (m === 'end') { port1.close(); resolve(); } else cb(m);
        });
      }));
      transfer.push(port2);
      return { kind: 'port', port: port2 };
    };

    let stdin: InputSpec;
    if (o.stdin === undefined) stdin = { kind: 'bytes', data: new Uint8Array(0) };
    else if (typeof o.stdin === 'number') stdin = { kind: 'fd', fd: o.stdin };
    else if (typeof o.stdin === 'string') stdin = { kind: 'bytes', data: new TextEncoder().encode(o.stdin) };
    else if (o.stdin instanceof Uint8Array) stdin = { kind: 'bytes', data: o.stdin };
    else if (isAsyncIterable(o.stdin)) {
      const sab = createSharedStdin();
      void feedSharedStdin(sab, o.stdin).catch(() => { /* the stream failed: the guest sees end of input */ });
      stdin = { kind: 'shared', sab };
    } else throw new TypeError('stdin must be bytes, a string, an async iterable (stream) or an fd');

    const preopens: Record<string, PreopenSpec> = {};
    const volumes = new Map<string, Volume>();
    for (const [guest, src] of Object.entries(o.preopens ?? {})) {
      if (typeof src === 'string') preopens[guest] = { host: src };
      else if (isVolume(src)) { volumes.set(guest, src); preopens[guest] = { volume: snapshot(src) }; }
      else if ('host' in src) preopens[guest] = { host: src.host, readonly: src.readonly ?? false };
      else { volumes.set(guest, src.volume); preopens[guest] = { volume: snapshot(src.volume), readonly: src.readonly ?? false }; }
    }

    const task: GuestTask = {
      module,
      args: [...(o.args ?? [])],
      env: { ...(o.env ?? {}) },
      preopens,
      stdin,
      stdout: outputSpec(o.stdout),
      stderr: outputSpec(o.stderr),
      invoke: o.invoke,
      invokeArgs: o.invokeArgs === undefined ? undefined : [...o.invokeArgs],
      memoryLimitPages,
      trace: o.traceTo !== undefined ? o.traceTo
        : o.trace === undefined || o.trace === false ? undefined
        : { spec: o.trace === true ? 'all' : o.trace, collect: true },
    };

    const controller = new AbortController();
    let timedOut = false;
    const timer = o.timeoutMs === undefined ? null : setTimeout(() => { timedOut = true; controller.abort(); }, o.timeoutMs);
    const onAbort = (): void => controller.abort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    try {
      debug('run %s %o (queue %d, threads %d)', typeof source === 'string' ? source : 'module', task.args, this.piscina.queueSize, this.piscina.threads.length);
      const r = await this.piscina.run(task, { signal: controller.signal, transferList: transfer as never });
      debug('done: exit %d in %s ms%s', r.exitCode, r.durationMs.toFixed(2), r.error ? ` (${r.error.kind}: ${r.error.message})` : '');
      await Promise.all(waits);
      for (const [guest, vol] of volumes) {
        const snap = r.volumes?.[guest];
        if (snap !== undefined) restoreVolume(vol as never, snap);
      }
      const result: GuestRunResult = {
        exitCode: r.exitCode,
        stdout: Buffer.from(r.stdout ?? new Uint8Array(0)),
        stderr: Buffer.from(r.stderr ?? new Uint8Array(0)),
        durationMs: r.durationMs,
      };
      if (r.error !== undefined) result.error = r.error;
      if (r.results !== undefined) result.results = r.results;
      if (r.trace !== undefined) result.trace = r.trace;
      return result;
    } catch (e) {
      if (timedOut) {
        return {
          exitCode: 124, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), durationMs: performance.now() - started,
          error: { kind: 'timeout', message: `the guest ran longer than ${o.timeoutMs} ms and was stopped` },
        };
      }
      if (o.signal?.aborted) throw Object.assign(new Error('the guest was aborted'), { name: 'AbortError' });
      if (/queue is at limit/i.test(String((e as Error)?.message))) {
        throw new Error(`tswasi pool: the queue is full (maxQueue ${this.maxQueue}); try again later`);
      }
      throw e;
    } finally {
      if (timer !== null) clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  async destroy(): Promise<void> {
    await this.piscina.destroy();
  }
}

function snapshot(vol: Volume): VolumeSnapshot {
  return vol.toJSON(undefined, undefined, false, true) as VolumeSnapshot;
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
