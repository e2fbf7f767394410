/**
 * The wasm types of every wasi_snapshot_preview1 import. V8 links a JS
 * function to an import of any signature; wasmtime refuses a mismatch at
 * instantiation ("incompatible import type"), and so do we.
 */
import { SIGNATURES, type ParamKind } from './trace/signatures.js';

const I64_KINDS: ReadonlySet<ParamKind> = new Set(['u64', 's64', 'timestamp', 'rights']);

function expected(name: string): string | null {
  const sig = SIGNATURES[name];
  if (sig === undefined) return null;
  const params: string[] = [];
  for (const [, kind] of sig) {
    if (kind === 'str' || kind === 'iovs' || kind === 'ciovs') params.push('i32', 'i32');
    else params.push(I64_KINDS.has(kind) ? 'i64' : 'i32');
  }
  return `(${params.join(', ')}) -> (${name === 'proc_exit' ? '' : 'i32'})`;
}

/** Imports of wasi_snapshot_preview1 whose type is not the spec's, as one message per import. */
export function wasiSignatureMismatches(imports: ReadonlyArray<{ module: string; name: string; kind: string; type?: string | undefined }>): string[] {
  const out: string[] = [];
  for (const i of imports) {
    if (i.module !== 'wasi_snapshot_preview1' || i.kind !== 'func') continue;
    const want = expected(i.name);
    if (want !== null && i.type !== want) out.push(`\`wasi_snapshot_preview1::${i.name}\` has type ${i.type}, expected ${want}`);
  }
  return out;
}
