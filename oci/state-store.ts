/**
 * Where tswasi-oci keeps what it knows about each container: one directory
 * per id holding record.json, written atomically (write, fsync, rename, fsync
 * the directory) so a crash never leaves a half-written record to be read,
 * and guarded by a lock so concurrent commands on one id are safe.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ERR_EXIST, ERR_NOT_EXIST, idProblem } from './runc-errors.js';

/** What tswasi-oci records for every container id it has seen. */
export interface ContainerRecord {
  id: string;
  bundle: string;
  /** Who runs it: tswasi itself, or the native runtime at `runtime`. */
  handler: 'wasm' | 'native';
  runtime?: string;
  /** Why it was classified so (for the log and for humans). */
  reason: string;
  ociVersion: string;
  annotations?: Record<string, string>;
  pid?: number;
  /** /proc/PID/stat starttime, so a reused pid is not mistaken for the container. */
  pidStartTime?: string;
  created: string;
  paused?: boolean;
  /** Pids of `exec`ed processes. */
  execPids?: number[];
  /** Tracing asked for by annotation or environment: the spec and the file. */
  trace?: { spec: string; file: string };
}

export const RECORD_FILE = 'record.json';

/** A record that cannot be read (never written by us: ours are replaced atomically). */
export class CorruptRecordError extends Error {}
export const EXEC_FIFO = 'exec.fifo';

/** The default --root, as /run/runc is runc's. */
export const DEFAULT_ROOT = '/run/tswasi-oci';

export class StateStore {
  constructor(readonly root: string) {}

  static validId(id: string): boolean {
    return idProblem(id) === null;
  }

  /** Throws runc's words unless `id` is valid. The CLI checks every id on entry; this guards the path. */
  static checkId(id: string): void {
    const problem = idProblem(id);
    if (problem !== null) throw new Error(problem);
  }

  dir(id: string): string {
    StateStore.checkId(id);
    return path.join(this.root, id);
  }

  /** Claim a new id: creating its directory is the atomic step two racing creates contend on. */
  claim(id: string): string {
    const dir = this.dir(id);
    fs.mkdirSync(this.root, { recursive: true, mode: 0o711 });
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') throw new Error(ERR_EXIST);
      throw e;
    }
    return dir;
  }

  exists(id: string): boolean {
    return fs.existsSync(path.join(this.dir(id), RECORD_FILE));
  }

  read(id: string): ContainerRecord {
    const file = path.join(this.dir(id), RECORD_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      throw new Error(ERR_NOT_EXIST);
    }
    try {
      return JSON.parse(text) as ContainerRecord;
    } catch {
      throw new CorruptRecordError(`container ${id}: its state record ${file} is corrupt (not valid JSON); delete --force removes it`);
    }
  }

  /** Atomic replace: readers see the old record or the new one, never a torn one. */
  write(rec: ContainerRecord): void {
    const dir = this.dir(rec.id);
    const tmp = path.join(dir, `.${RECORD_FILE}.${process.pid}.tmp`);
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeFileSync(fd, JSON.stringify(rec, null, 2) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path.join(dir, RECORD_FILE));
    const dfd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); }
  }

  remove(id: string): void {
    fs.rmSync(this.dir(id), { recursive: true, force: true });
  }

  ids(): string[] {
    try {
      return fs.readdirSync(this.root, { withFileTypes: true })
        .filter((e) => e.isDirectory() && StateStore.validId(e.name) && fs.existsSync(path.join(this.root, e.name, RECORD_FILE)))
        .map((e) => e.name)
        .sort();
    } catch {
      return [];
    }
  }

  /**
   * Run `fn` holding the id's lock (an O_EXCL lock file with the holder's
   * pid; a lock whose holder is dead is taken over).
   */
  withLock<T>(id: string, fn: () => T): T {
    StateStore.checkId(id);
    fs.mkdirSync(this.root, { recursive: true, mode: 0o711 });
    const lock = path.join(this.root, `.${id}.lock`);
    const deadline = Date.now() + 10_000;
    const cell = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
      try {
        const fd = fs.openSync(lock, 'wx', 0o600);
        fs.writeSync(fd, String(process.pid));
        fs.closeSync(fd);
        break;
      } catch (e) {
        if ((e as { code?: string }).code !== 'EEXIST') throw e;
        const holder = Number(readOr(lock, '0'));
        if (holder > 0 && !pidAlive(holder)) {
          try { fs.unlinkSync(lock); } catch { /* someone else took it over */ }
          continue;
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for the lock of container ${id}`);
        Atomics.wait(cell, 0, 0, 5);
      }
    }
    try {
      return fn();
    } finally {
      try { fs.unlinkSync(lock); } catch { /* already gone */ }
    }
  }
}

function readOr(file: string, fallback: string): string {
  try { return fs.readFileSync(file, 'utf8'); } catch { return fallback; }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks), or null. */
export function pidStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parens: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

/** Is the recorded pid still the container's process (and not a zombie)? */
export function containerAlive(rec: ContainerRecord): boolean {
  if (rec.pid === undefined) return false;
  const st = pidStartTime(rec.pid);
  if (st === null || (rec.pidStartTime !== undefined && st !== rec.pidStartTime)) return false;
  try {
    const state = fs.readFileSync(`/proc/${rec.pid}/stat`, 'utf8');
    return state.slice(state.lastIndexOf(')') + 2, state.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
