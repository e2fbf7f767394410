/** Handing a container to the native runtime (runc or crun), arguments unchanged. */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import path from 'node:path';

/** Loaded on first use: state, kill, delete and list of Wasm containers never spawn (start-up). */
const childProcess = (): typeof import('node:child_process') => createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');

/** The native runtime: --native-runtime, TSWASI_NATIVE_RUNTIME, or runc/crun on PATH. */
export function findNativeRuntime(explicit: string | undefined): string {
  const wanted = explicit ?? process.env['TSWASI_NATIVE_RUNTIME'];
  if (wanted !== undefined && wanted !== '') {
    const found = wanted.includes('/') ? (isExecutable(wanted) ? wanted : null) : onPath(wanted);
    if (found === null) throw new Error(`native runtime ${wanted} not found or not executable`);
    return found;
  }
  for (const name of ['runc', 'crun']) {
    const found = onPath(name);
    if (found !== null) return found;
  }
  throw new Error('no native runtime: install runc or crun, or set --native-runtime / TSWASI_NATIVE_RUNTIME');
}

/** An executable regular file. */
export function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export function onPath(name: string): string | null {
  for (const dir of (process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const p = path.join(dir || '.', name);
    if (isExecutable(p)) return p;
  }
  return null;
}

const tools = new Map<string, string>();

/**
 * A helper program the shim runs (conmon, script): `override` when given,
 * else found on PATH, once per process; missing, an Error whose message
 * ends with `install` (what to do about it).
 */
export function requiredTool(name: string, install: string, override?: string): string {
  let found = tools.get(name);
  if (found === undefined) {
    const p = override || onPath(name);
    if (p === null) throw new Error(`${name} not found on PATH: ${install}`);
    tools.set(name, (found = p));
  }
  return found;
}

/** A child's first fd beyond stdio: runc's --preserve-fds N hands on fds 3 … 3+N-1, in order. */
export const FIRST_EXTRA_FD = 3;

/** The number of the fd after `n` extra ones (3+n): where fds of our own start after the engine's preserved ones. */
export function fdAfter(n: number | undefined): number {
  return FIRST_EXTRA_FD + (n ?? 0);
}

/**
 * What to hand the native runtime when the engine asked for `preserved`
 * fds (--preserve-fds) and we add `ours` after them: the fds (the engine's
 * 3 … 3+n-1 as they are, then ours, which the process finds from
 * fdAfter(preserved) on) and the --preserve-fds count that covers them all.
 */
export function handOn(preserved: number | undefined, ours: readonly number[]): { fds: number[]; count: number } {
  const n = preserved ?? 0;
  return { fds: [...Array.from({ length: n }, (_, i) => FIRST_EXTRA_FD + i), ...ours], count: n + ours.length };
}

/**
 * Run the native runtime with `args`, our stdio, and return its exit status.
 * `fds` are handed on as its fds 3, 4, … (what --preserve-fds counts).
 */
export function delegate(runtime: string, args: readonly string[], fds: readonly number[] = []): number {
  const r = childProcess().spawnSync(runtime, args, { stdio: ['inherit', 'inherit', 'inherit', ...fds] });
  if (r.error) throw new Error(`cannot run native runtime ${runtime}: ${r.error.message}`);
  if (r.signal) return 128 + (signalNumber(r.signal) ?? 1);
  return r.status ?? 1;
}

/** Run the native runtime and capture what it says. */
export function capture(runtime: string, args: readonly string[]): { status: number; stdout: string; stderr: string } {
  const r = childProcess().spawnSync(runtime, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw new Error(`cannot run native runtime ${runtime}: ${r.error.message}`);
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export function signalNumber(sig: string): number | undefined {
  return (constants.signals as Record<string, number>)[sig];
}
