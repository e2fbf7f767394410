/** `tswasi run`: wasmtime-compatible flags, exit status = the guest's. */
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';

import { UserError } from '../errors.js';
import { compileModule, readModule } from '../module.js';
import { oneShotRunner } from '../pool/one-shot.js';
import { Pool } from '../pool/pool.js';
import type { TraceSpec } from '../trace/setup.js';
import { parseTraceSpec } from '../trace/tracer.js';
import { errorLine } from '../run-guest.js';
import { isTrap, trapLine } from '../trap.js';
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

/** Run and return the process exit status. Prints one line on any failure. */
export async function run(a: RunArgs): Promise<number> {
  try {
    const preopens: Record<string, string> = {};
    for (const spec of a.dir) {
      const [guest, src] = parseDir(spec);
      preopens[guest] = src;
    }
    const env = parseEnv(a.env);
    let traceTo: TraceSpec | undefined;
    // --trace-file alone means "trace to this file"; with --trace-summary alone, the summary goes there.
    if (a.trace !== undefined || a.traceSummary || a.traceFile !== undefined) {
      const spec = a.trace ?? (a.traceSummary ? 'summary-only' : 'all');
      if (spec !== 'summary-only') {
        try { parseTraceSpec(spec); } catch (e) { throw new UserError((e as Error).message, 2); }
      }
      traceTo = { spec, file: a.traceFile, summary: a.traceSummary ?? false };
    }
    const bytes = readModule(a.module);
    // A text module is compiled from WAT first, as wasmtime does.
    const module = compileModule(looksLikeWat(bytes) ? await compileWat(bytes, a.module) : bytes, a.module, { cache: false });
    // The guest runs in a worker thread with the process's own stdio fds;
    // this thread only waits (and could stop it). One guest, once: a plain
    // worker (started early by ./tswasi.ts), not a piscina pool.
    const pool = new Pool({}, oneShotRunner());
    // The guest's gathered stdout is written out by this thread; a signal or
    // an exit of this process must not lose it (a busy guest never returns
    // to us, so only this thread can).
    const stopOutputLoss = keepOutputOnExit(pool);
    let result;
    try {
      result = await pool.run(module, {
        // argv[0] is the module's base name, as wasmtime passes it: the guest learns no host path.
        args: [a.argv0 ?? basename(a.module), ...(a.invoke === undefined ? a.args : [])],
        env,
        preopens,
        stdin: 0,
        stdout: 1,
        stderr: 2,
        invoke: a.invoke,
        invokeArgs: a.invoke === undefined ? undefined : a.args,
        ...(traceTo !== undefined ? { traceTo } : {}),
      });
    } finally {
      stopOutputLoss();
      await pool.destroy();
    }
    if (result.error !== undefined) process.stderr.write(errorLine(result.error) + '\n');
    for (const r of result.results ?? []) process.stdout.write(`${String(r)}\n`);
    return result.exitCode;
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`error: ${e.message}\n`);
      return e.exitCode;
    }
    if (isTrap(e)) {
      process.stderr.write(trapLine(e) + '\n');
      return 134; // 128 + SIGABRT, as wasmtime exits on a trap
    }
    process.stderr.write(`error: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    return 70;
  }
}

/** Signals that end a `tswasi run` (their default action), after the guest's output is written. */
const FATAL_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * Until the returned function is called: on SIGTERM, SIGINT or SIGHUP write
 * the guest's gathered output, then die of the same signal (the exit status a
 * shell or supervisor expects); on any exit of this process write it too.
 */
function keepOutputOnExit(pool: Pool): () => void {
  const onExit = (): void => pool.drainOutput();
  const handlers = FATAL_SIGNALS.map((sig) => {
    const h = (): void => {
      pool.drainOutput();
      stop();
      process.kill(process.pid, sig);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  process.on('exit', onExit);
  function stop(): void {
    for (const [sig, h] of handlers) process.off(sig, h);
    process.off('exit', onExit);
  }
  return stop;
}
