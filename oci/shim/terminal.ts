/**
 * Processes with a terminal (`ctr run -t`, `ctr task exec -t`, CRI `tty`,
 * `kubectl exec -it`). runc hands a detached process's pty master over a
 * console socket with SCM_RIGHTS, which Node cannot receive; and conmon,
 * which can, offers the pty's input only on a SOCK_SEQPACKET socket, which
 * Node cannot open either. So the shim lets runc keep the master, as runc
 * does when it runs a process in the foreground: `runc run` or `runc exec`
 * without --detach, with a terminal as its stdio, makes the process's pty in
 * the container, copies between it and its own stdio (set raw), and passes
 * its own window size on at every SIGWINCH. That terminal is one script(1)
 * (util-linux, on every Debian) makes:
 *
 *   stdin FIFO → script → pty ⇄ runc run|exec (foreground) ⇄ the process's pty in the container
 *   stdout FIFO ← script ←┘
 *
 * script exits with runc's status (--return), which is the process's
 * (128+n for a signal), so no conmon is needed: runc waits for the process
 * itself (it is a subreaper). ResizePty sets the size of script's pty, whose
 * foreground process, runc, then resizes the process's pty.
 *
 * `runc run` creates and starts at once, where containerd's Create and Start
 * are two calls. The container's config gets a createRuntime hook (the gate)
 * that runc runs once the container's namespaces and init exist, before the
 * process starts: it writes the state runc hands it (with the init's pid) to
 * a file, and waits on a FIFO for Start's "start" — any other word, or the
 * FIFO's end, fails the hook and runc removes the container.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { requiredTool } from '../native.js';
import { runcError, runcLogArgs, type Exit, type Monitor } from './monitor.js';

interface UnderScript {
  runc: string;
  root: string;
  id: string;
  /** Our directory for this process: runc's pid file and log, the gate. */
  dir: string;
  /** stdin (script copies it in), stdout (what the terminal shows). */
  stdio: readonly [number | 'ignore' | 'pipe', number | 'ignore' | 'pipe'];
  /** More fds for the process (3, 4, …: runc --preserve-fds). */
  fds: readonly number[];
}

const scriptPath = (): string => requiredTool('script', 'a process with a terminal needs it: install util-linux (Debian: bsdutils)');

/** A word for sh -c: single-quoted. */
const shellWord = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Run `runc <args>` under script; resolves once `ready` finds the process's
 * pid in `dir` (looked for at each change there, and once more at the end:
 * a process may start and end before its file is seen).
 */
function underScript(o: UnderScript, args: readonly string[], ready: () => number | null, what: string): Promise<Monitor> {
  fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const argv = [o.runc, '--root', o.root, ...runcLogArgs(o.dir), ...args, ...(o.fds.length > 0 ? ['--preserve-fds', String(o.fds.length)] : []), o.id];
  // The watch is set before the file is first looked for: one written in between is not missed.
  const watcher = fs.watch(o.dir);
  // Script's pty raw before runc starts: runc sets it raw only once the process has its own pty (after Start, for
  // `runc run`), and a line typed before that would be echoed twice, by script's pty and by the process's.
  const child = spawn(scriptPath(), ['--quiet', '--return', '--command', `stty raw -echo && exec ${argv.map(shellWord).join(' ')}`, '/dev/null'], {
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
      const pid = ready();
      if (pid !== null && settle()) resolve({ child, pid, exited });
    };
    watcher.on('change', look);
    watcher.on('error', () => { /* the directory went: the exit below settles it */ });
    child.once('error', (e) => { if (settle()) reject(new Error(`cannot run script: ${e.message}`)); });
    void exitedRaw.then((code) => {
      const pid = ready();
      if (!settle()) return;
      if (pid !== null) resolve({ child, pid, exited });
      else reject(new Error(runcError(o.dir) ?? `runc ${what} failed (${code})`));
    });
    look();
  });
}

/** A positive integer pid, or null. */
const asPid = (x: unknown): number | null => (typeof x === 'number' && Number.isInteger(x) && x > 0 ? x : null);

function readFile(file: string): string | null {
  try { return fs.readFileSync(file, 'utf8'); } catch { return null; }
}

/** Start an exec under script and `runc exec`; resolves once runc has started the process (its pid file is written). */
export function startTerminalExec(o: UnderScript & { processFile: string }): Promise<Monitor> {
  const pidFile = path.join(o.dir, 'pid');
  fs.rmSync(pidFile, { force: true });
  return underScript(o, ['exec', '--process', o.processFile, '--pid-file', pidFile], () => asPid(Number(readFile(pidFile)?.trim())), 'exec');
}

/** The gate's files in `dir`: the state runc gave the hook, and the FIFO it waits on. */
const gateFiles = (dir: string): { state: string; fifo: string } => ({ state: path.join(dir, 'gate-state.json'), fifo: path.join(dir, 'gate') });

/**
 * The gate in `dir` a container with a terminal waits at between Create and
 * Start. The shim holds the FIFO open read-write from the start, so the
 * hook's open never blocks and what Start writes waits in it for the hook's
 * read, however late that comes; when the shim goes, its end closes and the
 * hook reads nothing, which fails it.
 */
