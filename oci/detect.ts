/**
 * Is this container Wasm? crun's rules (custom-handler.c, handler-utils.c),
 * with runwasi's look at the file itself instead of crun's name-only check.
 */
import type { Spec } from './spec.js';

export const ANNOTATION_HANDLER = 'run.oci.handler';
export const ANNOTATION_VARIANT = 'module.wasm.image/variant';
export const ANNOTATION_CONTAINER_TYPE = 'io.kubernetes.cri.container-type';
/** Asks for a Wasm container's WASI calls to be traced (commands/create.ts). */
export const ANNOTATION_TRACE = 'io.tswasi.trace';

/** What the entrypoint file is, judged by its name and first bytes. */
export type EntrypointKind = 'wasm' | 'wat' | 'native' | 'unknown' | 'missing';

export function classifyEntrypoint(name: string, head: Uint8Array | null): EntrypointKind {
  if (head === null) return 'missing';
  if (head.length >= 4 && head[0] === 0x00 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d) return 'wasm';
  // ELF or a script: a Linux program whatever its name (runwasi's is_linux_container).
  if (head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return 'native';
  if (head.length >= 2 && head[0] === 0x23 && head[1] === 0x21) return 'native';
  if (/\.wat$/.test(name)) return 'wat';
  if (/\.wasm$/.test(name)) return 'wasm';
  return 'unknown';
}

export type Decision = { wasm: true; reason: string } | { wasm: false; reason: string };

/**
 * `everyWasmEntrypoint`: the `tswasi-oci-wasm` binary, which runs any
 * container whose entrypoint is Wasm, annotated or not.
 */
export function decide(spec: Spec, entrypoint: EntrypointKind, everyWasmEntrypoint: boolean): Decision {
  const ann = spec.annotations ?? {};
  const args = spec.process?.args ?? [];
  const isWasmEntry = entrypoint === 'wasm' || entrypoint === 'wat';
  if (ann[ANNOTATION_CONTAINER_TYPE] === 'sandbox') return { wasm: false, reason: 'pod sandbox (pause) container' };
  if (args.length === 0) {
    // Annotated as always Wasm, but nothing to run: that is an error of the config, not a native container.
    const always = ann[ANNOTATION_HANDLER] === 'wasm' || ['compat', 'wasm'].includes(ann[ANNOTATION_VARIANT] ?? '');
    if (always) throw new Error('config.json: process.args is empty; a Wasm container needs its module as process.args[0]');
    return { wasm: false, reason: 'no process.args' };
  }
  const handler = ann[ANNOTATION_HANDLER];
  if (handler !== undefined) {
    if (handler === 'wasm') return { wasm: true, reason: `${ANNOTATION_HANDLER}=wasm` };
    if (handler === 'wasm-smart') {
      return isWasmEntry ? { wasm: true, reason: `${ANNOTATION_HANDLER}=wasm-smart, Wasm entrypoint` } : { wasm: false, reason: `${ANNOTATION_HANDLER}=wasm-smart, entrypoint is not Wasm` };
    }
    return { wasm: false, reason: `${ANNOTATION_HANDLER}=${handler}` };
  }
  const variant = ann[ANNOTATION_VARIANT];
  if (variant === 'compat' || variant === 'wasm') return { wasm: true, reason: `${ANNOTATION_VARIANT}=${variant}` };
  if (variant === 'compat-smart' || variant === 'wasm-smart') {
    return isWasmEntry ? { wasm: true, reason: `${ANNOTATION_VARIANT}=${variant}, Wasm entrypoint` } : { wasm: false, reason: `${ANNOTATION_VARIANT}=${variant}, entrypoint is not Wasm` };
  }
  if (everyWasmEntrypoint && isWasmEntry) return { wasm: true, reason: 'entrypoint is Wasm (tswasi-oci-wasm)' };
  return { wasm: false, reason: 'not annotated as Wasm' };
}
