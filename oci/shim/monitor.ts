/**
 * Every process the shim starts — a container's init, an exec — runs under
 * conmon, the per-container monitor CRI-O and podman use. A Node process
 * cannot make itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so it
 * could never wait() for a container's init, which `runc create` leaves
 * orphaned; conmon is a subreaper, waits for it and writes its exit status
 * (128+n for a signal) to <dir>/exit, and <dir>/oom when the cgroup saw an
 * OOM kill. With --sync conmon stays the shim's child, so its exit is the
 * process's exit; with `-l passthrough:` the process gets conmon's stdio,
 * which is the shim's FIFOs, and conmon copies nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fdAfter, requiredTool } from '../native.js';

export interface MonitorOptions {
  runc: string;
  root: string;
  id: string;
  /** Our own directory for this process: conmon's pid file, exit and oom files; runc's log. */
  dir: string;
  /** create: the bundle runc gets. */
  bundle?: string;
  /** exec: the process.json runc gets. */
  processFile?: string;
  stdio: readonly [number | 'ignore' | 'pipe', number | 'ignore' | 'pipe', number | 'ignore' | 'pipe'];
  /** More fds for the process (3, 4, …: runc --preserve-fds). */
  fds: readonly number[];
}

export interface Exit { status: number; oom: boolean }

export interface Monitor {
  child: ChildProcess;
  /** The process's pid (in the host's pid namespace). */
  pid: number;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
}

const conmonPath = (): string => requiredTool('conmon', 'install it (Debian: apt-get install conmon) or set TSWASI_CONMON', process.env['TSWASI_CONMON']);

/** runc's last error, from its --log (JSON lines). */
export function runcError(dir: string): string | null {
  let text: string;
  try { text = fs.readFileSync(path.join(dir, 'runc.log'), 'utf8'); } catch { return null; }
  let msg: string | null = null;
  for (const line of text.split('\n')) {
    try {
      const e = JSON.parse(line) as { level?: string; msg?: string };
      if (e.level === 'error' && typeof e.msg === 'string') msg = e.msg;
    } catch { /* not JSON: skip */ }
  }
  return msg;
}

export function runcLogArgs(dir: string): string[] {
  return ['--log', path.join(dir, 'runc.log'), '--log-format', 'json'];
}

/** Start the process under conmon; resolves once runc has created (or exec'd) it. */
export function startMonitor(o: MonitorOptions): Promise<Monitor> {
  fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const syncFd = fdAfter(o.fds.length);
  const args = [
    '--api-version', '1', '--sync', '-c', o.id, '-u', o.id, '-r', o.runc,
    '-p', path.join(o.dir, 'pid'), '-0', o.dir, '-l', 'passthrough:', '--log-level', 'error',
    ...[ '--root', o.root, ...runcLogArgs(o.dir)].flatMap((a) => ['--runtime-arg', a]),
  ];
  if (o.processFile !== undefined) args.push('-e', '--exec-process-spec', o.processFile);
  else args.push('-b', o.bundle!);
  if (o.fds.length > 0) args.push('--runtime-opt', '--preserve-fds', '--runtime-opt', String(o.fds.length));
  const child = spawn(conmonPath(), args, {
    cwd: o.dir,
    stdio: [...o.stdio, ...o.fds, 'pipe'],
    env: { ...process.env, _OCI_SYNCPIPE: String(syncFd) },
  });
  const sync = child.stdio[syncFd] as NodeJS.ReadableStream | null;
  const exitedRaw = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const exited = exitedRaw.then((): Exit => {
    let status = 255;
    try { status = Number(fs.readFileSync(path.join(o.dir, 'exit'), 'utf8')); } catch { /* conmon itself was killed */ }
    return { status: Number.isInteger(status) && status >= 0 ? status : 255, oom: fs.existsSync(path.join(o.dir, 'oom')) };
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    let settled = false;
    child.once('error', (e) => { settled = true; reject(new Error(`cannot run conmon: ${e.message}`)); });
    sync?.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while (!settled && (nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let data: number;
        try { data = (JSON.parse(line) as { data: number }).data; } catch { continue; }
        settled = true;
        if (data > 0) resolve({ child, pid: data, exited });
        else reject(new Error(runcError(o.dir) ?? `runc ${o.processFile === undefined ? 'create' : 'exec'} failed`));
      }
    });
    void exitedRaw.then((code) => {
      if (settled) return;
      settled = true;
      reject(new Error(runcError(o.dir) ?? `conmon exited (${code}) before the process started`));
    });
  });
}
