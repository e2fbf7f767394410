/**
 * `npm run build`, second step (after tsc): each file Node starts a process
 * or a thread with — the bin entries, `tswasi run --max-wasm-stack`'s thread,
 * the container runner and its guest's thread, the pool's worker — becomes
 * one bundled file (esbuild) that runs from V8's code cache. See
 * docs/performance.md "Start-up".
 *
 * tsc still writes every module and the .d.ts files: the library (`tswasi`,
 * `tswasi/wasi`) stays unbundled. For an entry X.ts this step writes, at
 * tsc's own path:
 *   - X.bundle.cjs: X and everything it imports, one CommonJS file. Modules
 *     that are import()ed (a command's code) are evaluated only when used.
 *   - X.bundle.cjs.<V8 version>-<arch>.cache: V8's code cache for it, made
 *     here with this Node (any other build's caches of X are removed).
 *   - X.cjs, and X.js replacing tsc's: a small launcher that compiles the
 *     bundle with the cache made for the Node running it and runs it (X.cjs
 *     exports what the bundle exports: piscina require()s the pool's worker); run
 *     by another Node, it makes that Node's cache in a per-user directory
 *     on first use (docs/node-versions.md, "The code cache").
 * Packages loaded on first use with `createRequire(import.meta.url)(…)`
 * (memfs, wabt, piscina, the AssemblyScript loader) stay out of the bundles.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Script } from 'node:vm';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Entries, by source file; each replaces the file tsc emitted for it (what bin, tests and spawns name). */
