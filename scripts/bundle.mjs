/**
 * `npm run build`, second step: replace each entry point that starts a
 * process or a thread with one bundled file (esbuild), at the very path tsc
 * wrote it to. Loading one file instead of ~150 ES modules (yargs alone is
 * ~40) is most of a short command's start-up; see README "Start-up".
 *
 * tsc still writes every module and the .d.ts files (the library API,
 * `tswasi` and `tswasi/wasi`, stays unbundled); this step overwrites only
 * the files below. Packages a module loads on first use with
 * `createRequire(import.meta.url)(…)` (memfs, wabt, the AssemblyScript
 * loader) are left out of the bundles and stay lazy.
 */
import { build } from 'esbuild';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Source entry → the file tsc emitted for it (and that package.json's bin, tests and spawns name). */
const ENTRIES = [
  'src/pool/one-shot-worker.ts',
  'oci/tswasi-oci.ts',
  'oci/tswasi-oci-wasm.ts',
  'oci/container.ts',
];

const outFile = (src) => path.join(ROOT, 'dist', src.replace(/\.ts$/, '.js'));

/**
 * Inside a bundle every module still sees `import.meta.url` as the URL of
 * its own tsc output file, so paths resolved from it (package.json, the
 * container process, the worker file, createRequire's node_modules lookup)
 * are the same bundled or not.
 */
function tscImportMetaUrl(entryOut) {
  return {
    name: 'tsc-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        let text = await readFile(args.path, 'utf8');
        if (text.includes('import.meta.url')) {
          const rel = path.relative(path.dirname(entryOut), outFile(path.relative(ROOT, args.path)));
          const url = `new URL(${JSON.stringify('./' + rel.split(path.sep).join('/'))}, import.meta.url).href`;
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

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // CommonJS packages inside an ES module bundle call require() for Node's built-ins.
  banner: { js: "import { createRequire as __tswasiCreateRequire } from 'node:module'; const require = __tswasiCreateRequire(import.meta.url);" },
};

/**
 * `tswasi` is two files: tswasi.js starts the guest's worker thread and only
 * then loads main.js (yargs and the runtime); the module both use (the
 * one-shot runner) goes to a shared chunk beside them.
 */
async function buildTswasi() {
  const dir = path.join(ROOT, 'dist/src/cli');
  for (const f of await readdir(dir)) if (/^chunk-.*\.js(\.map)?$/.test(f)) await rm(path.join(dir, f));
  await build({
    ...common,
    entryPoints: ['src/cli/tswasi.ts', 'src/cli/main.ts'].map((f) => path.join(ROOT, f)),
    outdir: dir,
    splitting: true,
    chunkNames: 'chunk-[hash]',
    plugins: [tscImportMetaUrl(path.join(dir, 'tswasi.js')), lazyStringWidth],
  });
}

await Promise.all([
  buildTswasi(),
  ...ENTRIES.map((src) => {
    const outfile = outFile(src);
    return build({ ...common, entryPoints: [path.join(ROOT, src)], outfile, plugins: [tscImportMetaUrl(outfile), lazyStringWidth] });
  }),
]);
