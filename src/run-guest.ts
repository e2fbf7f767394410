/**
 * Running one guest — the one place that does it, for the pool's worker
 * (./pool/guest-worker.ts), `tswasi run` (./cli/run.ts) and the container
 * runner's thread (oci/runner-guest.ts): instantiate a compiled module under
 * WASI (with AssemblyScript's `env` when it imports it), run `_start` or call
 * one export, and say what happened as a value. A trap, a failed link or a
 * host error never escapes as an exception. What differs between the callers
 * — the thread, where output goes, the filesystem, a memory cap, tracing —
 * is input.
 */
import { ListenError, WASI, WasiExit, type WASIOptions } from '../wasi/index.js';
import { assemblyScriptEnv, instantiateAssemblyScript, invokeAssemblyScript, needsAssemblyScriptEnv } from './assemblyscript.js';
import { UserError, errorMessage } from './errors.js';
import { assertImports, instantiate } from './instantiate.js';
import { WASM_PAGE } from './memory-limit.js';
import { describeTrap, isTrap } from './trap.js';

export interface GuestInput {
  /** Compiled by the caller; with a memory cap, from the rewritten bytes (./memory-limit.ts). */
  module: WebAssembly.Module;
  /** The guest's WASI: args, env, filesystem, stdio. */
  wasi: WASIOptions;
  /** Call this export instead of `_start`; its result is returned. */
  invoke?: string | undefined;
  invokeArgs?: readonly string[] | undefined;
  /** Pages the module's memories were capped at: a failure near the cap is reported as the limit. */
  memoryLimitPages?: number | undefined;
}

/** Why a guest did not simply exit: `timeout` and `aborted` come from the caller that stopped its thread. */
export interface GuestError {
  kind: 'trap' | 'memory' | 'error' | 'timeout' | 'aborted';
  /** One line, without the `error: ` prefix the CLI and the container print. */
  message: string;
  /** A trap's wasm frames, innermost first (also in `message`). */
  frames?: string[] | undefined;
}

/** What happened: the exit status a process would end with (a trap is 134, an error 1, a timeout 124), and why. */
export interface GuestOutcome {
  exitCode: number;
  error?: GuestError | undefined;
  /** --invoke: the export's result. */
  results?: unknown[] | undefined;
}

/** Exit status of a trapped guest: 128 + SIGABRT, as wasmtime exits on a trap. */
export const TRAP_EXIT = 134;

/**
 * Did the guest fail because it hit its memory limit? A failed memory.grow is
 * invisible to the host, so judge by the size reached: an allocator that
 * fails is within its last growth step (at most an eighth, or 2 MiB) of the cap.
 */
function nearLimit(memory: WebAssembly.Memory | undefined, limitPages: number | undefined): limitPages is number {
  if (memory === undefined || limitPages === undefined) return false;
  const limit = limitPages * WASM_PAGE;
  return memory.buffer.byteLength + Math.max(2 << 20, limit / 8) > limit;
}

/** An --invoke argument for a numeric parameter: i64 values past 2^53 need a BigInt. */
function parseNumber(s: string): number | bigint {
  if (/^-?\d+$/.test(s) && !Number.isSafeInteger(Number(s))) return BigInt(s);
  const n = Number(s);
  if (Number.isNaN(n) && s !== 'NaN') throw new UserError(`--invoke argument is not a number: ${s}`);
  return n;
}

/** The outcome of a guest that threw `e`: a trap (exit 134), or an error (exit 1). */
export function failure(e: unknown, memory: WebAssembly.Memory | undefined, limitPages: number | undefined): GuestOutcome {
  if (isTrap(e)) {
    const t = describeTrap(e);
    if (nearLimit(memory, limitPages)) {
      return { exitCode: TRAP_EXIT, error: { kind: 'memory', message: `memory limit of ${limitPages * WASM_PAGE} bytes reached (${t.message})` } };
    }
    const at = t.frames.length > 0 ? ` (at ${t.frames.join(' <- ')})` : '';
    return { exitCode: TRAP_EXIT, error: { kind: 'trap', message: `wasm trap: ${t.message}${at}`, frames: t.frames } };
  }
  const message = e instanceof ListenError ? e.message : errorMessage(e);
  return { exitCode: 1, error: { kind: 'error', message } };
}

/** The guest ended by itself with `code`; a failure at its memory cap says so. */
function exited(code: number, memory: WebAssembly.Memory | undefined, limitPages: number | undefined): GuestOutcome {
  if (code !== 0 && nearLimit(memory, limitPages)) {
    return { exitCode: code, error: { kind: 'memory', message: `memory limit of ${limitPages * WASM_PAGE} bytes reached` } };
  }
  return { exitCode: code };
}

/** Run the guest to its end on this thread. */
export function runGuest(input: GuestInput): GuestOutcome {
  const { module, memoryLimitPages } = input;
  let memory: WebAssembly.Memory | undefined;
  try {
    const wasi = new WASI(input.wasi);
    // Read once: which WASI functions to make (only those the module
    // imports), whether it is AssemblyScript, and what it lacks.
    const declared = WebAssembly.Module.imports(module);
    const wasiImports = wasi.getImportObject(declared.filter((i) => i.module === 'wasi_snapshot_preview1').map((i) => i.name));
    // AssemblyScript modules get their env (abort, trace, seed) and, through the loader, strings.
    const asModule = needsAssemblyScriptEnv(module, declared);
    let instance: WebAssembly.Instance;
    let exports: Record<string, unknown>;
    if (asModule) {
      const imports = { ...wasiImports, env: assemblyScriptEnv(() => memory) };
      assertImports(module, imports, declared);
      ({ instance, exports } = instantiateAssemblyScript(module, imports));
    } else {
      instance = instantiate(module, wasiImports, declared);
      exports = instance.exports;
    }
    memory = instance.exports['memory'] as WebAssembly.Memory | undefined;
    if (input.invoke === undefined) return exited(wasi.start(instance), memory, memoryLimitPages);

    const fn = instance.exports[input.invoke];
    if (typeof fn !== 'function') throw new UserError(`failed to find export \`${input.invoke}\``);
    if (typeof instance.exports['_initialize'] === 'function') wasi.initialize(instance);
    else wasi.attach(instance);
    const args = input.invokeArgs ?? [];
    try {
      const r: unknown = asModule
        ? invokeAssemblyScript(exports, input.invoke, args)
        : (fn as (...a: unknown[]) => unknown)(...args.map(parseNumber));
      return { exitCode: 0, results: r === undefined ? [] : [typeof r === 'bigint' ? r.toString() : r] };
    } catch (e) {
      if (!(e instanceof WasiExit)) throw e;
      return exited(e.code, memory, memoryLimitPages);
    } finally {
      wasi.close();
    }
  } catch (e) {
    return failure(e, memory, memoryLimitPages);
  }
}
