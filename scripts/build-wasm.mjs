/**
 * `npm run build`, after tsc: assemble the WebAssembly the runtime itself
 * uses (the .wat files under src/) into .wasm files at the same place under
 * dist/src/, next to the modules that load them.
 * wabt is already a dependency (tswasi runs .wat modules with it).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wabt = await createRequire(import.meta.url)('wabt')();
for (const f of (await readdir(path.join(ROOT, 'src'), { recursive: true })).filter((n) => n.endsWith('.wat'))) {
  const mod = wabt.parseWat(f, await readFile(path.join(ROOT, 'src', f), 'utf8'));
  try {
    mod.validate();
    await writeFile(path.join(ROOT, 'dist', 'src', f.replace(/\.wat$/, '.wasm')), mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}
