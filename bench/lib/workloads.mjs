// Shared workload definitions + cached C -> wasm build for the bench suite.
// Used by both run.mjs (the harness) and runner.mjs (one measured run), so
// `node bench/runner.mjs <engine> <workload>` works standalone (e.g. under
// --cpu-prof) and builds the module on demand.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT_DIR = dirname(BENCH_DIR);
export const C_DIR = join(BENCH_DIR, 'c');
export const BUILD_DIR = join(BENCH_DIR, '.build');

export const CC = process.env.BENCH_CC || 'clang';
export const CFLAGS = ['--target=wasm32-wasi', '-O2', '-Wall', '-Wextra'];

// The guest sees the per-run temp directory as GUEST_DIR.
export const GUEST_DIR = '/sandbox';

// Where per-run scratch dirs are created. BENCH_TMPDIR (set by
// `run.mjs --tmpdir`) wins; otherwise a tmpfs (/dev/shm) when there is one,
// else os.tmpdir(). Why not plain /tmp: on a disk-backed ext4 /tmp, creating
// 20,000 inodes right after a previous run deleted 20,000 makes ext4's inode
// allocator scan "recently deleted" inodes (recently_deleted() /
// find_inode_bit() in the kernel), which costs seconds of *kernel* time and
// flips between consecutive runs -- an identical-engine A/A run of many-files
// showed a 5x "ratio". tmpfs measures the WASI host, not the inode allocator.
export function scratchBase() {
  if (process.env.BENCH_TMPDIR) return process.env.BENCH_TMPDIR;
  if (isWritableTmpfs('/dev/shm')) return '/dev/shm';
  return tmpdir();
}

function isWritableTmpfs(dir) {
  try {
    accessSync(dir, constants.W_OK);
    const mounts = readFileSync('/proc/mounts', 'utf8');
    return mounts.split('\n').some((l) => {
      const [, mnt, type] = l.split(' ');
      return mnt === dir && type === 'tmpfs';
    });
  } catch {
    return false;
  }
}

// args: guest argv[1..] for the real benchmark; quickArgs: tiny sizes used by
// `run.mjs --quick` to smoke-test the harness in a few seconds.
// stdout(args): the exact text the guest must write to stdout, or
// stdoutBytes(args): how many bytes (default 0); checked by the verify runs
// (stdoutProblem below), so both engines are seen to produce the same result.
export const WORKLOADS = [
  {
    name: 'startup',
    source: 'startup.c',
    args: [],
    quickArgs: [],
    describe: 'hello world: instantiate + _start + one printf',
    stdout: () => 'hello from tswasi bench\n',
  },
  {
    name: 'small-writes',
    source: 'small-writes.c',
    args: ['1000000'],
    quickArgs: ['10000'],
    describe: '1,000,000 x fd_write(1, "x\\n", 2) to /dev/null',
    stdoutBytes: (args) => 2 * Number(args[0]),
  },
  {
    name: 'file-io',
    source: 'file-io.c',
    args: [GUEST_DIR, '256'],
    quickArgs: [GUEST_DIR, '4'],
    describe: 'write 256 MiB in 64 KiB chunks, read back, unlink',
  },
  {
    name: 'many-files',
    source: 'many-files.c',
    args: [GUEST_DIR, '20000'],
    quickArgs: [GUEST_DIR, '500'],
    describe: 'create 20,000 files, stat each, readdir, unlink all',
  },
  {
    name: 'clock',
    source: 'clock.c',
    args: ['5000000'],
    quickArgs: ['10000'],
    describe: '5,000,000 x clock_time_get(MONOTONIC)',
  },
  {
    name: 'walk',
    source: 'walk.c',
    args: [GUEST_DIR, '4'],
    quickArgs: [GUEST_DIR, '1'],
    describe: 'build a 585-directory, 5,000-file tree, then 4 x (readdir every directory + lstat every entry by full path)',
    stdout: (args) => `walk: ${args[1]} passes over 585 directories, 5000 files, 162540 bytes\n`,
  },
  {
    name: 'random',
    source: 'random.c',
    args: ['64', '256'],
    quickArgs: ['4', '256'],
    describe: '64 MiB of random_get in 256-byte calls (262,144 calls), distribution checked',
    stdout: (args) => `random: ${Number(args[0]) * 1048576} bytes in ${Number(args[0]) * 1048576 / Number(args[1])} calls of ${args[1]}, distribution ok\n`,
  },
];

/** Why `got` (the guest's stdout, a Buffer) is not what workload `w` must print with `args`; null when it is. */
export function stdoutProblem(w, args, got) {
  if (w.stdout) {
    const want = w.stdout(args);
    return got.toString('utf8') === want ? null : `guest stdout: got ${JSON.stringify(got.toString('utf8').slice(0, 200))}, expected ${JSON.stringify(want)}`;
  }
  const want = (w.stdoutBytes ?? (() => 0))(args);
  return got.length === want ? null : `guest stdout: got ${got.length} bytes, expected ${want}`;
}

export function getWorkload(name) {
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w) {
    throw new Error(`unknown workload '${name}' (known: ${WORKLOADS.map((x) => x.name).join(', ')})`);
  }
  return w;
}

let ccVersion;
function compilerVersion() {
  if (ccVersion === undefined) {
    ccVersion = execFileSync(CC, ['--version'], { encoding: 'utf8' }).split('\n')[0];
  }
  return ccVersion;
}

// Returns the path of the compiled module, compiling only when the source,
// flags or compiler changed (cache key = sha256 of all three).
export function buildWorkload(w) {
  const srcPath = join(C_DIR, w.source);
  const src = readFileSync(srcPath);
  const hash = createHash('sha256')
    .update(src)
    .update('\0' + CFLAGS.join(' ') + '\0' + compilerVersion())
    .digest('hex')
    .slice(0, 16);
  const out = join(BUILD_DIR, `${w.name}-${hash}.wasm`);
  if (existsSync(out)) return out;
  mkdirSync(BUILD_DIR, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    execFileSync(CC, [...CFLAGS, srcPath, '-o', tmp], { stdio: ['ignore', 'inherit', 'inherit'] });
    renameSync(tmp, out); // atomic: concurrent builders can't see a half-written file
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}
