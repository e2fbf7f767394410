/**
 * `npm run build`, second step (after tsc): each file Node starts a process
 * or a thread with — the bin entries, `tswasi run --max-wasm-stack`'s thread,
 * the container runner and its guest's thread — becomes one bundled file (esbuild) that runs from V8's code cache. See README "Start-up".
 *
 * tsc still writes every module and the .d.ts files: the library (`tswasi`,
 * `tswasi/wasi`) stays unbundled. For an entry X.ts this step writes, at
 * tsc's own path:
 *   - X.bundle.cjs: X and everything it imports, one CommonJS file. Modules
 *     that are import()ed (a command's code) are evaluated only when used.
 *   - X.bundle.cjs.cache: V8's code cache for it, made here with this Node.
 *   - X.cjs, and X.js replacing tsc's: a small launcher that compiles the
 *     bundle with that cache and runs it. A cache from another Node/V8 is
 *     rejected by V8, and the bundle is then compiled as usual.
 * Packages loaded on first use with `createRequire(import.meta.url)(…)`
 * (memfs, wabt, piscina, the AssemblyScript loader) stay out of the bundles.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Script } from 'node:vm';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Entries, by source file; each replaces the file tsc emitted for it (what bin, tests and spawns name). */
const ENTRIES = ['src/cli/tswasi.ts', 'src/cli/run-worker.ts', 'oci/tswasi-oci.ts', 'oci/tswasi-oci-wasm.ts', 'oci/runner.ts', 'oci/runner-guest.ts', 'oci/shim/containerd-shim-tswasi-v1.ts'];

const outFile = (src) => path.join(ROOT, 'dist', src.replace(/\.ts$/, '.js'));

/**
 * Inside a bundle every module still sees `import.meta.url` as the URL of
 * its own tsc output file, so paths resolved from it (package.json, the
 * container process, the worker file, createRequire's node_modules lookup)
 * are the same bundled or not.
 */
function tscImportMetaUrl(entryOut, base) {
  return {
    name: 'tsc-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        let text = await readFile(args.path, 'utf8');
        if (text.includes('import.meta.url')) {
          const rel = path.relative(path.dirname(entryOut), outFile(path.relative(ROOT, args.path)));
          const url = `new URL(${JSON.stringify('./' + rel.split(path.sep).join('/'))}, ${base}).href`;
          text = text.replaceAll('import.meta.url', url);
        }
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

/**
 * string-width (yargs, cliui and wrap-ansi measure help text with it) costs
 * ~25 ms when loaded: an Intl.Segmenter built at module level (ICU set-up)
 * and a /^\p{RGI_Emoji}$/v literal, which V8 validates when it parses the
 * file, even inside a function never called. And yargs lays out the whole
 * help text after every command's handler starts (to have it ready), so
 * every `tswasi run` and tswasi-oci call would pay it. Each copy is bundled
 * behind a function that answers printable ASCII itself — its width is its
 * length, string-width 8's own fast path — and evaluates the real module
 * only for other text, on first use (esbuild wraps a require()d ES module
 * in a lazy initializer, and lowers the /v literal to `new RegExp` inside it).
 */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: `export default function stringWidth(string, options) {
        if (typeof string === 'string' && /^[\\x20-\\x7e]*$/.test(string)) return string.length;
        return require(${JSON.stringify(args.path)}).default(string, options);
      }`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * debug: without DEBUG in the environment every debug function is off (the
 * bundles hold no code that calls debug.enable()), so the bundles load the
 * package — and the tty, net and os modules it requires — only when DEBUG is
 * set.
 */
const debugWhenAsked = {
  name: 'debug-when-asked',
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'debug-when-asked' };
    });
    b.onLoad({ filter: /.*/, namespace: 'debug-when-asked' }, (args) => ({
      contents: `const off = Object.assign(() => {}, { enabled: false });
        export default function createDebug(namespace) {
          return process.env.DEBUG ? require(${JSON.stringify(args.path)})(namespace) : off;
        }`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * Our own modules have no side effects at load, so a module imported for
 * one export (e.g. src/trace/decode.ts takes `abi` from wasi/index.ts) does
 * not drag the rest of its imports into a bundle.
 */
const ownModulesArePure = {
  name: 'own-modules-are-pure',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData?.real || args.kind === 'entry-point' || args.importer.includes('node_modules')) return undefined;
      const real = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      return { ...real, sideEffects: false };
    });
  },
};

