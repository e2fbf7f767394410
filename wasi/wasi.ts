/**
 * The node:wasi-compatible WASI class: `import { WASI } from 'tswasi'` in
 * place of `node:wasi`, same options, same methods. WasiBase is all of it
 * but the machine: node.ts makes it Node's WASI (host fds, host directories),
 * browser.ts the browser's (memfs volumes, sinks and sources only).
 */
import { argsEnvCalls, StringList } from './calls/args-env.js';
import { clockCalls, clockTimeGetNoPrecision } from './calls/clock.js';
import { typedImports } from './trampoline.js';
import type { CallContext, WasiFunction, WasiFunctions } from './calls/context.js';
import { fdCalls } from './calls/fd.js';
import { pathCalls } from './calls/path.js';
import { pollCalls } from './calls/poll.js';
import { procCalls } from './calls/proc.js';
import { sockCalls } from './calls/sock.js';
import { WasiExit, errnoOf } from './errors.js';
import { DirFd, type Fd } from './fd.js';
import type { Namespace } from './fs/resolve.js';
import { fsMayHaveChanged } from './fs/stat-cache.js';
import { FdTable } from './fd-table.js';
import { WASI_FUNCTIONS } from './functions.js';
import { GuestMemory } from './memory.js';
import type { ListenersOption, Platform } from './platform.js';
import { type DirSource, capabilityPreopen, openDirSourceWith } from './preopens.js';
import { BufferSourceFd, type OutputCoalescer, SinkFd, SourceFd, type StdioSink, type StdioSource } from './stdio.js';

export type { StdioSink, StdioSource, OutputCoalescer } from './stdio.js';
export type { DirSource } from './preopens.js';
export type { ListenersOption } from './platform.js';

export interface WASIOptions {
  /** Only 'preview1' (wasi_snapshot_preview1) exists here; accepted for node:wasi compatibility. */
  version?: 'preview1';
  args?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  /** Guest path → host directory (or memfs Volume, or { host | volume, readonly }). */
  preopens?: Readonly<Record<string, DirSource>>;
  /** Extra fds after the preopens, already built (containers use this for their namespace). */
  extraFds?: readonly Fd[];
  /**
   * Listening sockets to give the guest, as fds 3, 4, … in this order,
   * before the preopens (wasmtime's `--tcplisten` / `--listenfd`): TCP
   * addresses `{ host, port }` that tswasi binds, or listening socket fds
   * of this process that tswasi takes over (and closes at the end). A
   * thread of their own serves them, so the guest may run on this thread
   * and block in sock_accept or poll_oneoff. Node only. See docs/sockets.md.
   */
  listeners?: ListenersOption;
  /** true (default): proc_exit makes start() return the code. false: the process exits. */
  returnOnExit?: boolean;
  stdin?: number | Uint8Array | string | StdioSource;
  stdout?: number | StdioSink;
  stderr?: number | StdioSink;
  /**
   * Gather small writes to a host-fd stdout that is not a terminal into one
   * syscall. Default false: as in node:wasi, every fd_write has reached its
   * fd when the call returns. `true`: gathered on this thread and written
   * before any other WASI call than a write, at 10 ms of age while writes
   * continue, and before start() returns (a reactor's writes are never
   * gathered: its exports return to a caller that may close the fd). An
   * OutputCoalescer (a SharedOutputWriter): gathered where another thread
   * can write them out while the guest computes (what the CLI and the pool use).
   */
  coalesceStdout?: boolean | OutputCoalescer;
  /**
   * Wraps every import (tracing): gets the name, the function and read access
   * to guest memory and the fd table; returns the replacement. Unset, the
   * imports are the plain functions and tracing costs nothing.
   */
  wrapImport?: (name: string, fn: WasiFunction, ctx: CallContext) => WasiFunction;
  /**
   * Default true: while a command runs, the lstat fd_readdir takes of each
   * entry (for d_ino) answers the guest's own stat of that entry for up to
   * 5 ms, unless a WASI call that may change a file came between (a walk
   * then costs one lstat per entry, not two). Set false when imports of
   * your own change files in a preopen while the guest runs: WASI cannot
   * see those calls. See wasi/fs/stat-cache.ts.
   */
  statCache?: boolean;
}

type Exports = WebAssembly.Exports & { memory?: WebAssembly.Memory; _start?: () => void; _initialize?: () => void };

/**
 * Catch host-side exceptions of an import and return an errno; only proc_exit
 * unwinds. `before` runs first (the output flush).
 */
