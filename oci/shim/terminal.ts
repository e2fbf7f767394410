/**
 * An exec with a terminal (`ctr task exec -t`, `kubectl exec -it`). runc
 * hands a process's pty master over a console socket with SCM_RIGHTS, which
 * Node cannot receive; and conmon, which can, offers the pty's input only on
 * a SOCK_SEQPACKET socket, which Node cannot open either. So the shim lets
 * runc keep the master, as runc does when it runs a process in the
 * foreground: `runc exec` without --detach, with a terminal as its stdio,
 * makes the process's pty in the container, copies between it and its own
 * stdio (set raw), and passes its own window size on at every SIGWINCH.
 * That terminal is one script(1) (util-linux, on every Debian) makes:
 *
 *   stdin FIFO → script → pty ⇄ runc exec (foreground) ⇄ the process's pty in the container
 *   stdout FIFO ← script ←┘
 *
 * script exits with runc's status (-e), which is the process's (128+n for
 * a signal), so no conmon is needed: runc waits for the process itself (it
 * is a subreaper). ResizePty sets the size of script's pty, whose
 * foreground process, runc, then resizes the process's pty.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { onPath } from '../native.js';
import { runcError, runcLogArgs, type Exit, type Monitor } from './monitor.js';

export interface TerminalExecOptions {
  runc: string;
  root: string;
  id: string;
  /** Our directory for this exec: runc's pid file and log. */
  dir: string;
  /** The process.json runc gets. */
  processFile: string;
  /** stdin (script copies it in), stdout (what the terminal shows). */
  stdio: readonly [number | 'ignore' | 'pipe', number | 'ignore' | 'pipe'];
  /** More fds for the process (3, 4, …: runc --preserve-fds). */
  fds: readonly number[];
}

let script: string | null = null;
function scriptPath(): string {
  script ??= onPath('script');
  if (script === null) throw new Error('script(1) not found on PATH, which an exec with a terminal needs: install util-linux (Debian: bsdutils)');
  return script;
}

/** A word for sh -c: single-quoted. */
const shellWord = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/** The pid runc wrote to `file` once the process started, or null while it has not. */
function readPid(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Start the exec under script and runc; resolves once runc has started the process (its pid file is written). */
export function startTerminalExec(o: TerminalExecOptions): Promise<Monitor> {
  fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const pidFile = path.join(o.dir, 'pid');
  fs.rmSync(pidFile, { force: true });
  const argv = [
    o.runc, '--root', o.root, ...runcLogArgs(o.dir), 'exec', '--process', o.processFile, '--pid-file', pidFile,
    ...(o.fds.length > 0 ? ['--preserve-fds', String(o.fds.length)] : []), o.id,
  ];
  // The watch is set before the file is first looked for: a pid file written in between is not missed.
  const watcher = fs.watch(o.dir);
  const child = spawn(scriptPath(), ['--quiet', '--return', '--command', `exec ${argv.map(shellWord).join(' ')}`, '/dev/null'], {
    cwd: o.dir,
    stdio: [o.stdio[0], o.stdio[1], o.stdio[1], ...o.fds],
    // script runs the command with $SHELL -c.
    env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', SHELL: '/bin/sh', TERM: 'xterm' },
  });
  const exitedRaw = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const exited = exitedRaw.then((code): Exit => ({ status: code ?? 255, oom: false }));
  return new Promise<Monitor>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      watcher.close();
      return true;
    };
    const look = (): void => {
      const pid = readPid(pidFile);
      if (pid !== null && settle()) resolve({ child, pid, exited });
    };
    watcher.on('change', look);
    watcher.on('error', () => { /* the directory went: the exit below settles it */ });
    child.once('error', (e) => { if (settle()) reject(new Error(`cannot run script: ${e.message}`)); });
    void exitedRaw.then((code) => {
      // The process may have run and ended before its pid file was seen.
      const pid = readPid(pidFile);
      if (!settle()) return;
      if (pid !== null) resolve({ child, pid, exited });
      else reject(new Error(runcError(o.dir) ?? `runc exec failed (${code})`));
    });
    look();
  });
}

const run = promisify(execFile);

/**
 * Set the window size of a terminal exec's pty: script's, of which runc is
 * the foreground process (it passes the size on). The pty is found as
 * runc's stdin (/proc/<runc>/fd/0), runc being script's one child.
 */
export async function resizeTerminal(scriptPid: number, width: number, height: number): Promise<void> {
  let tty: string;
  try {
    const runcPid = fs.readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').trim().split(/\s+/)[0];
    tty = fs.readlinkSync(`/proc/${runcPid}/fd/0`);
  } catch {
    return; // the exec has ended: nothing to resize
  }
  if (!/^\/dev\/pts\/\d+$/.test(tty)) return;
  // A winsize holds 16-bit rows and columns.
  const dim = (n: number): string => String(Math.min(n, 0xffff));
  await run('stty', ['-F', tty, 'rows', dim(height), 'cols', dim(width)]);
}
