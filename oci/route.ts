/**
 * The first step of every tswasi-oci call, kept free of heavy imports (no
 * yargs): most commands (start, kill, pause, …) have nothing for tswasi-oci
 * to add and go straight to the native runtime, and the ones on every
 * container's path (create, run, state, delete) are parsed here too, so a
 * container's life costs little more than the native runtime's own.
 * Everything else (exec, features, --help, --version) goes to cli.ts.
 */
import { delegate, findNativeRuntime } from './native.js';
import { idProblem } from './runc-errors.js';
import { engineState, nativeState } from './wasm-state.js';
import type { CreateArgs } from './commands/create.js';
import type { Globals } from './context.js';

/** Global options that take a value (runc's, and our --native-runtime). */
const VALUED_GLOBALS = new Set(['--root', '--log', '--log-format', '--criu', '--rootless', '--native-runtime']);

/**
 * Split argv at the command: global options before it (without our own
 * --native-runtime, which the native runtime does not know), the command, the rest.
 */
export function splitArgv(argv: readonly string[]): { globals: string[]; nativeRuntime?: string | undefined; command: string | undefined; rest: string[] } {
  const globals: string[] = [];
  let nativeRuntime: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) break;
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : VALUED_GLOBALS.has(a) ? argv[++i] : undefined;
    if (name === '--native-runtime') { nativeRuntime = value; continue; }
    globals.push(a);
    if (!a.includes('=') && VALUED_GLOBALS.has(a) && value !== undefined) globals.push(value);
  }
  return { globals, nativeRuntime, command: argv[i], rest: argv.slice(i + 1) };
}

/** What tswasi-oci has nothing to add to: straight to the native runtime, before loading anything else. */
const PASS_THROUGH = new Set(['start', 'kill', 'pause', 'resume', 'ps', 'list', 'update', 'events', 'checkpoint', 'restore', 'spec']);


class UsageError extends Error {}

/** runc's global options as Globals. */
function globalsOf(globals: readonly string[], nativeRuntime: string | undefined): Globals {
  const g: Globals = { logFormat: 'text', debug: false, systemdCgroup: false, nativeRuntime };
  for (let i = 0; i < globals.length; i++) {
    const a = globals[i]!;
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    const value = eq < 0 ? (VALUED_GLOBALS.has(a) ? globals[++i] : undefined) : a.slice(eq + 1);
    if (name === '--root') g.root = value;
    else if (name === '--log') g.log = value;
    else if (name === '--log-format') { if (value !== 'text' && value !== 'json') throw new UsageError(`invalid --log-format: ${value}`); g.logFormat = value; }
    else if (name === '--debug') g.debug = true;
    else if (name === '--systemd-cgroup') g.systemdCgroup = true;
    else if (name === '--rootless') g.rootless = value;
    else if (name !== '--criu') throw new UsageError(`unknown option: ${a}`);
  }
  return g;
}

const CREATE_VALUED: Record<string, keyof CreateArgs> = {
  '--bundle': 'bundle', '-b': 'bundle', '--pid-file': 'pidFile', '--console-socket': 'consoleSocket', '--pidfd-socket': 'pidfdSocket', '--preserve-fds': 'preserveFds',
};
const CREATE_FLAGS: Record<string, string> = { '--no-pivot': 'noPivot', '--no-new-keyring': 'noNewKeyring', '--detach': 'detach', '-d': 'detach', '--keep': 'keep', '--no-subreaper': 'noSubreaper' };

/** `create`/`run`/`delete` options (runc's), the id last. */
function commandArgs(command: string, rest: readonly string[]): CreateArgs & { detach: boolean; keep: boolean; force: boolean } {
  const out: CreateArgs & { detach: boolean; keep: boolean; force: boolean } = { id: '', detach: false, keep: false, force: false };
  const ids: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('-') || a === '-') { ids.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    if (command === 'delete') {
      if (name === '--force' || name === '-f') { out.force = true; continue; }
      throw new UsageError(`unknown option: ${a}`);
    }
    const key = CREATE_VALUED[name];
    if (key !== undefined) {
      const value = eq < 0 ? rest[++i] : a.slice(eq + 1);
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      if (key === 'preserveFds') {
        if (!/^\d+$/.test(value)) throw new UsageError(`--preserve-fds: not a number: ${value}`);
        out.preserveFds = Number(value);
      } else (out as unknown as Record<string, string>)[key] = value;
      continue;
    }
    const flag = CREATE_FLAGS[name];
    if (flag === undefined || (command === 'create' && ['detach', 'keep', 'noSubreaper'].includes(flag))) throw new UsageError(`unknown option: ${a}`);
    (out as unknown as Record<string, boolean>)[flag] = true;
  }
  if (ids.length !== 1) throw new UsageError(ids.length === 0 ? `${command}: a container id is required` : `${command}: one container id, got ${ids.length}`);
  out.id = ids[0]!;
  return out;
}

/** create, run, delete: parsed here, run with a Context; errors to stderr and --log as runc does. */
async function lifecycle(command: string, split: ReturnType<typeof splitArgv>, everyWasmEntrypoint: boolean): Promise<number> {
  let log: { error(m: string): void } | null = null;
  try {
    const g = globalsOf(split.globals, split.nativeRuntime);
    const { Context } = await import('./context.js');
    const nativeArgs = [...split.globals, command, ...split.rest];
    const ctx = new Context(g, nativeArgs, split.globals, everyWasmEntrypoint);
    log = ctx.log;
    const a = commandArgs(command, split.rest);
    const problem = idProblem(a.id);
    if (problem !== null) throw new Error(problem);
    if (command === 'delete') return (await import('./commands/delete.js')).del(ctx.nativeRuntime(), nativeArgs, g.root, a.id);
    if (command === 'create') return await (await import('./commands/create.js')).create(ctx, a);
    return await (await import('./commands/run.js')).run(ctx, a);
  } catch (e) {
    const message = (e as Error).message;
    if (log !== null) log.error(message); else process.stderr.write(`tswasi-oci: ${message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

/**
 * Run the commands handled here; null for the ones cli.ts (yargs) handles.
 * `--help` anywhere goes to cli.ts.
 */
export async function route(argv: readonly string[], everyWasmEntrypoint: boolean): Promise<number | null> {
  const split = splitArgv(argv);
  if (split.rest.includes('--help') || split.rest.includes('-h')) return null;
  if (split.command === 'create' || split.command === 'run' || split.command === 'delete') return lifecycle(split.command, split, everyWasmEntrypoint);
  return passThrough(split);
}

/** Hand a pass-through command to the native runtime; null when tswasi-oci must handle it itself. */
function passThrough(split: ReturnType<typeof splitArgv>): number | null {
  const stateOf = split.command === 'state' && split.rest.length === 1 && !split.rest[0]!.startsWith('-') ? split.rest[0]! : null;
  if (split.command === undefined || (!PASS_THROUGH.has(split.command) && stateOf === null)) return null;
  try {
    const runtime = findNativeRuntime(split.nativeRuntime);
    if (stateOf !== null) {
      // No path of ours is formed from the id here: runc checks it (and logs its words).
      // `state`: the native runtime's, shown for a Wasm container as the engine's bundle describes it.
      const { state, error } = nativeState(runtime, split.globals, stateOf);
      if (state === null) { process.stderr.write(error); return 1; }
      process.stdout.write(JSON.stringify(engineState(state), null, 2) + '\n');
      return 0;
    }
    return delegate(runtime, [...split.globals, split.command, ...split.rest]);
  } catch (e) {
    process.stderr.write(`tswasi-oci: ${(e as Error).message}\n`);
    return 1;
  }
}
