#!/usr/bin/env node
// `npm test`: make sure the toolchain the suite compiles its guests with is
// here (installing Debian's packages when we can), type-check the tests
// against dist/'s .d.ts (test/tsconfig.json: a type error fails the suite
// before anything runs), then run every test/**/*.test.mjs with node's
// built-in test runner.
// `npm run test:quick` (--quick): the edit loop — the same type check, then
// the quick tier (the WASI core, CLI, pool, output, tracing, the pure parts
// in-process, the sandbox; no podman, containerd, browser or long attacks),
// in under a minute.
// `--quick --containers`: the quick tier and the container end-to-end tests
// (test/oci: podman, runc, containerd; test/cri; test/package: the packed
// tarball installed) — what .ci/run runs on each supported Node besides the
// machine's (scripts/node-versions.mjs).
// The tiers are lists of files (and tags on tests in a file that mixes
// costs) in test/helpers/tiers.mjs; the files themselves are grouped by subject.
// Named files (`node scripts/test.mjs test/x.test.mjs`): just those, no type check.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { TIER_ENV, listed } from '../test/helpers/tiers.mjs';

const root = new URL('..', import.meta.url).pathname;

function haveToolchain() {
  const r = spawnSync('clang', ['--target=wasm32-wasi', '-print-file-name=libc.a'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim().startsWith('/') && statSync(r.stdout.trim(), { throwIfNoEntry: false }) !== undefined;
}

function haveOciTools() {
  return ['podman', 'buildah', 'runc'].every((t) => spawnSync(t, ['--version']).status === 0)
    // containerd 1.7 beside the machine's (the shim's Wasm-layer image tests).
    && spawnSync('bash', [join(root, 'scripts/containerd-1.7.sh'), '--installed'], { stdio: 'ignore' }).status === 0;
}

/** Debian's chromium, for test/browser (playwright-core drives it; no browser download). */
function haveChromium() {
  return statSync('/usr/bin/chromium', { throwIfNoEntry: false }) !== undefined;
}

const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));
const quick = flags.has('--quick');
const containers = flags.has('--containers');
const named = process.argv.slice(2).filter((a) => !a.startsWith('--'));

if (!haveToolchain() || (!quick && (!haveOciTools() || !haveChromium())) || (containers && !haveOciTools())) {
  const canApt = process.platform === 'linux' && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
  if (canApt && process.getuid?.() === 0) {
    console.log('test: installing clang, lld, wasi-libc, podman, buildah, runc, chromium, containerd 1.7 (scripts/install-deps.sh)…');
    const r = spawnSync('bash', [join(root, 'scripts/install-deps.sh')], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  } else {
    console.log('test: clang/wasi-libc, podman/buildah/runc or chromium not found; tests that need them are skipped (run scripts/install-deps.sh as root to install them).');
  }
}

function find(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith('.')) out.push(...find(p));
    else if (e.isFile() && e.name.endsWith('.test.mjs')) out.push(p);
  }
  return out.sort();
}

const testDir = join(root, 'test');
/** @type {('quick' | 'containers')[]} */
const tiers = containers ? ['quick', 'containers'] : ['quick'];
const files = named.length > 0 ? named
  : quick ? find(testDir).filter((f) => listed(relative(root, f), tiers))
  : find(testDir);

if (named.length === 0) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const t0 = Date.now();
  const check = spawnSync(process.execPath, [tsc, '-p', join(testDir, 'tsconfig.json'), '--noEmit'], { stdio: 'inherit', cwd: root });
  if (check.status !== 0) {
    console.error('test: the type check of test/ failed (tsc -p test/tsconfig.json --noEmit); no tests were run.');
    process.exit(check.status ?? 1);
  }
  console.log(`test: test/ type-checks against dist/ (${Date.now() - t0} ms)`);
}
// The Node running this script runs everything: its directory goes first on
// PATH, so the tests, the CLIs they start (#!/usr/bin/env node), the
// container runtime podman and containerd start, and the container runner
// all run on it (`node scripts/node-versions.mjs exec 24 -- npm test`).
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
// Tests tagged with a costlier tier than this run's are not registered.
if (quick && named.length === 0) env[TIER_ENV] = containers ? 'containers' : 'quick';
console.log(`test: Node ${process.version} (${process.execPath}), ${files.length} files`);
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', cwd: root, env });
process.exit(r.status ?? 1);
