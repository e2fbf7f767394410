/** Checking a module before it runs: what it imports that the explorer cannot give it. */
import { WASI_FUNCTIONS } from '../wasi/functions.js';

/** One line saying what is wrong with the module's imports and exports, or null when it can run. */
export function importProblem(module: WebAssembly.Module): string | null {
  const missing = WebAssembly.Module.imports(module)
    .filter((i) => !(i.module === 'wasi_snapshot_preview1' && i.kind === 'function' && i.name in WASI_FUNCTIONS))
    .map((i) => `${i.module}.${i.name} (${i.kind})`);
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
    return `This module needs imports nobody provides here: ${shown}. The explorer gives only wasi_snapshot_preview1.`;
  }
  const exports = WebAssembly.Module.exports(module);
  if (!exports.some((e) => e.name === '_start' && e.kind === 'function')) {
    return 'This module is not a WASI command: it has no _start export to run.';
  }
  if (!exports.some((e) => e.kind === 'memory')) return 'This module exports no memory, so WASI cannot pass it anything.';
  return null;
}