function guard(fn: WasiFunction, before: (() => void) | null): WasiFunction {
  const f = fn as (...a: unknown[]) => number;
  const fail = (e: unknown): number => {
    if (e instanceof WasiExit) throw e;
    return errnoOf(e);
  };
  const b = before;
  // Fixed arities keep the calls free of rest-argument arrays (with or without a flush first).
  switch (fn.length) {
    case 0: return (() => { try { b?.(); return f(); } catch (e) { return fail(e); } }) as WasiFunction;
    case 1: return ((a: unknown) => { try { b?.(); return f(a); } catch (e) { return fail(e); } }) as WasiFunction;
    case 2: return ((a: unknown, c: unknown) => { try { b?.(); return f(a, c); } catch (e) { return fail(e); } }) as WasiFunction;
    case 3: return ((a: unknown, c: unknown, d: unknown) => { try { b?.(); return f(a, c, d); } catch (e) { return fail(e); } }) as WasiFunction;
    case 4: return ((a: unknown, c: unknown, d: unknown, g: unknown) => { try { b?.(); return f(a, c, d, g); } catch (e) { return fail(e); } }) as WasiFunction;
    case 5: return ((a: unknown, c: unknown, d: unknown, g: unknown, h: unknown) => { try { b?.(); return f(a, c, d, g, h); } catch (e) { return fail(e); } }) as WasiFunction;
    default: return ((...a: unknown[]) => { try { b?.(); return f(...a); } catch (e) { return fail(e); } }) as WasiFunction;
  }
}

export class WasiBase {
  /** The imports as plain JS functions (guarded, maybe traced); typed on demand. */
  private readonly jsImports: WasiFunctions;
  private readonly dropPrecision: boolean;
  private typed: WasiFunctions | undefined;
  readonly fds = new FdTable();
  private readonly mem = new GuestMemory();
  /** stdout's write-combining, or null: flushed before every call that is not a write. */
  private readonly output: OutputCoalescer | null;
  /** The guest's stdout as created (the guest may close or renumber fd 1). */
  private readonly stdoutFd: Fd;
  /** Every namespace of our preopens, so their directory caches are closed with us. */
  private readonly namespaces = new Set<Namespace>();
  private readonly returnOnExit: boolean;
  private readonly statCache: boolean;
  private started = false;
  /** Lets the sockets' host go (it sends what is queued, then closes): set when the guest has listeners. */
  private endSockets: (() => void) | null = null;

