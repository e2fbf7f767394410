/**
 * The first step of every tswasi-oci call, kept free of heavy imports: most
 * commands (start, kill, pause, …) have nothing for tswasi-oci to add and go
 * straight to the native runtime, so they should cost little more than its own start.
 */
import { delegate, findNativeRuntime } from './native.js';
import { engineState, nativeState } from './wasm-state.js';

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


/** Hand a pass-through command to the native runtime; null when tswasi-oci must handle it itself. */
export function passThrough(argv: readonly string[]): number | null {
  const split = splitArgv(argv);
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
