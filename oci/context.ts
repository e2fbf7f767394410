/** What every tswasi-oci command gets: the global options, the log, the native runtime. */
import type { GlobalPart } from './argv.js';
import { Log } from './log.js';
import { delegate, findNativeRuntime } from './native.js';
import { isRunc, runcRoot } from './runc-state.js';
import { nativeState, type RuntimeState } from './wasm-state.js';

export class Context {
  readonly log: Log;
  /** runc's --root (ids are unique per root). */
  readonly root: string | undefined;
  /** Our own argv, without --native-runtime: what the native runtime receives. */
  readonly nativeArgs: readonly string[];
  /** The global options of nativeArgs (before the command), for the calls we make ourselves. */
  readonly globalArgs: readonly string[];
  private runtime: string | null = null;

  constructor(
    private readonly parsed: GlobalPart,
    /** tswasi-oci-wasm: every container whose entrypoint is Wasm is Wasm. */
    readonly everyWasmEntrypoint: boolean,
  ) {
    const g = parsed.globals;
    this.log = new Log(g.value('log'), g.value('log-format') === 'json' ? 'json' : 'text', g.flag('debug'));
    this.root = g.value('root');
    this.nativeArgs = parsed.nativeArgs;
    this.globalArgs = parsed.globalArgs;
  }

  /** --native-runtime, TSWASI_NATIVE_RUNTIME, or runc/crun on PATH: found on first use. */
  nativeRuntime(): string {
    this.runtime ??= findNativeRuntime(this.parsed.globals.value('native-runtime'));
    return this.runtime;
  }

  /** runc's state root, when the native runtime is runc and the root is known: its files answer the plain questions (./runc-state.ts). */
  runcRoot(): string | undefined {
    return isRunc(this.nativeRuntime()) ? runcRoot(this.root) : undefined;
  }

  /** Hand this very command line to the native runtime. */
  delegate(): number {
    return this.runNative(this.nativeArgs);
  }

  /** Run the native runtime with `args`; `fds` become its fds 3, 4, … */
  runNative(args: readonly string[], fds: readonly number[] = []): number {
    this.log.debug(`${this.nativeRuntime()} ${args.join(' ')}`);
    return delegate(this.nativeRuntime(), args, fds);
  }

  /**
   * The native runtime's state of `id` (`state` null when it has none, with
   * its words in `error`), asked on our own account: without --log, so the
   * engine's log gets no error of a question it did not ask.
   */
  nativeState(id: string): { state: RuntimeState | null; error: string } {
    return nativeState(this.nativeRuntime(), withoutLog(this.globalArgs), this.runcRoot(), id);
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