  constructor(options: WASIOptions, private readonly platform: Platform) {
    if (options.version !== undefined && options.version !== 'preview1') {
      throw new TypeError(`unsupported WASI version: ${String(options.version)} (only "preview1")`);
    }
    this.returnOnExit = options.returnOnExit ?? true;
    this.statCache = options.statCache ?? true;
    const stdout = options.stdout ?? 1;
    const coalesce = options.coalesceStdout ?? false;
    this.output = typeof stdout !== 'number' || coalesce === false ? null
      : coalesce === true ? platform.localOutput(stdout) : coalesce;
    this.fds.set(0, stdinFd(options.stdin ?? 0, platform));
    this.stdoutFd = outputFd(stdout, this.output, true, platform);
    this.fds.set(1, this.stdoutFd);
    this.fds.set(2, outputFd(options.stderr ?? 2, this.output, false, platform));
    ['stdin', 'stdout', 'stderr'].forEach((label, fd) => { this.fds.lookup(fd).label = label; });
    // Directories are opened first (a bad path throws before anything listens), listeners get the fds before them.
    const preopens = Object.entries(options.preopens ?? {}).map(([guestPath, src]) => capabilityPreopen(guestPath, openDirSourceWith(src, platform.openHostDir)));
    const listeners = options.listeners;
    if (listeners !== undefined && ('channel' in listeners || listeners.length > 0)) {
      let opened;
      try {
        opened = platform.listeners(listeners);
      } catch (e) {
        for (const p of preopens) p.close();
        throw e;
      }
      this.endSockets = opened.end;
      for (const fd of opened.fds) this.fds.insert(fd);
    }
    for (const p of preopens) this.fds.insert(p);
    for (const fd of options.extraFds ?? []) this.fds.insert(fd);
    for (const [, entry] of this.fds.entries()) if (entry instanceof DirFd) this.namespaces.add(entry.ref.ns);

    const env = Object.entries(options.env ?? {})
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => `${k}=${v}`);
    const ctx: CallContext = { mem: this.mem, fds: this.fds };
    // The groups' functions go into one object by assignment, not by object
    // spread: V8 (Node 20) spends ~120 µs spreading 46 function-valued
    // properties, more than the rest of this constructor (a pooled call pays it).
    const groups: WasiFunctions[] = [
      argsEnvCalls(ctx, new StringList(options.args ?? []), new StringList(env)),
      clockCalls(ctx), fdCalls(ctx), pathCalls(ctx), pollCalls(ctx), procCalls(ctx), sockCalls(ctx),
    ];
    const imports: WasiFunctions = {};
    const output = this.output;
    const flush = output === null ? null : (): void => output.flush();
    const markAndFlush = output === null ? fsMayHaveChanged : (): void => { fsMayHaveChanged(); output.flush(); };
    for (const group of groups) {
      for (const name in group) {
        const fn = group[name]!;
        // What runs first, and whether the guard is needed: the function table says (wasi/functions.ts).
        const spec = WASI_FUNCTIONS[name];
        const noFlush = spec?.outputMayWait ?? false;
        const before = spec?.keepsStatsFresh ? (noFlush ? null : flush) : (noFlush ? fsMayHaveChanged : markAndFlush);
        const guarded = spec?.neverThrows ? fn : guard(fn, before);
        imports[name] = options.wrapImport ? options.wrapImport(name, guarded, ctx) : guarded;
      }
    }
    // Untraced, the hottest call skips the BigInt its ignored argument costs.
    this.dropPrecision = !options.wrapImport;
    if (this.dropPrecision) imports['clock_time_get'] = clockTimeGetNoPrecision(ctx) as WasiFunction;
    this.jsImports = imports;
  }

  /**
   * Every WASI function as a wasm function of the spec's type: a module
   * importing one with another type fails to link. Made on first use.
   */
  get wasiImport(): WasiFunctions {
    return (this.typed ??= typedImports(this.jsImports, this.dropPrecision));
  }

  /**
   * The import object. With `only` (the names a module imports from
   * wasi_snapshot_preview1), just those functions, typed the same way: a
   * runner that knows its module skips making the other ~40 (a pooled call
   * of a small guest pays for every one made).
   */
  getImportObject(only?: readonly string[]): { wasi_snapshot_preview1: WasiFunctions } {
    if (only === undefined) return { wasi_snapshot_preview1: this.wasiImport };
    return { wasi_snapshot_preview1: typedImports(this.jsImports, this.dropPrecision, only) };
  }

  /** Run a command (`_start`). Returns the exit code: proc_exit's, or 0 when _start returns. */
  start(instance: WebAssembly.Instance): number {
    const exports = this.begin(instance);
    if (typeof exports._start !== 'function') throw new TypeError('instance.exports._start is not a function');
    if (exports._initialize !== undefined) throw new TypeError('instance.exports._initialize must not be present for a command');
    // Only a command keeps fd_readdir's stats: no code of the embedder runs until _start returns.
    if (this.statCache) for (const ns of this.namespaces) if (ns.statCache) ns.statCache.active = true;
    try {
      exports._start();
      return 0;
    } catch (e) {
      if (!(e instanceof WasiExit)) throw e;
      if (!this.returnOnExit) this.platform.exit(e.code);
      return e.code;
    } finally {
      this.close();
    }
  }

  /** Set up a reactor (`_initialize`, if present); its exports may then be called. */
  initialize(instance: WebAssembly.Instance): void {
    const exports = this.begin(instance);
    if (exports._start !== undefined) throw new TypeError('instance.exports._start must not be present for a reactor');
    try {
      if (exports._initialize !== undefined) {
        if (typeof exports._initialize !== 'function') throw new TypeError('instance.exports._initialize is not a function');
        exports._initialize();
      }
    } finally {
      // From here the guest runs inside the embedder's calls to its exports,
      // which return to code that may close or reuse the fd: write at once.
      this.stopCoalescing();
    }
  }

  /** Attach to an instance's memory without running anything (for `--invoke` and embedders). */
  attach(instance: WebAssembly.Instance): void {
    this.begin(instance);
  }

  /** Write what is gathered and every later stdout write at once. */
  private stopCoalescing(): void {
    this.platform.stopCoalescing(this.stdoutFd);
  }

  private begin(instance: WebAssembly.Instance): Exports {
    if (this.started) throw new Error('WASI instance has already started');
    const exports = instance.exports as Exports;
    if (!(exports.memory instanceof WebAssembly.Memory)) throw new TypeError('instance.exports.memory is not a WebAssembly.Memory');
    this.started = true;
    this.mem.attach(exports.memory);
    return exports;
  }

  /** Close every fd the guest still holds (host stdio stays open); unwritten output is written. */
  close(): void {
    try { this.output?.flush(); } catch { /* the reader went away */ }
    for (const ns of this.namespaces) {
      ns.dirCache?.clear();
      if (ns.statCache) {
        ns.statCache.active = false;
        ns.statCache.clear();
      }
    }
    for (const [fd, entry] of this.fds.entries()) {
      try {
        this.fds.remove(fd);
        entry.close();
      } catch { /* closing is best effort */ }
    }
    this.endSockets?.();
    this.endSockets = null;
  }
}

function stdinFd(src: number | Uint8Array | string | StdioSource, platform: Platform): Fd {
  if (typeof src === 'number') return platform.hostStdio(src, null, false);
  if (typeof src === 'object' && !(src instanceof Uint8Array)) return new SourceFd(src);
  return new BufferSourceFd(typeof src === 'string' ? new TextEncoder().encode(src) : src);
}

function outputFd(dst: number | StdioSink, output: OutputCoalescer | null, coalesce: boolean, platform: Platform): Fd {
  return typeof dst === 'number' ? platform.hostStdio(dst, output, coalesce) : new SinkFd(dst);
}