const plugins = (entryOut, base) => [tscImportMetaUrl(entryOut, base), lazyStringWidth, debugWhenAsked, ownModulesArePure];

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning' };

/** How the launcher calls the bundle; kept on one line so the bundle's line numbers stay right. */
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) {';
const WRAP_TAIL = '\n})';

/**
 * The launcher: compile the bundle with its cache and run it. Written twice,
 * as X.cjs (what package.json's bin names: a CommonJS main skips the ES
 * module loader's set-up, ~5 ms) and as X.js, tsc's path, which scripts,
 * tests and spawns name (`node dist/src/cli/tswasi.js`).
 */
function launcher(bundle, shebang, esm) {
  const imports = esm
    ? `import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const filename = fileURLToPath(new URL('./${bundle}', import.meta.url));`
    : `'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const filename = join(__dirname, '${bundle}');`;
  return `${shebang}// Written by scripts/bundle.mjs: runs ./${bundle} (the bundle) from V8's code cache (./${bundle}.cache).
${imports}
let cachedData;
try { cachedData = readFileSync(filename + '.cache'); } catch { /* no cache: V8 compiles it */ }
const source = ${JSON.stringify(WRAP_HEAD)} + readFileSync(filename, 'utf8') + ${JSON.stringify(WRAP_TAIL)};
const script = new Script(source, { filename, cachedData });
// The build's training run: keep the code of every function this run compiled.
if (process.env.TSWASI_WRITE_CODE_CACHE === '1') process.on('exit', () => writeFileSync(filename + '.cache', script.createCachedData()));
const bundleModule = { exports: {} };
script.runInThisContext()(bundleModule.exports, createRequire(filename), bundleModule, filename, dirname(filename));
`;
}

async function bundleEntry(src) {
  const js = outFile(src);
  const cjs = js.replace(/\.js$/, '.bundle.cjs');
  await build({
    ...common,
    entryPoints: [path.join(ROOT, src)],
    outfile: cjs,
    format: 'cjs',
    banner: { js: 'var __tswasiBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    // What packages' own import.meta.url (yargs's createRequire) becomes in CommonJS.
    define: { 'import.meta.url': '__tswasiBundleUrl' },
    plugins: plugins(js, '__tswasiBundleUrl'),
  });
  let text = await readFile(cjs, 'utf8');
  const shebang = text.startsWith('#!') ? text.slice(0, text.indexOf('\n') + 1) : '';
  // The shebang moves to the launcher (a function body cannot start with one); the line stays, as a comment.
  if (shebang !== '') await writeFile(cjs, text = '//' + text.slice(2));
  // The code cache of the compiled top level (every module's load-time code).
  const script = new Script(WRAP_HEAD + text + WRAP_TAIL, { filename: cjs });
  await writeFile(cjs + '.cache', script.createCachedData());
  await writeFile(js, launcher(path.basename(cjs), shebang, true));
  await rm(js + '.map', { force: true }); // tsc's map, of the file the launcher replaced
  await writeFile(js.replace(/\.js$/, '.cjs'), launcher(path.basename(cjs), shebang, false));
}

await Promise.all(ENTRIES.map(bundleEntry));

/**
 * Training runs: a command run once with TSWASI_WRITE_CODE_CACHE=1 rewrites
 * the caches of the bundles it ran (the runner's guest thread's too) with the code of
 * every function it compiled, not only the top level. The last run of a bundle decides its cache: `tswasi run`,
 * then `list` — the short commands whose
 * start-up counts most. A failed training run leaves the top-level cache
 * (slower, still right), so it only warns.
 */
const work = await mkdtemp(path.join(tmpdir(), 'tswasi-build-'));
try {
  const stateRoot = path.join(work, 'state');
  for (const args of [
    ['dist/src/cli/tswasi.js', 'run', 'examples/hello.wasm'],
    ['dist/oci/tswasi-oci.js', '--root', stateRoot, 'list'],
    ['dist/oci/tswasi-oci-wasm.js', '--root', stateRoot, 'list'],
  ]) {
    const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TSWASI_WRITE_CODE_CACHE: '1' } });
    if (r.status !== 0) process.stderr.write(`bundle: training run \`${args.join(' ')}\` failed (${r.status ?? r.signal}), its bundles keep a top-level code cache: ${r.stderr}\n`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
