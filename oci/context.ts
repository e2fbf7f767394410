/** What every tswasi-oci command gets: global flags, the state store, the log, the native runtime. */
import fs from 'node:fs';
import path from 'node:path';
import { Log } from './log.js';
import { delegate, findNativeRuntime } from './native.js';
import { ERR_NOT_EXIST } from './runc-errors.js';
import { DEFAULT_ROOT, StateStore, type ContainerRecord } from './state-store.js';

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
  readonly store: StateStore;
  readonly log: Log;
  private runtime: string | null = null;

  constructor(
    readonly globals: Globals,
    /** Our own argv, without --native-runtime: what a native runtime receives. */
    readonly nativeArgs: readonly string[],
    /** tswasi-oci-wasm: every container whose entrypoint is Wasm is Wasm. */
    readonly everyWasmEntrypoint: boolean,
  ) {
    this.store = new StateStore(globals.root ?? DEFAULT_ROOT);
    this.log = new Log(globals.log, globals.logFormat, globals.debug);
  }

  nativeRuntime(): string {
    this.runtime ??= findNativeRuntime(this.globals.nativeRuntime);
    return this.runtime;
  }

  /** Where we remember that an id belongs to the native runtime. */
  private nativeMark(id: string): string {
    StateStore.checkId(id);
    return path.join(this.store.root, '.native', id + '.json');
  }

  markNative(id: string, runtime: string, bundle: string, reason: string): void {
    fs.mkdirSync(path.dirname(this.nativeMark(id)), { recursive: true, mode: 0o700 });
    fs.writeFileSync(this.nativeMark(id), JSON.stringify({ id, runtime, bundle, reason }) + '\n', { mode: 0o600 });
  }

  unmarkNative(id: string): void {
    fs.rmSync(this.nativeMark(id), { force: true });
  }

  nativeOwner(id: string): { runtime: string } | null {
    if (!StateStore.validId(id)) return null;
    try {
      return JSON.parse(fs.readFileSync(this.nativeMark(id), 'utf8')) as { runtime: string };
    } catch {
      return null;
    }
  }

  nativeIds(): string[] {
    try {
      return fs.readdirSync(path.join(this.store.root, '.native')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
    } catch {
      return [];
    }
  }

  /** Hand this very command line to the runtime that owns `id`. */
  delegateTo(runtime: string): number {
    this.log.debug(`delegating to ${runtime}: ${this.nativeArgs.join(' ')}`);
    return delegate(runtime, this.nativeArgs);
  }

  /** The Wasm record of `id`, or runc's error for an unknown id. */
  wasmRecord(id: string): ContainerRecord {
    if (!this.store.exists(id)) throw new Error(ERR_NOT_EXIST);
    return this.store.read(id);
  }
}
