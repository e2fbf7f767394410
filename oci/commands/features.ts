/** `features`: the native runtime's OCI features document, with what tswasi-oci adds. */
import type { Context } from '../context.js';
import { ANNOTATION_HANDLER, ANNOTATION_TRACE, ANNOTATION_VARIANT } from '../detect.js';
import { capture } from '../native.js';
import { OCI_VERSION } from '../spec.js';
import { ANNOTATION_RECORD } from '../record.js';
import { ANNOTATION_TCPLISTEN } from '../tcplisten.js';
import { writeOut } from '../../src/stdio.js';

export function main(ctx: Context): number {
  let doc: Record<string, unknown> = { ociVersionMin: '1.0.0', ociVersionMax: OCI_VERSION };
  try {
    const r = capture(ctx.nativeRuntime(), ['features']);
    if (r.status === 0) doc = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch { /* no native runtime: our own minimum */ }
  doc['annotations'] = {
    ...(doc['annotations'] as Record<string, string> | undefined),
    // The annotations tswasi-oci reads (detect.ts, create.ts).
    [ANNOTATION_HANDLER]: 'wasm | wasm-smart',
    [ANNOTATION_VARIANT]: 'compat | compat-smart | wasm | wasm-smart',
    [ANNOTATION_TRACE]: 'true | a trace spec (trace a Wasm container\'s WASI calls)',
    [ANNOTATION_TCPLISTEN]: 'HOST:PORT[,HOST:PORT…] (TCP listeners the guest gets as fds 3…)',
    [ANNOTATION_RECORD]: 'PATH in a writable bind mount (record the run for tswasi replay)',
  };
  writeOut(JSON.stringify(doc, null, 2) + '\n');
  return 0;
}
