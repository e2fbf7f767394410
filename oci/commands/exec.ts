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
import { COMMANDS } from '../command-table.js';
import { fdAfter, handOn } from '../native.js';
import { optionArgs, optionValues } from '../options.js';
import { loadBundle } from './create.js';

/**
 * A process to run in the Wasm container of `spec`: runc's process (another
 * container runner) and the fd with its guest's description, which the
 * process finds as fd `guestFdNumber`. `module`: the guest's module is the
 * one bound at that path of the runner's root (an image's module layer),
 * not a file of the rootfs.
 */
export function wasmExecProcess(spec: Spec, proc: Process, guestFdNumber: number, module?: string): { process: Process; fd: number } {
  if (!proc.args || proc.args.length === 0) throw new Error('process.args is empty');
  const guest = guestOf(proc, spec, undefined);
  if (module !== undefined) guest.module = module;
  const fd = guestFd(runSubdir('exec'), guest);
  return { process: runnerProcess(proc, guestFdNumber, false), fd };
}

export function main(ctx: Context, inv: Invocation): number {
  const id = inv.id!;
  const a = optionValues(COMMANDS.exec.options, inv.options);
  const command = inv.operands;
  const { state, error } = ctx.nativeState(id);
  if (state === null || !isWasmState(state)) {
    if (state === null) ctx.log.debug(`exec: no state for ${id}: ${error.trim()}`);
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
    if (command.length === 0) throw new Error('exec needs --process or a command');
    const base = spec.process;
    proc = { ...base, args: [...command], cwd: a.cwd ?? base?.cwd ?? '/', env: [...(base?.env ?? []), ...a.env], terminal: a.tty };
    if (a.user !== undefined) {
      const [uid, gid] = a.user.split(':').map(Number);
      proc.user = { uid: uid!, gid: gid ?? 0 };
    }
  }
  const { process: runner, fd } = wasmExecProcess(spec, proc, fdAfter(a.preserveFds));
  const file = path.join(runSubdir('exec'), `process-${process.pid}-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify(runner), { mode: 0o600 });
  try {
    const handed = handOn(a.preserveFds, [fd]);
    // The process is in the file (with the command line's args, cwd, env, tty, user); runc gets how to run it: detached or not, where its pid and console go.
    const { detach, pidFile, consoleSocket, pidfdSocket } = a;
    const options = optionArgs(COMMANDS.exec.options, { process: file, detach, pidFile, consoleSocket, pidfdSocket, preserveFds: handed.count });
    return ctx.runNative([...ctx.globalArgs, 'exec', ...options, id], handed.fds);
  } finally {
    fs.rmSync(file, { force: true });
  }
}
