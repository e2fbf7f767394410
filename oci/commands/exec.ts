/**
 * `exec`: another guest in a running Wasm container — the module named by
 * process.args[0] of --process (or the arguments), same filesystem.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from '../context.js';
import { signalNumber } from '../native.js';
import { loadBundle, writePidFile } from './create.js';
import { parseProcess, type Process } from '../spec.js';
import { statusOf } from '../status.js';

const CONTAINER_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'container.js');

export interface ExecArgs {
  id: string;
  process?: string | undefined;
  detach: boolean;
  pidFile?: string | undefined;
  cwd?: string | undefined;
  env: string[];
  tty: boolean;
  command: string[];
}

export async function exec(ctx: Context, a: ExecArgs): Promise<number> {
  const owner = ctx.nativeOwner(a.id);
  if (owner !== null) return ctx.delegateTo(owner.runtime);
  const rec = ctx.wasmRecord(a.id);
  const status = statusOf(ctx.store, rec);
  if (status !== 'running') throw new Error(`cannot exec in container ${a.id}: it is ${status}`);
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
    const base = loadBundle(rec.bundle).spec.process;
    proc = { args: a.command, cwd: a.cwd ?? base?.cwd ?? '/', env: [...(base?.env ?? []), ...a.env], terminal: a.tty };
  }
  if (proc.terminal) throw new Error('a terminal (exec -t) is not supported for Wasm containers');
  const dir = ctx.store.dir(a.id);
  const procFile = path.join(dir, `exec-${process.pid}-${Date.now()}.json`);
  fs.writeFileSync(procFile, JSON.stringify(proc));
  const child = spawn(process.execPath, [CONTAINER_MAIN, 'exec', dir, procFile], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'], detached: a.detach,
  });
  const ready = await new Promise<string>((resolve) => {
    let t = '';
    const p = child.stdio[3] as NodeJS.ReadableStream;
    p.on('data', (c: Buffer) => { t += c.toString(); });
    p.on('end', () => resolve(t.trim()));
    p.on('error', () => resolve(t.trim()));
  });
  if (ready !== 'ok') {
    child.kill('SIGKILL');
    fs.rmSync(procFile, { force: true });
    throw new Error(ready.replace(/^error: /, '') || 'exec failed');
  }
  ctx.store.withLock(a.id, () => {
    const r = ctx.store.read(a.id);
    r.execPids = [...(r.execPids ?? []), child.pid!];
    ctx.store.write(r);
  });
  if (a.pidFile !== undefined) writePidFile(path.resolve(a.pidFile), child.pid!);
  if (a.detach) {
    child.unref();
    return 0;
  }
  const code = await new Promise<number>((resolve) => child.on('exit', (c, s) => resolve(s ? 128 + (signalNumber(s) ?? 1) : c ?? 1)));
  fs.rmSync(procFile, { force: true });
  return code;
}
