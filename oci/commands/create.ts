/**
 * `create` (and `run`): check the config and decide Wasm or native. A native
 * container goes to the native runtime with this very command line. A Wasm
 * container goes to it too, with a rewritten copy of the bundle's config
 * (rewrite.ts): runc's container init then runs tswasi's container runner in
 * the container's own namespaces, cgroup and security settings. The engine's
 * bundle is left as it was; the copy lives in our run directory until `delete`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Invocation } from '../argv.js';
import { COMMANDS } from '../command-table.js';
import { fdAfter, handOn } from '../native.js';
import { optionArgs, optionValues, type OptionValues } from '../options.js';
import type { Context } from '../context.js';
import { ANNOTATION_TRACE, classifyEntrypoint, decide } from '../detect.js';
import { checkModule, readEntrypoint } from '../entrypoint.js';
import { guestFd, RUNNER_MODULE } from '../guest.js';
import { guestOf, rewriteSpec } from '../rewrite.js';
import { newCopyDir } from '../bundle-copies.js';
import { withIdLock } from '../id-lock.js';
import { runnerBinds, runnerRoot } from '../runner-root.js';
import { recordPathOf } from '../record.js';
import { parseSpec, type Spec } from '../spec.js';
import { ANNOTATION_TCPLISTEN, listenersOf } from '../tcplisten.js';
import { parseTraceSpec } from '../../src/trace/tracer.js';

/** The container a Wasm bundle is prepared for, and how many fds the engine preserves (--preserve-fds). */
export interface WasmTarget {
  id: string;
  preserveFds?: number | undefined;
}

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
export function classify(ctx: Context, dir: string, spec: Spec): { wasm: boolean; reason: string; bytes: Uint8Array | null } {
  const args = spec.process?.args ?? [];
  // The head decides; only a Wasm entrypoint is read whole (a native one may be a large binary).
  const head = readEntrypoint(spec, dir, 16);
  const d = decide(spec, classifyEntrypoint(args[0] ?? '', head), ctx.everyWasmEntrypoint);
  if (!d.wasm) return { ...d, bytes: head };
  const bytes = readEntrypoint(spec, dir);
  if (bytes === null) throw new Error(`entrypoint ${args[0]} not found in the rootfs (${d.reason})`);
  return { ...d, bytes };
}

/** What ANNOTATION_TRACE (or TSWASI_TRACE in the container's environment) asks to trace, if anything. */
function traceRequest(spec: Spec): string | undefined {
  const ann = spec.annotations?.[ANNOTATION_TRACE];
  if (ann !== undefined && ann !== '' && ann !== 'false') return ann === 'true' ? 'all' : ann;
  const env = (spec.process?.env ?? []).find((e) => e.startsWith('TSWASI_TRACE='));
  const v = env?.slice('TSWASI_TRACE='.length);
  if (v !== undefined && v !== '' && v !== '0' && v !== 'false') return v === '1' || v === 'true' ? 'all' : v;
  return undefined;
}

/**
 * Prepare a Wasm container for runc: the rewritten bundle and the fds that
 * carry the guest's description (and its trace file). Returns runc's
 * `--bundle` and the fds to pass after the engine's preserved ones.
 * `fromImage`: the module is a layer of the image, not a file of the rootfs
 * (the shim's shim/image-module.ts); `bytes` is written into the copy and
 * bound at RUNNER_MODULE, and the guest's argv[0] is args[0] or `fromImage.name`.
 */
export async function prepareWasm(ctx: Context, a: WasmTarget, dir: string, spec: Spec, bytes: Uint8Array, reason: string, fromImage?: { name: string }): Promise<{ copy: string; fds: number[] }> {
  let proc = spec.process!;
  if (fromImage !== undefined && (proc.args ?? []).length === 0) proc = { ...proc, args: [fromImage.name] };
  const entry = proc.args![0]!;
  await checkModule(bytes, entry);
  const trace = traceRequest(spec);
  if (trace !== undefined) parseTraceSpec(trace);
  const listeners = listenersOf(spec.annotations);
  const record = recordPathOf(spec);
  const copy = newCopyDir(ctx.root, a.id);
  try {
    const binds = runnerBinds();
    if (fromImage !== undefined) {
      const file = path.join(copy, 'module.wasm');
      fs.writeFileSync(file, bytes, { mode: 0o444 });
      binds.push({ destination: RUNNER_MODULE, source: file });
    }
    const root = runnerRoot(binds);
    const rewritten = rewriteSpec(spec, dir, root, binds, fdAfter(a.preserveFds));
    fs.writeFileSync(path.join(copy, 'config.json'), JSON.stringify(rewritten));
    const guest = guestOf(proc, spec, trace, listeners, record);
    if (fromImage !== undefined) guest.module = RUNNER_MODULE;
    const fds = [guestFd(copy, guest)];
    if (trace !== undefined) {
      const file = path.join(copy, 'trace.log');
      fds.push(fs.openSync(file, 'w', 0o600));
      ctx.log.info(`tracing the WASI calls of ${a.id} (${trace}) to ${file}`);
    }
    if (record !== undefined) ctx.log.info(`${a.id} records its run to ${record} (in the container)`);
    if (listeners.length > 0) ctx.log.info(`${a.id} listens on ${spec.annotations![ANNOTATION_TCPLISTEN]} in its network namespace`);
    ctx.log.info(`Wasm container ${a.id} (${reason}): runner config ${copy}/config.json`);
    return { copy, fds };
  } catch (e) {
    fs.rmSync(copy, { recursive: true, force: true });
    throw e;
  }
}

export async function main(ctx: Context, inv: Invocation): Promise<number> {
  const id = inv.id!;
  return withIdLock(ctx.root, id, () => create(ctx, id, optionValues(COMMANDS.create.options, inv.options)));
}

async function create(ctx: Context, id: string, o: OptionValues<typeof COMMANDS.create.options>): Promise<number> {
  const { dir, spec } = loadBundle(o.bundle);
  const d = classify(ctx, dir, spec);
  if (!d.wasm) {
    ctx.log.info(`container ${id} goes to ${ctx.nativeRuntime()}: ${d.reason}`);
    return ctx.delegate();
  }
  const { copy, fds } = await prepareWasm(ctx, { id, preserveFds: o.preserveFds }, dir, spec, d.bytes!, d.reason);
  const handed = handOn(o.preserveFds, fds);
  const options = optionArgs(COMMANDS.create.options, { ...o, bundle: copy, preserveFds: handed.count });
  const code = ctx.runNative([...ctx.globalArgs, 'create', ...options, id], handed.fds);
  if (code !== 0) fs.rmSync(copy, { recursive: true, force: true });
  return code;
}
