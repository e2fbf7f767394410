/**
 * The piscina worker: runs one guest per task, synchronously, with a fresh
 * instance and fresh memory, and returns what happened as a value — a trap
 * or host error never escapes as an exception, so the pool survives it.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { tracerFor } from '../trace/setup.js';
import type { Tracer } from '../trace/tracer.js';
import { SharedOutputWriter, WASI, WasiExit, writeAll, type DirSource, type OutputCoalescer, type StdioSink, type StdioSource } from '../../wasi/index.js';
import { assertImports, instantiate } from '../instantiate.js';
import { assemblyScriptEnv, instantiateAssemblyScript, invokeAssemblyScript, needsAssemblyScriptEnv } from '../assemblyscript.js';
import { describeTrap, isTrap, trapLine } from '../trap.js';
import { UserError } from '../errors.js';
import { SharedStdinReader } from './shared-stdin.js';
import { restoreVolume, type GuestResult, type GuestTask, type OutputSpec, type VolumeSnapshot } from './task.js';

type MemfsModule = typeof import('memfs');
let memfsModule: MemfsModule | null = null;
const loadMemfs = (): MemfsModule => (memfsModule ??= createRequire(import.meta.url)('memfs') as MemfsModule);

/**
 * A stdio stream of the guest: a host fd written at once, a host fd whose
 * small writes are gathered in the shared ring (the caller's thread writes
 * them out while the guest computes), or a sink into the ring.
 */
function output(spec: OutputSpec): { dst: number | StdioSink; coalescer: OutputCoalescer | null } {
  if (spec.kind === 'fd') return { dst: spec.fd, coalescer: null };
  const fd = spec.fd;
  if (fd === undefined) return { dst: new SharedOutputWriter(spec.sab, null), coalescer: null };
  return { dst: fd, coalescer: new SharedOutputWriter(spec.sab, (buf, off, len) => writeAll(fd, buf, off, len)) };
}

/**
 * Did the guest fail because it hit its memory limit? A failed memory.grow is
 * invisible to the host, so judge by the size reached: an allocator that
 * fails is within its last growth step (at most an eighth, or 2 MiB) of the cap.
 */
function nearLimit(memory: WebAssembly.Memory | undefined, limitPages: number | undefined): boolean {
  if (memory === undefined || limitPages === undefined) return false;
  const limit = limitPages * 65536;
  return memory.buffer.byteLength + Math.max(2 << 20, limit / 8) > limit;
}

/** An --invoke argument for a numeric parameter: i64 values past 2^53 need a BigInt. */
function parseNumber(s: string): number | bigint {
  if (/^-?\d+$/.test(s) && !Number.isSafeInteger(Number(s))) return BigInt(s);
  const n = Number(s);
  if (Number.isNaN(n) && s !== 'NaN') throw new UserError(`--invoke argument is not a number: ${s}`);
  return n;
}

export default function runGuest(task: GuestTask): GuestResult {
  const started = performance.now();
  const out = output(task.stdout);
  const err = output(task.stderr);
  const volumes = new Map<string, InstanceType<MemfsModule['Volume']>>();
  const preopens: Record<string, DirSource> = {};
  for (const [guest, spec] of Object.entries(task.preopens)) {
    if ('host' in spec) {
      preopens[guest] = { host: spec.host, readonly: spec.readonly ?? false };
    } else {
      const { vol } = loadMemfs().memfs();
      restoreVolume(vol as never, spec.volume);
      volumes.set(guest, vol);
      preopens[guest] = { volume: vol, readonly: spec.readonly ?? false };
    }
  }
  let stdin: number | Uint8Array | StdioSource;
  switch (task.stdin.kind) {
    case 'fd': stdin = task.stdin.fd; break;
    case 'bytes': stdin = task.stdin.data; break;
    case 'shared': stdin = new SharedStdinReader(task.stdin.sab); break;
  }
  const result: GuestResult = { exitCode: 0, durationMs: 0 };
  let memory: WebAssembly.Memory | undefined;
  let tracer: Tracer | null = null;
  const traceLines: string[] = [];
  try {
    tracer = tracerFor(task.trace, traceLines);
    const wasi = new WASI({
      args: task.args, env: task.env, preopens, stdin, stdout: out.dst, stderr: err.dst,
      ...(out.coalescer !== null ? { coalesceStdout: out.coalescer } : {}),
      ...(tracer !== null ? { wrapImport: tracer.wrap } : {}),
    });
    // AssemblyScript modules get their env (abort, trace, seed) and, through the loader, strings.
    const asModule = needsAssemblyScriptEnv(task.module);
    let exports: Record<string, unknown>;
    let instance: WebAssembly.Instance;
    if (asModule) {
      const imports = { ...wasi.getImportObject(), env: assemblyScriptEnv(() => memory) };
      assertImports(task.module, imports);
      const r = instantiateAssemblyScript(task.module, imports);
      instance = r.instance;
      exports = r.exports;
    } else {
      instance = instantiate(task.module, wasi.getImportObject());
      exports = instance.exports;
    }
    memory = instance.exports['memory'] as WebAssembly.Memory | undefined;
    if (task.invoke === undefined) {
      result.exitCode = wasi.start(instance);
    } else {
      const fn = instance.exports[task.invoke];
      if (typeof fn !== 'function') throw new UserError(`failed to find export \`${task.invoke}\``);
      if (typeof instance.exports['_initialize'] === 'function') wasi.initialize(instance);
      else wasi.attach(instance);
      try {
        const r: unknown = asModule
          ? invokeAssemblyScript(exports, task.invoke, task.invokeArgs ?? [])
          : (fn as (...a: unknown[]) => unknown)(...(task.invokeArgs ?? []).map(parseNumber));
        result.results = r === undefined ? [] : [typeof r === 'bigint' ? r.toString() : r];
      } catch (e) {
        if (!(e instanceof WasiExit)) throw e;
        result.exitCode = e.code;
      } finally {
        wasi.close();
      }
    }
  } catch (e) {
    if (isTrap(e)) {
      result.exitCode = 134;
      const atLimit = nearLimit(memory, task.memoryLimitPages);
      result.error = atLimit
        ? { kind: 'memory', message: `memory limit of ${task.memoryLimitPages! * 65536} bytes reached (${describeTrap(e).message})` }
        : { kind: 'trap', message: trapLine(e).replace(/^error: /, '') };
    } else {
      result.exitCode = 1;
      result.error = { kind: 'error', message: e instanceof UserError ? e.message : `internal error: ${(e as Error)?.message ?? String(e)}` };
    }
  }
  if (result.error === undefined && result.exitCode !== 0 && nearLimit(memory, task.memoryLimitPages)) {
    result.error = { kind: 'memory', message: `memory limit of ${task.memoryLimitPages! * 65536} bytes reached` };
  }
  if (tracer !== null) {
    tracer.close();
    if (task.trace?.summary) {
      const table = tracer.summary();
      if (task.trace.collect) traceLines.push(table);
      else if (!tracer.summaryInFile) fs.writeSync(2, table + '\n');
    }
    if (task.trace?.collect) result.trace = traceLines;
  }
  if (volumes.size > 0) {
    result.volumes = {};
    for (const [guest, vol] of volumes) result.volumes[guest] = vol.toJSON(undefined, undefined, false, true) as VolumeSnapshot;
  }
  result.durationMs = performance.now() - started;
  return result;
}
