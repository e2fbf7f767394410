/**
 * `tswasi run`'s command line: its options, declared once (yargs reads them
 * for help and errors; the fast path below and splitAtModule read them too),
 * and the fast path that parses a plain `run` command line without loading
 * yargs at all.
 *
 * Why a second reader of the same options: yargs is ~4 ms of every `tswasi
 * run`'s start-up on Node 26 (loading it, parsing, and laying out the help
 * text it keeps ready), more than the rest of tswasi's own start-up. So
 * parseRunFlags takes the forms it is sure of — `--name VALUE`,
 * `--name=VALUE`, `-W VALUE`, a flag, an array option repeated — and gives
 * up (undefined) on anything else, which then goes through yargs: help,
 * --version inside run, a value that looks like an option, a repeated
 * single option, anything yargs would refuse. test/cli-parse.test.mjs
 * checks that both readers give the same flags for the forms it takes.
 */
import type { InferredOptionTypes, Options } from 'yargs';
import { fail } from './fail.js';
import type { RunArgs } from './run.js';

/**
 * `run`'s options, once: yargs reads them, and splitAtModule knows from them
 * which take a value (so the module name is never taken for one).
 */
export const RUN_OPTIONS = {
  dir: {
    type: 'string', array: true, default: [] as string[], requiresArg: true,
    describe: 'Grant access to host directory HOST, seen by the guest as GUEST (default: the same path): HOST[::GUEST]',
  },
  env: {
    type: 'string', array: true, default: [] as string[], requiresArg: true,
    describe: 'Set NAME=VALUE in the guest environment; NAME alone passes the host\'s value',
  },
  trace: {
    type: 'string', requiresArg: false,
    describe: 'Print every WASI call to stderr, strace-style. --trace=SPEC: formats (text, json, chrome) and filters (fs, path, io, clock, proc, poll, args, env, random, sock, or function names), comma-separated, e.g. --trace=json,fs',
  },
  'trace-file': { type: 'string', requiresArg: true, describe: 'Write the trace to this file instead of stderr (alone: implies --trace; --trace=chrome: a Chrome Trace Event file for Perfetto)' },
  'trace-summary': { type: 'boolean', describe: 'At exit, print calls, errors and time per WASI function (like strace -c); into --trace-file when that is text' },
  record: {
    type: 'string', requiresArg: true,
    describe: 'Record everything the guest receives (call results, bytes read, clocks, randomness) into FILE; `tswasi replay FILE` re-runs it without any of the host (docs/record-replay.md)',
  },
  invoke: {
    type: 'string', requiresArg: true,
    describe: 'Call this exported function instead of _start; remaining args are its parameters, the result is printed',
  },
  argv0: { type: 'string', requiresArg: true, describe: 'argv[0] for the guest (default: the module file\'s base name)' },
  'max-wasm-stack': {
    type: 'number', requiresArg: true,
    describe: 'Bytes of stack the guest may use (wasmtime\'s -W max-wasm-stack); default: V8\'s ~1 MB. The guest then runs on a thread of its own',
  },
  wasm: {
    alias: 'W', type: 'string', array: true, default: [] as string[], requiresArg: true,
    describe: 'wasmtime\'s Wasm options, KEY=VALUE[,…]: max-wasm-stack=BYTES (the same as --max-wasm-stack)',
  },
  tcplisten: {
    type: 'string', array: true, default: [] as string[], requiresArg: true,
    describe: 'Listen on HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080) and give the guest the listening socket as its next fd from 3 (repeatable)',
  },
  listenfd: {
    type: 'boolean',
    describe: 'Give the guest the listening sockets inherited through systemd socket activation (LISTEN_FDS, LISTEN_PID), first, from fd 3',
  },
  wasi: {
    alias: 'S', type: 'string', array: true, default: [] as string[], requiresArg: true,
    describe: 'wasmtime\'s WASI options, KEY[=VALUE][,…]: tcplisten=HOST:PORT, listenfd',
  },
} as const satisfies Record<string, Options>;

/** Options of `run` that take a value, as written on the command line (`--dir`, `-W`). */
const RUN_VALUE_OPTIONS = new Set<string>();
/** Options of `run` that take none (`--trace` takes its value only as `--trace=SPEC`). */
const RUN_FLAG_OPTIONS = new Set(['--help', '-h', '--version', '-V']);
for (const [name, o] of Object.entries(RUN_OPTIONS) as Array<[string, Options]>) {
  const set = o.type === 'boolean' || o.requiresArg === false ? RUN_FLAG_OPTIONS : RUN_VALUE_OPTIONS;
  set.add(`--${name}`);
  if (typeof o.alias === 'string') set.add(`-${o.alias}`);
}

/**
 * Split `run` arguments at the module: everything after it belongs to the
 * guest, even words that look like options — yargs never sees them.
 */
export function splitAtModule(rest: readonly string[]): { options: string[]; guest: string[] } {
  const options: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const tok = rest[i]!;
    if (tok === '--') return { options: [...options, ...rest.slice(i + 1, i + 2)], guest: rest.slice(i + 2) };
    if (!tok.startsWith('-') || tok === '-') return { options: [...options, tok], guest: rest.slice(i + 1) };
    const name = tok.split('=')[0]!;
    // An unknown option would otherwise swallow the module name as its value.
    if (!RUN_VALUE_OPTIONS.has(name) && !RUN_FLAG_OPTIONS.has(name)) fail(`unknown option: ${name}`);
    // `--trace` takes its value only as `--trace=SPEC`, so a bare one never swallows the module.
    options.push(tok === '--trace' ? '--trace=all' : tok);
    if (RUN_VALUE_OPTIONS.has(tok) && i + 1 < rest.length) options.push(rest[++i]!);
  }
  return { options, guest: [] };
}

