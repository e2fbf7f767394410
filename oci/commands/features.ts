/** `features`: the native runtime's OCI features document, with what tswasi-oci adds. */
import type { Context } from '../context.js';
import { capture } from '../native.js';
import { OCI_VERSION } from '../spec.js';

export function main(ctx: Context): number {
  let doc: Record<string, unknown> = { ociVersionMin: '1.0.0', ociVersionMax: OCI_VERSION };
  try {
    const r = capture(ctx.nativeRuntime(), ['features']);
    if (r.status === 0) doc = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch { /* no native runtime: our own minimum */ }
  doc['annotations'] = {
    ...(doc['annotations'] as Record<string, string> | undefined),
    'io.github.tswasi.wasm': 'Wasm containers run in tswasi inside the native runtime\'s container; others run natively',
    'run.oci.handler': 'wasm | wasm-smart',
    'module.wasm.image/variant': 'compat | compat-smart | wasm | wasm-smart',
  };
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  return 0;
}
