/**
 * The WASI class of tswasi's public API (`import { WASI } from 'tswasi'`):
 * wasi/'s node:wasi-compatible class with record and replay as options
 * (docs/record-replay.md, "Embedding"). Without them it is that class
 * unchanged; wasi/ itself knows nothing of recordings.
 */
import { WASI as NodeWASI, WasiExit, type WASIOptions } from '../wasi/index.js';
import type { CallContext, WasiFunction } from '../wasi/calls/context.js';
import { failure, type GuestOutcome } from './run-guest.js';
import type { Recorder } from './record/recorder.js';
import { Replayer, ReplayStop } from './record/replayer.js';
import { loadRecording, recordTo, recordingEnd, recordingStart, replayOutcome, replayOutput, replayWasiOptions } from './record/session.js';

export interface RecordReplayOptions {
  /**
   * Record the run into this file: every WASI call's results and the bytes
   * the host wrote into guest memory. `module`: the wasm bytes the instance
   * runs, kept in the recording so `tswasi replay FILE` needs nothing else
   * (without it, replay needs `--module`).
   */
  record?: string | { file: string; module?: Uint8Array | undefined };
  /**
   * Answer every WASI call from this recording (a file path or its bytes)
   * instead of the host: args, env, preopens, stdin and listeners are not
   * used; what the guest writes to stdout and stderr goes to `stdout` and
   * `stderr` (host fds 1 and 2 by default). A guest that calls otherwise
   * than the recording stops there: start() throws a ReplayStop whose
   * message says where. Instantiate `recordedModule` (or a rebuilt module).
   */
  replay?: string | Uint8Array;
}

export { ReplayStop };

export class WASI extends NodeWASI {
  /** With `replay`: the module bytes the recording holds. */
  readonly recordedModule: Uint8Array | undefined;
  private readonly recorder: Recorder | undefined;
  private readonly replayer: Replayer | undefined;
  /** With `returnOnExit: false`: whether proc_exit was called (the process exits once the recording is written). */
  private readonly exitAfter: { called: boolean } | undefined;

  constructor(options: WASIOptions & RecordReplayOptions = {}) {
    const { record, replay, ...rest } = options;
    if (record !== undefined && replay !== undefined) throw new TypeError('WASI: record and replay cannot both be given');
    let recorder: Recorder | undefined;
    let replayer: Replayer | undefined;
    let wasiOptions: WASIOptions = rest;
    let recordedModule: Uint8Array | undefined;
    // Whether the guest called proc_exit: with `returnOnExit: false` the process then exits, once the recording is written or checked.
    const exited = { called: false };
    const markExit = (n: string, f: WasiFunction): WasiFunction => (n !== 'proc_exit' ? f : ((code: number) => {
      exited.called = true;
      return (f as (c: number) => number)(code);
    }) as WasiFunction);
    if (record !== undefined) {
      const r = typeof record === 'string' ? { file: record } : record;
      recorder = recordTo(r.file, recordingStart(r.module, { args: rest.args ?? [], env: rest.env ?? {}, preopens: Object.keys(rest.preopens ?? {}) }));
      const rec = recorder;
      const inner = (n: string, f: WasiFunction, c: CallContext): WasiFunction => markExit(n, rec.wrap(n, f, c));
      const outer = rest.wrapImport;
      // The embedder's wrapper sees the call as the recorder passes it on (as the CLI's tracer does).
      const wrapImport = outer === undefined ? inner : (n: string, f: WasiFunction, c: CallContext): WasiFunction => outer(n, inner(n, f, c), c);
      // proc_exit must return here, so the recording is ended before the process exits.
      wasiOptions = { ...rest, wrapImport, returnOnExit: true };
    } else if (replay !== undefined) {
      const rec = loadRecording(replay);
      recordedModule = rec.module;
      replayer = new Replayer(rec, replayOutput(rest.stdout, rest.stderr));
      const replaying = replayWasiOptions(replayer);
      const answer = replaying.wrapImport!;
      wasiOptions = { ...replaying, wrapImport: (n, f, c) => markExit(n, answer(n, f, c)), returnOnExit: true };
    }
    super(wasiOptions);
    this.recorder = recorder;
    this.replayer = replayer;
    this.recordedModule = recordedModule;
    this.exitAfter = (record !== undefined || replay !== undefined) && rest.returnOnExit === false ? exited : undefined;
  }

  override start(instance: WebAssembly.Instance): number {
    if (this.recorder === undefined && this.replayer === undefined) return super.start(instance);
    let outcome: GuestOutcome;
    let thrown: unknown;
    try {
      outcome = { exitCode: super.start(instance) };
    } catch (e) {
      if (e instanceof ReplayStop || e instanceof WasiExit) throw e;
      thrown = e;
      outcome = failure(e, undefined, undefined);
    }
    this.recorder?.end(recordingEnd(outcome));
    if (this.replayer !== undefined) {
      const r = replayOutcome(this.replayer, outcome);
      if (r !== outcome) throw new ReplayStop(r.error!.message);
    }
    if (thrown !== undefined) throw thrown;
    if (this.exitAfter?.called) process.exit(outcome.exitCode);
    return outcome.exitCode;
  }
}
