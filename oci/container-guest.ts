/**
 * A container's guest, run by the one runGuest (src/run-guest.ts) as the CLI
 * and the pool run theirs — on the runner's own thread under an init, on its
 * worker thread as pid 1 (runner.ts). Its filesystem is
 * /rootfs of the runner's root — the image's rootfs with the engine's data
 * mounts, really mounted by runc — resolved with chroot rules by the WASI
 * core, so nothing above it (the runner's Node, the kernel mounts) has a name.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  HostDir, buildNamespace, namespacePreopen, normaliseGuestPath, readAllFrom, resolveIn,
  type DirHandle, type Namespace,
} from '../src/fs-api.js';
import { SharedOutputWriter, writeAll, type CallContext, type WasiFunction } from '../wasi/index.js';
import { Filetype } from '../wasi/abi.js';
import { compileModule } from '../src/module.js';
import { runGuest } from '../src/run-guest.js';
import type { Tracer } from '../src/trace/tracer.js';
import type { ContainerRecorder } from './record-runner.js';
import { UserError, errorLine, failureLine } from '../src/errors.js';
import { compileWat, looksLikeWat } from '../src/wat.js';
import type { GuestProcess } from './guest.js';

/** Environment entries "K=V" → record; the first of duplicate names wins, as execve's getenv. */
function envRecord(list: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    const k = i < 0 ? kv : kv.slice(0, i);
    if (!(k in env)) env[k] = i < 0 ? '' : kv.slice(i + 1);
  }
  return env;
}

function openDirIn(ns: Namespace, guestPath: string): DirHandle | null {
  try {
    return resolveIn(ns, guestPath, (dir, name) => {
      const h = dir.open(name, { create: false, exclusive: false, truncate: false, directory: true, read: true, write: false, append: false, sync: false, dsync: false });
      if (h.kind !== 'dir') { h.close(); throw new Error('not a directory'); }
      return h;
    }) as DirHandle;
  } catch {
    return null;
  }
}

/**
 * Preopens for a container. wasi-libc strips the leading "/" from absolute
 * paths and matches both "/" and "." preopens with an empty prefix, the last
 * one registered winning — so "/x" and "x" cannot be told apart. With the
 * working directory at "/", one preopen "/" is exact. Otherwise every
 * top-level directory of "/" is preopened under its absolute name ("/etc",
 * "/data", …), and the working directory last as ".": absolute paths then
 * match their longer prefix, relative paths match "." (docs/containers.md
 * "What a Wasm container sees" says what does not hold).
 */
function containerPreopens(ns: Namespace, cwd: string) {
  const cwdComponents = normaliseGuestPath(cwd).split('/').filter(Boolean);
  if (cwdComponents.length === 0) return [namespacePreopen(ns, '/', ns.root, [])];
  const fds = [];
  const names = ns.root.readdir().filter((e) => e.filetype === Filetype.DIRECTORY || e.filetype === Filetype.SYMBOLIC_LINK).map((e) => e.name).sort();
  for (const name of names) {
    const h = openDirIn(ns, '/' + name);
    if (h !== null) fds.push(namespacePreopen(ns, '/' + name, h, [name]));
  }
  const cwdDir = openDirIn(ns, cwd);
  if (cwdDir === null) throw new UserError(`process.cwd ${cwd} is not a directory in the container`);
  fds.push(namespacePreopen(ns, '.', cwdDir, cwdComponents));
  return fds;
}

/**
 * Run `g` with `root` as its "/"; the trace, if asked for, goes to `traceFd`;
 * stdout is gathered in `ring` when given (a thread other than this one drains
 * it), else written at once. Resolves to the exit status.
 */