export class Gate {
  private fd: number | null;
  /** The createRuntime hook for the container's config. It runs in runc's namespaces, with no environment: sh builtins only. */
  readonly hook: { path: string; args: string[] };

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { state, fifo } = gateFiles(dir);
    fs.rmSync(state, { force: true });
    fs.rmSync(fifo, { force: true });
    execFileSync('mkfifo', ['-m', '600', fifo]);
    // Read-write: never blocks (a FIFO's open waits for the other end otherwise).
    this.fd = fs.openSync(fifo, fs.constants.O_RDWR);
    const body = `read -r state || :; printf '%s' "$state" > ${shellWord(state)}; read -r go < ${shellWord(fifo)}; ` +
      `[ "$go" = start ] || { echo 'no Start came (Kill, Delete, or the shim ended)' >&2; exit 1; }`;
    this.hook = { path: '/bin/sh', args: ['sh', '-c', body] };
  }

  /** The init's pid, from the state the hook wrote (null until it is all written). */
  pid(): number | null {
    const text = readFile(gateFiles(this.dir).state);
    if (text === null || text === '') return null;
    try {
      return asPid((JSON.parse(text) as { pid?: unknown }).pid);
    } catch {
      return null; // not all written yet: the next change event looks again
    }
  }

  /** Let the container start ("start"), or make it give up ("abort": runc removes it). */
  open(word: 'start' | 'abort'): void {
    if (this.fd !== null) fs.writeSync(this.fd, word + '\n');
  }

  /**
   * Our end of the FIFO, closed once the container's process has ended (or
   * never will start): the word written stays in the FIFO only while an end
   * is open, and the hook may open its own after Start wrote it.
   */
  close(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Create a container whose process has a terminal: `runc run --keep` of
 * `bundle` (its config holding the gate's hook) under script; resolves with
 * the init's pid once runc waits at the gate.
 */
export function createTerminalRun(o: UnderScript & { bundle: string; gate: Gate }): Promise<Monitor> {
  // --keep: the stopped container stays until Delete, as a created one does.
  return underScript(o, ['run', '--keep', '--bundle', o.bundle], () => o.gate.pid(), 'run');
}

const run = promisify(execFile);

/**
 * Set the window size of a process's pty: script's, of which runc is the
 * foreground process (it passes the size on). The pty is found as runc's
 * stdin (/proc/<runc>/fd/0), runc being script's one child.
 */
export async function resizeTerminal(scriptPid: number, width: number, height: number): Promise<void> {
  const runcPid = runcUnder(scriptPid);
  if (runcPid === null) return; // the process has ended: nothing to resize
  let tty: string;
  try {
    tty = fs.readlinkSync(`/proc/${runcPid}/fd/0`);
  } catch {
    return; // it has just ended
  }
  if (!/^\/dev\/pts\/\d+$/.test(tty)) return;
  // A winsize holds 16-bit rows and columns.
  const dim = (n: number): string => String(Math.min(n, 0xffff));
  await run('stty', ['-F', tty, 'rows', dim(height), 'cols', dim(width)]);
}

/** runc's pid under script (script's one child), or null once it has ended. script is the shim's child, not yet reaped: its pid is its own. */
function runcUnder(scriptPid: number): number | null {
  return asPid(Number(readFile(`/proc/${scriptPid}/task/${scriptPid}/children`)?.trim().split(/\s+/)[0]));
}

/** SIGHUP's bit in /proc/<pid>/status's signal masks. */
const SIGHUP_BIT = 1n << 0n;

/**
 * Hang up the terminal of process `pid`, as the runc shim does by closing
 * the pty's master when stdin ends: the kernel then sends the session's
 * leader SIGHUP, and reads see an end of file. Here runc holds the master,
 * so runc is sent SIGHUP, which it passes on to the process; returns
 * whether an end of file should follow (script's stdin ended). Not when
 * SIGHUP takes its default action, ending the process (an end of file
 * would race it). And the init of a container (pid 1 of its pid namespace)
 * without a SIGHUP handler gets no signal from runc at all — the kernel's
 * hang-up would end it — so for it the end of file alone is the hang-up.
 */
export function hangUpTerminal(scriptPid: number, pid: number): boolean {
  const status = readFile(`/proc/${pid}/status`);
  const runcPid = runcUnder(scriptPid);
  if (status === null || runcPid === null) return true; // ended, or ending
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
  const mask = (name: string): bigint => { try { return BigInt(`0x${field(name) || '0'}`); } catch { return 0n; } };
  const caught = (mask('SigCgt') & SIGHUP_BIT) !== 0n;
  const ignored = (mask('SigIgn') & SIGHUP_BIT) !== 0n;
  const init = field('NSpid').split(/\s+/).at(-1) === '1';
  if (init && !caught) return true;
  try { process.kill(runcPid, 'SIGHUP'); } catch { return true; }
  return caught || ignored;
}