/**
 * wasmtime's `-W KEY=VALUE[,KEY=VALUE…]` (`--wasm`): the Wasm options. tswasi
 * knows one, max-wasm-stack; any other is refused by name rather than
 * ignored, so a script written for wasmtime never runs with a setting quietly
 * dropped.
 */
function wasmOptions(specs: readonly string[]): { maxWasmStack?: number } {
  const out: { maxWasmStack?: number } = {};
  for (const item of specs.flatMap((s) => s.split(','))) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? '' : item.slice(eq + 1);
    if (key !== 'max-wasm-stack') fail(`unsupported -W option: ${key} (tswasi knows max-wasm-stack=BYTES)`);
    if (!/^\d+$/.test(value)) fail(`invalid -W max-wasm-stack=${value}: expected bytes`);
    out.maxWasmStack = Number(value);
  }
  return out;
}

/**
 * wasmtime's `-S KEY[=VALUE][,…]` (`--wasi`): the WASI options. tswasi knows
 * the socket ones, `tcplisten=HOST:PORT` (repeatable) and `listenfd[=y|n]`;
 * any other is refused by name, as for -W.
 */
function wasiOptions(specs: readonly string[]): { tcplisten: string[]; listenfd: boolean } {
  const out = { tcplisten: [] as string[], listenfd: false };
  for (const item of specs.flatMap((s) => s.split(','))) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? null : item.slice(eq + 1);
    if (key === 'tcplisten') {
      if (value === null || value === '') fail('invalid -S tcplisten: expected tcplisten=HOST:PORT');
      out.tcplisten.push(value);
    } else if (key === 'listenfd') {
      if (value !== null && !['y', 'yes', 'true', 'n', 'no', 'false'].includes(value)) fail(`invalid -S listenfd=${value}: expected y or n`);
      out.listenfd = value === null || ['y', 'yes', 'true'].includes(value);
    } else {
      fail(`unsupported -S option: ${key} (tswasi knows tcplisten=HOST:PORT and listenfd)`);
    }
  }
  return out;
}

/** --tcplisten and --listenfd with -S's: the flags first, then -S's, in order. */
function socketOptions(tcplisten: string[], listenfd: boolean, s: { tcplisten: string[]; listenfd: boolean }): { tcplisten: string[]; listenfd: boolean } {
  return { tcplisten: [...tcplisten, ...s.tcplisten], listenfd: listenfd || s.listenfd };
}

/** `run`'s flags as yargs gives them (the module among them); parseRunFlags gives the same shape. */
export type RunFlags = InferredOptionTypes<typeof RUN_OPTIONS> & { module: string };

/** Each spelling of each option (`--dir`, `-W`) → its name in RUN_OPTIONS and its declaration. */
const BY_SPELLING = new Map<string, { name: string; option: Options }>();
for (const [name, option] of Object.entries(RUN_OPTIONS) as Array<[string, Options]>) {
  BY_SPELLING.set(`--${name}`, { name, option });
  if (typeof option.alias === 'string') BY_SPELLING.set(`-${option.alias}`, { name, option });
}

/**
 * `run`'s options (splitAtModule's first half: options, then the module),
 * parsed as yargs would parse them, or undefined for yargs to do it.
 */
export function parseRunFlags(options: readonly string[]): RunFlags | undefined {
  const flags: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(RUN_OPTIONS) as Array<[string, Options]>) {
    if (Array.isArray(option.default)) flags[name] = [];
  }
  let module: string | undefined;
  for (let i = 0; i < options.length; i++) {
    const tok = options[i]!;
    if (module !== undefined) return undefined;
    if (tok === '-') return undefined; // yargs makes a lone '-' the module ''
    if (!tok.startsWith('-')) { module = tok; continue; }
    const eq = tok.indexOf('=');
    const spelling = eq < 0 ? tok : tok.slice(0, eq);
    const known = BY_SPELLING.get(spelling);
    // --help, --version and anything unknown; `-W=X` (yargs reads short options its own way).
    if (known === undefined || (eq >= 0 && !spelling.startsWith('--'))) return undefined;
    const { name, option } = known;
    if (option.type === 'boolean') {
      if (eq >= 0 || name in flags) return undefined;
      flags[name] = true;
      continue;
    }
    const value = eq >= 0 ? tok.slice(eq + 1) : options[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('-'))) return undefined;
    if (option.array === true) {
      (flags[name] as string[]).push(value);
    } else if (name in flags) {
      return undefined; // yargs makes a repeated single option an array
    } else if (option.type === 'number') {
      if (!/^\d{1,15}$/.test(value)) return undefined;
      flags[name] = Number(value);
    } else {
      flags[name] = value;
    }
  }
  if (module === undefined) return undefined;
  flags['module'] = module;
  return flags as RunFlags;
}

/** What `run` is asked to do: the flags (from yargs or parseRunFlags) and the guest's own arguments. */
export function runArgs(a: RunFlags, guestArgs: string[]): RunArgs {
  return {
    module: a.module,
    args: guestArgs,
    argv0: a.argv0,
    dir: a.dir.map(String),
    env: a.env.map(String),
    invoke: a.invoke,
    trace: a.trace,
    traceFile: a['trace-file'],
    traceSummary: a['trace-summary'] ?? false,
    record: a.record,
    maxWasmStack: a['max-wasm-stack'] ?? wasmOptions(a.wasm.map(String)).maxWasmStack,
    ...socketOptions(a.tcplisten.map(String), a.listenfd ?? false, wasiOptions(a.wasi.map(String))),
  };
}
