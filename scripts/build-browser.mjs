// The browser build (npm run build:browser, part of npm run build):
//   dist/browser/tswasi.js   `tswasi/browser`: the WASI core + memfs, ESM
//   dist/explorer/           the explorer page (index.html, page.js, style.css,
//                            the worker and the examples inlined: it works from file://)
// memfs expects a few Node built-ins; they map to browser polyfills (buffer,
// events, path-browserify) or to small shims in browser/. The build fails if
// any node:* module or the host backend ends up in a bundle.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const r = (p) => path.join(ROOT, p);

/** Node-only modules of ours that must never be bundled for the browser. */
const NODE_ONLY = [
  'wasi/node.ts', 'wasi/index.ts', 'wasi/fs/host.ts', 'wasi/fs/host-times.ts', 'wasi/host-stdio.ts', 'wasi/shared-output.ts',
  'src/trace/tracer.ts', 'src/trace/setup.ts',
];

const common = {
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
  alias: {
    'node:buffer': 'buffer',
    'node:events': 'events',
    'node:path': 'path-browserify',
    'node:stream': r('browser/stream-shim.ts'),
    'node:url': r('browser/url-shim.ts'),
    // random_get's lazy require of node:crypto: Web Crypto (see the shim).
    'node:module': r('browser/module-shim.ts'),
    process: r('browser/process-shim.ts'),
  },
  inject: [r('browser/process-shim.ts'), r('browser/buffer-shim.ts')],
  // Only module-shim's createRequire reads it, and ignores it.
  define: { 'import.meta.url': '"tswasi:browser"' },
};

function checkInputs(meta, what) {
  const bad = Object.keys(meta.inputs).filter((f) => f.startsWith('node:') || NODE_ONLY.includes(f));
  if (bad.length > 0) throw new Error(`browser build: ${what} pulls in Node-only modules: ${bad.join(', ')}`);
}

async function build(options, what) {
  const res = await esbuild.build({ ...common, ...options });
  checkInputs(res.metafile, what);
  return res;
}

fs.rmSync(r('dist/browser'), { recursive: true, force: true });
fs.rmSync(r('dist/explorer'), { recursive: true, force: true });

await build({ entryPoints: [r('wasi/browser.ts')], format: 'esm', outfile: r('dist/browser/tswasi.js'), sourcemap: true }, 'tswasi/browser');

if (fs.existsSync(r('explorer/page.ts'))) {
  // The worker is inlined into the page as text (a Blob URL): file:// pages may not load workers by URL.
  const worker = await build({ entryPoints: [r('explorer/worker.ts')], format: 'iife', write: false, minify: true, outfile: 'worker.js' }, 'explorer worker');
  const examplesDir = r('examples/explorer');
  const examples = {};
  for (const f of fs.readdirSync(examplesDir).filter((f) => f.endsWith('.wasm')).sort()) {
    examples[path.basename(f, '.wasm')] = fs.readFileSync(path.join(examplesDir, f)).toString('base64');
  }
  await build({
    entryPoints: [r('explorer/page.ts')],
    format: 'iife',
    minify: true,
    outfile: r('dist/explorer/page.js'),
    define: {
      ...common.define,
      __WORKER_SOURCE__: JSON.stringify(worker.outputFiles[0].text),
      __EXAMPLE_WASM__: JSON.stringify(examples),
    },
  }, 'explorer page');
  for (const f of ['index.html', 'style.css']) fs.copyFileSync(r(`explorer/${f}`), r(`dist/explorer/${f}`));
}
