/** What every tswasi-oci command gets: global flags, the log, the native runtime. */
import { Log } from './log.js';
import { delegate, findNativeRuntime } from './native.js';
import { nativeState, type RuntimeState } from './wasm-state.js';

export interface Globals {
  root?: string | undefined;
  log?: string | undefined;
  logFormat: 'text' | 'json';
  debug: boolean;
  systemdCgroup: boolean;
  rootless?: string | undefined;
  nativeRuntime?: string | undefined;
}

export class Context {
  readonly log: Log;
  private runtime: string | null = null;

  constructor(
    readonly globals: Globals,
    /** Our own argv, without --native-runtime: what the native runtime receives. */
    readonly nativeArgs: readonly string[],
    /** The global options of nativeArgs (before the command), for the calls we make ourselves. */
    readonly globalArgs: readonly string[],
    /** tswasi-oci-wasm: every container whose entrypoint is Wasm is Wasm. */
    readonly everyWasmEntrypoint: boolean,
  ) {
    this.log = new Log(globals.log, globals.logFormat, globals.debug);
  }

  nativeRuntime(): string {
    this.runtime ??= findNativeRuntime(this.globals.nativeRuntime);
    return this.runtime;
  }

  /** Hand this very command line to the native runtime. */
  delegate(): number {
    return this.runNative(this.nativeArgs);
  }

  /** Run the native runtime with our global options and `args`; `fds` become its fds 3, 4, … */
  runNative(args: readonly string[], fds: readonly number[] = []): number {
    this.log.debug(`${this.nativeRuntime()} ${args.join(' ')}`);
    return delegate(this.nativeRuntime(), args, fds);
  }

  /**
   * The native runtime's state of `id`, or null when it has none — asked on
   * our own account, so an error goes to `error`, not to the engine's --log.
   */
  nativeState(id: string): { state: RuntimeState | null; error: string } {
    return nativeState(this.nativeRuntime(), withoutLog(this.globalArgs), id);
  }
}


/** Global options without --log and --log-format. */
function withoutLog(globals: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < globals.length; i++) {
    const a = globals[i]!;
    if (a === '--log' || a === '--log-format') { i++; continue; }
    if (a.startsWith('--log=') || a.startsWith('--log-format=')) continue;
    out.push(a);
  }
  return out;
}
