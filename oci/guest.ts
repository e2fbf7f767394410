/**
 * What the container runner is told about its guest, and how it is told:
 * through an inherited file descriptor (runc --preserve-fds), never through
 * the runner's environment or argv. The guest's environment may hold
 * NODE_OPTIONS, NODE_PATH, UV_*, DEBUG…: they must reach the guest only, and
 * Node reads its settings from its own environment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ListenAddress } from './tcplisten.js';

/**
 * Where, in the runner's root (runner-root.ts), an image's module that is a
 * layer and not a file of the rootfs (shim/image-module.ts) is bound:
 * read-only, outside the guest's tree.
 */
export const RUNNER_MODULE = '/tswasi/module.wasm';

export interface GuestProcess {
  /** argv, argv[0] the module's path in the guest's filesystem. */
  args: string[];
  /** "K=V" as in config.json. */
  env: string[];
  /** The working directory in the guest's filesystem. */
  cwd: string;
  /** Cap on each linear memory, in 64 KiB pages (from linux.resources.memory.limit). */
  memoryLimitPages?: number | undefined;
  /** io.tswasi.trace: the trace spec; the trace goes to the fd after the guest fd. */
  trace?: string | undefined;
  /** io.tswasi.tcplisten: TCP listeners the runner opens in the container's network namespace, the guest's fds 3…. */
  listeners?: ListenAddress[] | undefined;
  /** io.tswasi.record: where in the container's filesystem the runner records the run (checked at create: oci/record.ts). */
  record?: string | undefined;
  /**
   * The module's path in the runner's own root (RUNNER_MODULE), when it is
   * not a file of the guest's tree: an image whose module is a layer of its
   * own (shim/image-module.ts). args[0] is then only the guest's argv[0].
   */
  module?: string | undefined;
}

/**
 * A file holding `g` as JSON, opened for reading and already unlinked: the
 * fd is all there is. The runner reads it from offset 0 and closes it.
 * `dir` exists (a bundle copy, or the run directory's exec/: run-dir.ts).
 */
export function guestFd(dir: string, g: GuestProcess): number {
  const file = path.join(dir, `guest-${process.pid}-${randomBytes(6).toString('hex')}.json`);
  fs.writeFileSync(file, JSON.stringify(g), { mode: 0o400 });
  try {
    return fs.openSync(file, 'r');
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** Read and check the guest description from an inherited fd (the runner's side). */
export function readGuestFd(fd: number): GuestProcess {
  const text = fs.readFileSync(fd, 'utf8');
  fs.closeSync(fd);
  const g = JSON.parse(text) as GuestProcess;
  if (!Array.isArray(g.args) || g.args.length === 0 || !g.args.every((a) => typeof a === 'string')) throw new Error('process.args is empty');
  if (!Array.isArray(g.env) || typeof g.cwd !== 'string') throw new Error('malformed guest description');
  if (g.listeners !== undefined && !(Array.isArray(g.listeners) && g.listeners.every((l) => typeof l.host === 'string' && Number.isInteger(l.port)))) throw new Error('malformed guest description');
  if (g.record !== undefined && !(typeof g.record === 'string' && g.record.startsWith('/'))) throw new Error('malformed guest description');
  if (g.module !== undefined && g.module !== RUNNER_MODULE) throw new Error('malformed guest description');
  return g;
}
