/**
 * `create`: check the config, decide Wasm or native, and for Wasm start the
 * container process, which compiles the module and then waits for `start`.
 * Native containers go to the native runtime with this very command line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from '../context.js';
import { classifyEntrypoint, decide } from '../detect.js';
import { buildContainerFs, headOf } from '../filesystem.js';
import { parseSpec, type Spec } from '../spec.js';
import { parseTraceSpec } from '../../src/trace/tracer.js';
import { ERR_EXIST } from '../runc-errors.js';
import { EXEC_FIFO, pidStartTime, type ContainerRecord } from '../state-store.js';

export interface CreateArgs {
  id: string;
  bundle?: string | undefined;
  pidFile?: string | undefined;
  consoleSocket?: string | undefined;
}

const CONTAINER_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'container.js');
const WASM_PAGE = 65536;

export function loadBundle(bundle: string | undefined): { dir: string; spec: Spec } {
  const dir = path.resolve(bundle ?? '.');
  const file = path.join(dir, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`cannot read ${file}: no such file`);
  }
  return { dir, spec: parseSpec(text, file) };
}

/** Wasm or native, by crun's rules and the entrypoint's bytes. */
export function classify(ctx: Context, dir: string, spec: Spec): { wasm: boolean; reason: string } {
  const args = spec.process?.args ?? [];
  let head: Uint8Array | null = null;
  if (args.length > 0 && spec.root !== undefined) {
    const cfs = buildContainerFs(spec, dir);
    try {
      head = headOf(cfs.ns, args[0]!, spec.process?.cwd ?? '/');
    } finally {
      cfs.close();
    }
  }
  const d = decide(spec, classifyEntrypoint(args[0] ?? '', head), ctx.everyWasmEntrypoint);
  if (d.wasm && head === null) throw new Error(`entrypoint ${args[0]} not found in the rootfs (${d.reason})`);
  return d;
}

/** The annotation (or environment variable) that asks for a container's WASI calls to be traced. */
export const ANNOTATION_TRACE = 'io.tswasi.trace';

function traceRequest(spec: Spec): string | null {
  const ann = spec.annotations?.[ANNOTATION_TRACE];
  if (ann !== undefined && ann !== '' && ann !== 'false') return ann === 'true' ? 'all' : ann;
  const env = (spec.process?.env ?? []).find((e) => e.startsWith('TSWASI_TRACE='));
  const v = env?.slice('TSWASI_TRACE='.length);
  if (v !== undefined && v !== '' && v !== '0' && v !== 'false') return v === '1' || v === 'true' ? 'all' : v;
  return null;
}

export function writePidFile(file: string, pid: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, String(pid));
  fs.renameSync(tmp, file);
}

/** Create a Wasm container; returns its process (still waiting for `start`). */
export async function createWasm(ctx: Context, a: CreateArgs, dir: string, spec: Spec, reason: string, foreground = false): Promise<ChildProcess> {
  if (a.consoleSocket !== undefined || spec.process?.terminal) {
    throw new Error('a terminal (process.terminal, --console-socket, podman run -t) is not supported for Wasm containers: Node.js cannot allocate a pty');
  }
  const stateDir = ctx.store.claim(a.id);
  try {
    const fifo = path.join(stateDir, EXEC_FIFO);
    const mk = spawnSync('mkfifo', ['-m', '0600', fifo]);
    if (mk.status !== 0) throw new Error(`cannot create ${fifo}`);
    const rec: ContainerRecord = {
      id: a.id, bundle: dir, handler: 'wasm', reason, ociVersion: spec.ociVersion,
      annotations: spec.annotations ?? {}, created: new Date().toISOString(),
    };
    const traceSpec = traceRequest(spec);
    if (traceSpec !== null) {
      parseTraceSpec(traceSpec);
      rec.trace = { spec: traceSpec, file: path.join(stateDir, 'trace.log') };
      ctx.log.info(`tracing the WASI calls of ${a.id} (${traceSpec}) to ${rec.trace.file}`);
    }
    ctx.store.write(rec);
    const nodeFlags: string[] = [];
    const limit = spec.linux?.resources?.memory?.limit;
    if (typeof limit === 'number' && limit > 0) {
      // The guest's linear memory may not grow past the container's memory limit.
      nodeFlags.push(`--wasm-max-mem-pages=${Math.max(1, Math.floor(limit / WASM_PAGE))}`);
    }
    const child = spawn(process.execPath, [...nodeFlags, CONTAINER_MAIN, 'init', stateDir], {
      stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
      detached: !foreground,
    });
    const ready = await readLine(child);
    if (ready !== 'ok') {
      child.kill('SIGKILL');
      throw new Error(ready.replace(/^error: /, '') || 'the container process exited before it was ready');
    }
    rec.pid = child.pid!;
    rec.pidStartTime = pidStartTime(child.pid!) ?? undefined;
    ctx.store.write(rec);
    if (a.pidFile !== undefined) writePidFile(path.resolve(a.pidFile), child.pid!);
    ctx.log.info(`created Wasm container ${a.id} (${reason}), pid ${child.pid}`);
    return child;
  } catch (e) {
    ctx.store.remove(a.id);
    throw e;
  }
}

/** The container process's one line on fd 3: "ok" or "error: …". */
function readLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    const pipe = child.stdio[3] as NodeJS.ReadableStream | null;
    let text = '';
    if (pipe === null) { resolve(''); return; }
    pipe.on('data', (c: Buffer) => { text += c.toString('utf8'); });
    const done = (): void => resolve(text.trim().split('\n')[0] ?? '');
    pipe.on('end', done);
    pipe.on('error', done);
  });
}

export async function create(ctx: Context, a: CreateArgs): Promise<number> {
  const { dir, spec } = loadBundle(a.bundle);
  if (ctx.nativeOwner(a.id) !== null || ctx.store.exists(a.id)) throw new Error(ERR_EXIST);
  const d = classify(ctx, dir, spec);
  if (!d.wasm) {
    const runtime = ctx.nativeRuntime();
    ctx.log.info(`container ${a.id} goes to ${runtime}: ${d.reason}`);
    ctx.markNative(a.id, runtime, dir, d.reason);
    const code = ctx.delegateTo(runtime);
    if (code !== 0) ctx.unmarkNative(a.id);
    return code;
  }
  const child = await createWasm(ctx, a, dir, spec, d.reason);
  child.unref();
  (child.stdio[3] as { destroy?: () => void } | null)?.destroy?.();
  return 0;
}