export async function runContainerGuest(g: GuestProcess, root: string, traceFd: number | undefined, ring: SharedArrayBuffer | undefined): Promise<number> {
  const ns = buildNamespace(HostDir.open(root), new Map());
  const entry = g.args[0]!;
  let bytes: Uint8Array;
  try {
    // An image's module layer is bound into the runner's root; any other module is a file of the guest's tree.
    bytes = g.module !== undefined ? fs.readFileSync(g.module) : readAllFrom(ns, entry.startsWith('/') ? entry : path.posix.join(g.cwd, entry));
  } catch {
    throw new UserError(`entrypoint ${entry} not found in the container`);
  }
  if (looksLikeWat(bytes)) bytes = await compileWat(bytes, entry);
  // linux.resources.memory.limit caps the module's memories as the pool's memoryLimit does.
  const pages = g.memoryLimitPages;
  // One module, compiled once in this process: no cache (no hash, no node:crypto).
  const module = compileModule(bytes, entry, { cache: false, ...(pages !== undefined ? { memoryLimitPages: pages } : {}) });
  let tracer: Tracer | null = null;
  if (g.trace !== undefined && traceFd !== undefined) {
    // Loaded only when asked for: start-up pays nothing for tracing otherwise.
    const { Tracer, parseTraceSpec } = await import('../src/trace/tracer.js');
    const { format, filter } = parseTraceSpec(g.trace);
    tracer = new Tracer({ format, filter, output: (line) => { fs.writeSync(traceFd, line + '\n'); }, summary: true });
  }
  const env = envRecord(g.env);
  const preopens = containerPreopens(ns, g.cwd);
  let recorder: ContainerRecorder | null = null;
  if (g.record !== undefined) {
    // Loaded only when asked for, as tracing is: start-up pays nothing for it otherwise.
    const { recordIn } = await import('./record-runner.js');
    recorder = recordIn(ns, g.record, bytes, { args: g.args, env, preopens: preopens.map((p) => p.preopenPath ?? '') });
  }
  const rec = recorder;
  // Traced and recorded: the tracer sees the call as the recorder passes it on.
  const wrapImport = tracer !== null && rec !== null ? (n: string, f: WasiFunction, c: CallContext) => tracer!.wrap(n, rec.wrap(n, f, c), c) : (tracer?.wrap ?? rec?.wrap);
  const outcome = runGuest({
    module,
    memoryLimitPages: pages,
    wasi: {
      args: g.args, env, extraFds: preopens,
      // io.tswasi.tcplisten: bound here, in the container's network namespace; fds 3… before the directories.
      ...(g.listeners !== undefined ? { listeners: g.listeners } : {}),
      // stdout gathered in the ring the main thread drains (not a terminal), or written at once.
      ...(ring !== undefined ? { coalesceStdout: new SharedOutputWriter(ring, (buf, off, len) => writeAll(1, buf, off, len)) } : {}),
      ...(wrapImport !== undefined ? { wrapImport } : {}),
    },
  });
  recorder?.finish(outcome);
  if (tracer !== null && traceFd !== undefined) {
    tracer.close();
    // A Chrome trace is one JSON document: no table after it.
    if (!g.trace!.includes('chrome')) fs.writeSync(traceFd, '\n' + tracer.summary() + '\n');
    fs.closeSync(traceFd);
  }
  if (outcome.error !== undefined) fs.writeSync(2, errorLine(outcome.error) + '\n');
  return outcome.exitCode;
}

/**
 * Run `g` (runContainerGuest) and end with its status: process.exit ends the
 * process, or, on the runner's worker thread, that thread (the main thread
 * then exits with its status). A failure before the guest ran — its module
 * missing or malformed — is one line on stderr and status 1.
 */
export function exitWithContainerGuest(g: GuestProcess, root: string, traceFd: number | undefined, ring: SharedArrayBuffer | undefined): void {
  // No top-level await in the callers: the build bundles them as CommonJS, to run them from V8's code cache.
  void runContainerGuest(g, root, traceFd, ring).then((code) => code, (e: unknown) => {
    fs.writeSync(2, failureLine(e) + '\n');
    return 1;
  }).then((code) => {
    process.exit(code);
  });
}
