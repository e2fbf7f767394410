/** A container's state as the native runtime keeps it, and what marks a Wasm container's. */
import { capture } from './native.js';
import { readRuncContainer } from './runc-state.js';
import type { State } from './spec.js';

/** Annotations tswasi-oci adds to the config it hands the native runtime, read back by exec, state and delete. */
export const ANNOTATION_RUNNER = 'io.tswasi.runner';
export const ANNOTATION_BUNDLE = 'io.tswasi.bundle';
export const ANNOTATION_ROOTFS = 'io.tswasi.rootfs';

/** runc's state JSON. */
export type RuntimeState = State & { rootfs?: string; created?: string; owner?: string };

/**
 * The native runtime's state of `id`, or null when it has none (its error
 * in `error`). `runcRoot`: runc's state root when the native runtime is
 * runc, where the plain cases are read from its files (./runc-state.ts).
 */
export function nativeState(runtime: string, globalArgs: readonly string[], runcRoot: string | undefined, id: string): { state: RuntimeState | null; error: string } {
  const read = runcRoot === undefined ? undefined : readRuncContainer(runcRoot, id);
  if (read !== undefined) return { state: read.state, error: '' };
  const r = capture(runtime, [...globalArgs, 'state', id]);
  if (r.status !== 0) return { state: null, error: r.stderr };
  try {
    return { state: JSON.parse(r.stdout) as RuntimeState, error: '' };
  } catch {
    return { state: null, error: r.stdout };
  }
}

/** Is this state a Wasm container's? Then its config is the rewritten one. */
export function isWasmState(s: RuntimeState): boolean {
  return s.annotations?.[ANNOTATION_RUNNER] !== undefined;
}

/** The state as the engine's bundle describes it: its bundle and rootfs, without our annotations. */
export function engineState(s: RuntimeState): RuntimeState {
  if (!isWasmState(s)) return s;
  const annotations = { ...s.annotations };
  const bundle = annotations[ANNOTATION_BUNDLE] ?? s.bundle;
  const rootfs = annotations[ANNOTATION_ROOTFS] ?? s.rootfs;
  for (const k of [ANNOTATION_RUNNER, ANNOTATION_BUNDLE, ANNOTATION_ROOTFS]) delete annotations[k];
  const out: RuntimeState = { ...s, bundle };
  if (rootfs !== undefined) out.rootfs = rootfs;
  if (Object.keys(annotations).length > 0) out.annotations = annotations; else delete out.annotations;
  return out;
}
