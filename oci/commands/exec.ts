/**
 * `exec`: another process in a container. For a Wasm container it is another
 * guest — the module named by process.args[0] — run by another container
 * runner that runc starts in the container's namespaces and cgroup, with the
 * process rewritten as for `create`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Invocation } from '../argv.js';
import type { Context } from '../context.js';
import { guestFd } from '../guest.js';
import { ANNOTATION_BUNDLE, isWasmState } from '../wasm-state.js';
import { guestOf, runnerProcess } from '../rewrite.js';
import { runSubdir } from '../run-dir.js';
import { parseProcess, type Process, type Spec } from '../spec.js';
import { loadBundle, preservedFds } from './create.js';

interface ExecArgs {
  id: string;
  process?: string | undefined;
  detach: boolean;
  pidFile?: string | undefined;
  consoleSocket?: string | undefined;
  pidfdSocket?: string | undefined;
  preserveFds?: number | undefined;
  cwd?: string | undefined;
  env: string[];
  tty: boolean;
  user?: string | undefined;
  command: string[];
}

function execArgs(inv: Invocation): ExecArgs {
  const o = inv.options;
  return {
    id: inv.id!, process: o.value('process'), detach: o.flag('detach'), pidFile: o.value('pid-file'), consoleSocket: o.value('console-socket'),
    pidfdSocket: o.value('pidfd-socket'), preserveFds: o.count('preserve-fds'), cwd: o.value('cwd'), env: o.list('env'), tty: o.flag('tty'),
    user: o.value('user'), command: [...inv.operands],
  };
}

/**
 * A process to run in the Wasm container of `spec`: runc's process (another
 * container runner) and the fd with its guest's description, which the
 * process finds as fd `guestFdNumber`.
 */
export function wasmExecProcess(spec: Spec, proc: Process, guestFdNumber: number): { process: Process; fd: number } {
  if (!proc.args || proc.args.length === 0) throw new Error('process.args is empty');
  const fd = guestFd(runSubdir('exec'), guestOf(proc, spec, undefined));
  return { process: runnerProcess(proc, guestFdNumber, spec), fd };
}

export function main(ctx: Context, inv: Invocation): number {
  const a = execArgs(inv);
  const { state, error } = ctx.nativeState(a.id);
  if (state === null || !isWasmState(state)) {
    if (state === null) ctx.log.debug(`exec: no state for ${a.id}: ${error.trim()}`);
    return ctx.delegate();
  }
  if (state.status !== 'running') throw new Error(`cannot exec in a stopped container`);
  const { spec } = loadBundle(state.annotations![ANNOTATION_BUNDLE]!);
  let proc: Process;
  if (a.process !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(a.process, 'utf8');
    } catch (e) {
      throw new Error(`cannot read process ${a.process}: ${(e as { code?: string }).code ?? (e as Error).message}`);
    }
    proc = parseProcess(text, a.process);
  } else {
    if (a.command.length === 0) throw new Error('exec needs --process or a command');
    const base = spec.process;
    proc = { ...base, args: a.command, cwd: a.cwd ?? base?.cwd ?? '/', env: [...(base?.env ?? []), ...a.env], terminal: a.tty };
    if (a.user !== undefined) {
      const [uid, gid] = a.user.split(':').map(Number);
      proc.user = { uid: uid!, gid: gid ?? 0 };
    }
  }
  const { process: runner, fd } = wasmExecProcess(spec, proc, 3 + (a.preserveFds ?? 0));
  const file = path.join(runSubdir('exec'), `process-${process.pid}-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify(runner), { mode: 0o600 });
  try {
    const opts = ['--process', file];
    if (a.detach) opts.push('--detach');
    if (a.pidFile !== undefined) opts.push('--pid-file', a.pidFile);
    if (a.consoleSocket !== undefined) opts.push('--console-socket', a.consoleSocket);
    if (a.pidfdSocket !== undefined) opts.push('--pidfd-socket', a.pidfdSocket);
    opts.push('--preserve-fds', String((a.preserveFds ?? 0) + 1));
    return ctx.runNative([...ctx.globalArgs, 'exec', ...opts, a.id], [...preservedFds(a.preserveFds), fd]);
  } finally {
    fs.rmSync(file, { force: true });
  }
}
