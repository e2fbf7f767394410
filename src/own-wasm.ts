/**
 * tswasi's own WebAssembly (src/*.wat, which scripts/build-wasm.mjs
 * assembles into dist/src/*.wasm beside this module): instantiated on first
 * use, with no imports.
 */
import { readFileSync } from 'node:fs';

export function instantiateOwn<Exports>(name: 'sha256' | 'crc32'): Exports {
  const bytes = readFileSync(new URL(`./${name}.wasm`, import.meta.url));
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Exports;
}
