/**
 * The piscina worker: one pooled call. Turns the task that crossed from the
 * caller's thread (./task.ts) into a guest's WASI — output rings, memfs
 * volumes, shared stdin, tracing — runs it with the one runGuest
 * (../run-guest.ts) and returns the outcome with what the caller writes back.
 * Never throws: the pool survives any guest.
 */
import fs from 'node:fs';
import { tracerFor } from '../trace/setup.js';
import type { Tracer } from '../trace/tracer.js';
import { SharedOutputWriter, writeAll, type CallContext, type OutputCoalescer, type StdioSink, type StdioSource, type WASIOptions, type WasiFunction } from '../../wasi/index.js';
import { RecordingError } from '../record/format.js';
import type { Recorder } from '../record/recorder.js';
import { Replayer } from '../record/replayer.js';
import { loadRecording, recordTo, recordingEnd, replayOutcome, replayOutput, replayWasiOptions } from '../record/session.js';
import { errorMessage } from '../errors.js';
import { runGuest as runOnThisThread, type GuestOutcome } from '../run-guest.js';
import { SharedStdinReader } from './shared-stdin.js';
import { preopenSources, snapshots } from './preopens.js';
import type { GuestResult, GuestTask, OutputSpec } from './task.js';

/**
 * A stdio stream of the guest: a host fd written at once, a host fd whose
 * small writes are gathered in the shared ring (the caller's thread writes
 * them out while the guest computes), or a sink into the ring.
 */
function output(spec: OutputSpec): { dst: number | StdioSink; coalescer: OutputCoalescer | null } {
  if (spec.kind === 'fd') return { dst: spec.fd, coalescer: null };
  const fd = spec.fd;
  if (fd === undefined) return { dst: new SharedOutputWriter(spec.sab, null, { wakeOnData: spec.captured !== true }), coalescer: null };
  return { dst: fd, coalescer: new SharedOutputWriter(spec.sab, (buf, off, len) => writeAll(fd, buf, off, len)) };
}

export default function runGuest(task: GuestTask): GuestResult {
  const started = performance.now();
  const out = output(task.stdout);
  const err = output(task.stderr);
  const { preopens, volumes } = preopenSources(task.preopens);
  let stdin: number | Uint8Array | StdioSource;
  switch (task.stdin.kind) {
    case 'fd': stdin = task.stdin.fd; break;
    case 'bytes': stdin = task.stdin.data; break;
    case 'shared': stdin = new SharedStdinReader(task.stdin.sab); break;
  }
  let tracer: Tracer | null = null;
  const traceLines: string[] = [];
  let outcome: GuestOutcome;
  let recorder: Recorder | undefined;
  let replayer: Replayer | undefined;
  try {
    tracer = tracerFor(task.trace, traceLines);
    if (task.record !== undefined) recorder = recordTo(task.record.file, task.record.start);
    if (task.replay !== undefined) replayer = new Replayer(loadRecording(task.replay), replayOutput(out.dst, err.dst));
    // Traced and recorded (or replayed): the tracer sees the call as the recorder passes it on.
    const inner = recorder?.wrap ?? replayer?.wrap;
    const t = tracer;
    const wrapImport = t !== null && inner !== undefined ? (n: string, f: WasiFunction, c: CallContext) => t.wrap(n, inner(n, f, c), c) : (t?.wrap ?? inner);
    const host: WASIOptions = replayer !== undefined ? replayWasiOptions(replayer) : {
      args: task.args, env: task.env, preopens, stdin, stdout: out.dst, stderr: err.dst,
      ...(out.coalescer !== null ? { coalesceStdout: out.coalescer } : {}),
      ...(task.listeners !== undefined ? { listeners: task.listeners } : {}),
    };
    outcome = runOnThisThread({
      module: task.module,
      wasi: { ...host, ...(wrapImport !== undefined ? { wrapImport } : {}) },
      invoke: task.invoke,
      invokeArgs: task.invokeArgs,
      memoryLimitPages: task.memoryLimitPages,
    });
    recorder?.end(recordingEnd(outcome));
    if (replayer !== undefined) outcome = replayOutcome(replayer, outcome);
  } catch (e) {
    // Only a bad trace spec, a recording that cannot be written or read gets here: runGuest itself never throws.
    recorder?.abandon();
    const message = e instanceof RecordingError ? e.message : errorMessage(e);
    outcome = { exitCode: 1, error: { kind: 'error', message } };
  }
  const result: GuestResult = { ...outcome, durationMs: 0 };
  if (tracer !== null) {
    tracer.close();
    if (task.trace?.summary) {
      const table = tracer.summary();
      if (task.trace.collect) traceLines.push(table);
      else if (!tracer.summaryInFile) fs.writeSync(2, table + '\n');
    }
    if (task.trace?.collect) result.trace = traceLines;
  }
  const after = snapshots(volumes);
  if (after !== undefined) result.volumes = after;
  result.durationMs = performance.now() - started;
  return result;
}
