/**
 * tswasi's own WebAssembly (the .wat files under src/, which
 * scripts/build-wasm.mjs assembles into .wasm files at the same place
 * under dist/src/, beside the modules that load them):
 * compiled on first use, once per thread; no imports.
 */
import { readFileSync } from 'node:fs';

type OwnModule = 'sha256' | 'crc32' | 'record/packed-next';

const compiled = new Map<OwnModule, WebAssembly.Module>();

/** A new instance of module `name` (each has its own memory). */
export function instantiateOwn<Exports>(name: OwnModule): Exports {
  let module = compiled.get(name);
  if (module === undefined) {
    module = new WebAssembly.Module(readFileSync(new URL(`./${name}.wasm`, import.meta.url)));
    compiled.set(name, module);
  }
  return new WebAssembly.Instance(module).exports as unknown as Exports;
}