const ENTRIES = ['src/cli/tswasi.ts', 'src/cli/run-worker.ts', 'src/pool/guest-worker.ts', 'wasi/sockets/host-thread.ts', 'oci/tswasi-oci.ts', 'oci/tswasi-oci-wasm.ts', 'oci/runner.ts', 'oci/runner-guest.ts', 'oci/container-guest.ts', 'oci/shim/containerd-shim-tswasi-v1.ts'];

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
 * behind a function that answers itself for text whose width is its length
 * — printable ASCII (string-width 8's own fast path), and the Latin-1 and
 * punctuation characters (U+2010–U+205E: the help's "—" and "…") that the
 * real module counts as one column each, less those it counts otherwise
 * (©, ®, the soft hyphen, ‼, ⁉: checked against string-width 8 character by
 * character; none of the set combines with a neighbour) — and evaluates the
 * real module only for other text, on first use (esbuild wraps a require()d ES module
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
        if (typeof string === 'string' && /^[\\x20-\\x7e\\u00a0-\\u00a8\\u00aa-\\u00ac\\u00af-\\u00ff\\u2010-\\u2027\\u2030-\\u203b\\u203d-\\u2048\\u204a-\\u205e]*$/.test(string)) return string.length;
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
 * yargs's platform shim imports node:assert for two checks of its own API's
 * arguments, which it makes on every run, and loading node:assert costs
 * ~3 ms on Node 26. The bundle gets two functions that pass a check
 * themselves and load node:assert only to fail one.
 */
const lazyAssertInYargs = {
  name: 'lazy-assert-in-yargs',
  setup(b) {
    b.onResolve({ filter: /^assert$/ }, (args) => (args.importer.includes(`${path.sep}yargs${path.sep}`) ? { path: 'assert', namespace: 'lazy-assert' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-assert' }, () => ({
      // node:assert's strict (in)equality is Object.is; only a failing check needs the module (it throws).
      contents: `export function notStrictEqual(a, b, ...rest) { if (!Object.is(a, b)) return; require('assert').notStrictEqual(a, b, ...rest); }
        export function strictEqual(a, b, ...rest) { if (Object.is(a, b)) return; require('assert').strictEqual(a, b, ...rest); }`,
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

const plugins = (entryOut, base) => [tscImportMetaUrl(entryOut, base), lazyStringWidth, debugWhenAsked, lazyAssertInYargs, ownModulesArePure];

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning' };

/** How the launcher calls the bundle; kept on one line so the bundle's line numbers stay right. */
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) {';
const WRAP_TAIL = '\n})';

/**
 * The V8 code cache of a bundle belongs to one V8 (one Node version, one
 * architecture): another Node silently rejects it and compiles the bundle
 * from source, the slowest start-up. So caches are named by that tag: the
 * build writes `X.bundle.cjs.<v8 version>-<arch>.cache` for the Node that
 * built it, and a launcher run by another Node makes its own on first use,
 * in a per-user cache (see the launcher's comment).
 */
const cacheTag = () => `${process.versions.v8}-${process.arch}`;

/**
 * The launcher: compile the bundle with a code cache made for the running
 * Node, run it, and make that cache if there is none. Written twice, as
 * X.cjs (what package.json's bin names: a CommonJS main skips the ES module
 * loader's set-up, ~5 ms) and as X.js, tsc's path, which scripts, tests and
 * spawns name (`node dist/src/cli/tswasi.js`). docs/node-versions.md
 * describes the cache.
 */
function launcher(bundle, shebang, esm) {
  const imports = esm
    ? `import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const filename = fileURLToPath(new URL('./${bundle}', import.meta.url));`
    : `'use strict';
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { basename, dirname, isAbsolute, join } = require('node:path');
const { Script } = require('node:vm');

const filename = join(__dirname, '${bundle}');`;
  return `${shebang}// Written by scripts/bundle.mjs: runs ./${bundle} (the bundle) from a V8 code cache made for the running Node.
${imports}
const tag = process.versions.v8 + '-' + process.arch;
/** The build's cache, if it was built by a Node with this V8. */
const builtCache = filename + '.' + tag + '.cache';
/** Versions whose per-user caches are kept (the most recently used). */
const KEEP_VERSIONS = 4;
/**
 * Bytes of caches kept per version: every install location has caches of
 * its own (each checkout, each global or npx install), so a version's
 * directory is trimmed to this, the least recently written first (a cache's
 * mtime is its save count, so the time it was written is its ctime).
 */
const KEEP_BYTES = 16 * 1024 * 1024;
/**
 * A per-user cache is written again by the first SAVES runs that use it:
 * each holds what the cache held plus what that run compiled, so the
 * commands run first (\`--version\`, then \`run\`) all end up in it, as the
 * build's training runs put them in its cache. The count is the file's
 * mtime, in seconds since the epoch (1, 2, 3): no file more to read.
 */
const SAVES = 3;

/**
 * This user's cache of this bundle for this V8, or undefined: in
 * $TSWASI_CODE_CACHE_DIR, else $XDG_CACHE_HOME/tswasi/code-cache, else
 * ~/.cache/tswasi/code-cache, else (root, no HOME: an engine's runtime
 * call) /var/cache/tswasi/code-cache; then <tag>/. V8 checks a cache
 * against the source's length only, so the name carries the bundle's
 * directory, size and mtime: a rebuilt or another install's bundle never
 * takes this one's code.
 */
function userCache() {
  const env = process.env;
  const base = env.TSWASI_CODE_CACHE_DIR
    || (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? join(env.XDG_CACHE_HOME, 'tswasi', 'code-cache')
      : env.HOME && isAbsolute(env.HOME) ? join(env.HOME, '.cache', 'tswasi', 'code-cache')
        : process.getuid?.() === 0 ? '/var/cache/tswasi/code-cache' : undefined);
  if (base === undefined) return undefined;
  let h = 2166136261; // FNV-1a of the bundle's directory
  for (const c of bundleDir) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const st = statSync(filename);
  const prefix = ${JSON.stringify(bundle)} + '-' + h.toString(16) + '-';
  return { base, dir: join(base, tag), prefix, file: join(base, tag, prefix + st.size + '-' + Math.trunc(st.mtimeMs) + '.cache') };
}
const bundleDir = dirname(filename);

/**
 * Write the cache of what this run compiled, atomically (a temp file
 * renamed: processes starting at once each write a whole file, the last
 * rename wins, none reads half a file), and keep the cache bounded: this
 * bundle's older builds' caches, the least recently written caches past
 * KEEP_BYTES in this version's directory, and all but the KEEP_VERSIONS most
 * recently used versions' directories go. Anything that fails (a read-only or absent
 * home, a container's read-only root) leaves things as they are.
 */
function saveCache(c, script, saves) {
  try {
    mkdirSync(c.dir, { recursive: true, mode: 0o700 });
    const tmp = c.file + '.' + process.pid + '.tmp';
    writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    utimesSync(tmp, new Date(), saves);
    renameSync(tmp, c.file);
    for (const n of readdirSync(c.dir)) if (n.startsWith(c.prefix) && n !== basename(c.file) && !n.endsWith('.tmp')) rmSync(join(c.dir, n), { force: true });
    const caches = readdirSync(c.dir).filter((n) => n.endsWith('.cache')).map((n) => {
      const st = statSync(join(c.dir, n));
      return { n, size: st.size, written: st.ctimeMs };
    }).sort((a, b) => b.written - a.written);
    let kept = 0;
    for (const f of caches) {
      kept += f.size;
      if (kept > KEEP_BYTES && f.n !== basename(c.file)) rmSync(join(c.dir, f.n), { force: true });
    }
    const versions = readdirSync(c.base).map((n) => ({ n, t: statSync(join(c.base, n)).mtimeMs })).sort((a, b) => b.t - a.t);
    for (const v of versions.slice(KEEP_VERSIONS)) if (v.n !== tag) rmSync(join(c.base, v.n), { recursive: true, force: true });
  } catch { /* no cache this time: the next run compiles again */ }
}

let cachedData;
let user;
/** How often the per-user cache read was written; SAVES for the build's. */
let saves = SAVES;
try {
  cachedData = readFileSync(builtCache);
} catch {
  saves = 0;
  try {
    user = userCache();
    if (user !== undefined) {
      saves = Math.round(statSync(user.file).mtimeMs / 1000);
      cachedData = readFileSync(user.file);
    }
  } catch { /* none yet */ }
}
const source = ${JSON.stringify(WRAP_HEAD)} + readFileSync(filename, 'latin1') + ${JSON.stringify(WRAP_TAIL)}; // the build made it ASCII
const script = new Script(source, { filename, cachedData });
if (process.env.TSWASI_WRITE_CODE_CACHE === '1') {
  // The build's training run: keep the code of every function this run compiled.
  process.on('exit', () => writeFileSync(builtCache, script.createCachedData()));
} else if (cachedData === undefined || script.cachedDataRejected || saves < SAVES) {
  // No cache for this Node (another Node built the package), one V8 rejected (other V8 flags), or a young one: (re)write this user's.
  const next = cachedData === undefined || script.cachedDataRejected ? 1 : saves + 1;
  try { user ??= userCache(); } catch { /* the bundle vanished: nothing to key a cache by */ }
  if (user !== undefined) process.on('exit', () => saveCache(user, script, next));
}
const bundleModule = { exports: {} };
script.runInThisContext()(bundleModule.exports, createRequire(filename), bundleModule, filename, bundleDir);
${esm ? '' : 'module.exports = bundleModule.exports;\n'}`;
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
  if (shebang !== '') text = '//' + text.slice(2);
  // ASCII only, so the launcher reads it as latin1 (no UTF-8 decoding: ~1 ms less for tswasi's bundle on Node 20).
  // esbuild escapes the code's own non-ASCII characters; what it keeps of comments it does not.
  text = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  await writeFile(cjs, text);
  // Every earlier build's caches (any Node's): V8 checks a cache against the source's length only.
  for (const f of await readdir(path.dirname(cjs))) {
    if (f.startsWith(path.basename(cjs) + '.') && f.endsWith('.cache')) await rm(path.join(path.dirname(cjs), f), { force: true });
  }
  // The code cache of the compiled top level (every module's load-time code).
  const script = new Script(WRAP_HEAD + text + WRAP_TAIL, { filename: cjs });
  await writeFile(`${cjs}.${cacheTag()}.cache`, script.createCachedData());
  await writeFile(js, launcher(path.basename(cjs), shebang, true));
  await rm(js + '.map', { force: true }); // tsc's map, of the file the launcher replaced
  await writeFile(js.replace(/\.js$/, '.cjs'), launcher(path.basename(cjs), shebang, false));
}

await Promise.all(ENTRIES.map(bundleEntry));

/**
 * Training runs: a command run once with TSWASI_WRITE_CODE_CACHE=1 rewrites
 * the caches of the bundles it ran (the runner's guest thread's too) with the code of
 * every function it compiled, not only the top level. Each run starts from
 * the cache the run before it wrote, whose functions stay in what it writes:
 * a bundle's cache holds the code of all its runs (`tswasi run --record`,
 * `replay` and `run`; tswasi-oci's `list`). A bigger cache costs `tswasi run`
 * nothing measurable (492 against 252 KB: A/B wall 1.01 on Node 20). A failed
 * training run leaves the cache it had (slower, still right), so it only warns.
 *
 * The container runner is trained too, outside any container, both ways it
 * runs a guest: its guest's "/" is a directory of the run's own, given as the
 * argument a container's runner never gets (oci/runner.ts), its guest
 * description on fd 3 as tswasi-oci passes it. Its caches are the built ones
 * a Wasm container's runner reads (its root is read-only: no per-user cache
 * there), so every function a container's run uses would otherwise be
 * compiled from source in every container (~14 ms of the hello's run outside
 * a container on Node 20).
 */
const work = await mkdtemp(path.join(tmpdir(), 'tswasi-build-'));
try {
  const stateRoot = path.join(work, 'state');
  const recording = path.join(work, 'hello.rec');
  const guestRoot = path.join(work, 'rootfs');
  await mkdir(guestRoot);
  await copyFile(path.join(ROOT, 'examples/hello.wasm'), path.join(guestRoot, 'hello.wasm'));
  const guestFile = path.join(work, 'guest.json');
  await writeFile(guestFile, JSON.stringify({ args: ['/hello.wasm'], env: [], cwd: '/' }));
  for (const args of [
    ['dist/src/cli/tswasi.js', 'run', '--record', recording, 'examples/hello.wasm'],
    ['dist/src/cli/tswasi.js', 'replay', recording],
    ['dist/src/cli/tswasi.js', 'run', 'examples/hello.wasm'],
    ['dist/oci/tswasi-oci.js', '--root', stateRoot, 'list'],
    ['dist/oci/tswasi-oci-wasm.js', '--root', stateRoot, 'list'],
    // Both of the runner's ways to run its guest (oci/runner.ts): on its worker thread, and on its own thread.
    ['dist/oci/runner.cjs', '3', guestRoot],
    ...(process.allowedNodeEnvironmentFlags.has('--disable-sigusr1') ? [['--disable-sigusr1', 'dist/oci/runner.cjs', '3', guestRoot]] : []),
  ]) {
    const guest = openSync(guestFile, 'r');
    try {
      const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe', guest], env: { ...process.env, TSWASI_WRITE_CODE_CACHE: '1' } });
      if (r.status !== 0) process.stderr.write(`bundle: training run \`${args.join(' ')}\` failed (${r.status ?? r.signal}), its bundles keep a top-level code cache: ${r.stderr}\n`);
    } finally {
      closeSync(guest);
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
