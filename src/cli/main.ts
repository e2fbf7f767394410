/** The `tswasi` command line (./tswasi.ts loads it). */
import { readFileSync } from 'node:fs';
import yargs, { type Options } from 'yargs';
import { COMMANDS, isImplicitRun } from './command.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

/**
 * `run`'s options, once: yargs reads them, and splitAtModule knows from them
 * which take a value (so the module name is never taken for one).
 */
const RUN_OPTIONS = {
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
function splitAtModule(rest: readonly string[]): { options: string[]; guest: string[] } {
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

/** Will yargs print its help text? (Asked for, or no command given.) */
function asksForHelp(argv: readonly string[]): boolean {
  return argv.length === 0 || argv.some((a) => a === '--help' || a === '-h' || a === 'help');
}

export async function main(argv: string[]): Promise<void> {
  if (isImplicitRun(argv)) argv = ['run', ...argv];
  let guestArgs: string[] = [];
  if (argv[0] === 'run') {
    const { options, guest } = splitAtModule(argv.slice(1));
    argv = ['run', ...options];
    guestArgs = guest;
  }

  await yargs(argv)
    .scriptName('tswasi')
    .usage('$0 run [options] <module> [args...]\n\nRun a WebAssembly module with WASI preview1, like `wasmtime run`.')
    .command(
      COMMANDS.run,
      'Run a WASI command module (its _start), or one export with --invoke',
      (y) => y
        .positional('module', { type: 'string', describe: 'the .wasm file to run', demandOption: true })
        .options(RUN_OPTIONS),
      async (a) => {
        // Each command's modules load when it runs: `--version` loads none of them.
        const { run } = await import('./run.js');
        const code = await run({
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
        });
        process.exitCode = code;
      },
    )
    .parserConfiguration({ 'greedy-arrays': false })
    .command(
      COMMANDS.inspect,
      'Show what a module is: imports (and which tswasi provides), exports with signatures, memories, command or reactor, WASI version, custom sections',
      (y) => y
        .positional('module', { type: 'string', demandOption: true, describe: 'the .wasm (or .wat) file' })
        .option('json', { type: 'boolean', describe: 'print the report as JSON' }),
      async (a) => {
        const { inspect } = await import('./inspect.js');
        process.exitCode = await inspect(a.module, a.json ?? false);
      },
    )
    .command(
      COMMANDS.view,
      'Open the explorer: a web page on 127.0.0.1 that runs a module in your browser and shows its WASI calls, output, fds and files (FILE: a .wasm, a --trace=json file, or a --record recording to step through)',
      (y) => y
        .positional('file', { type: 'string', describe: 'a .wasm module to load, a trace written by run --trace=json --trace-file F, or a recording written by run --record F' })
        .option('port', { type: 'number', default: 8737, describe: 'the port on 127.0.0.1 (0: any free port)' }),
      async (a) => {
        const { view } = await import('./view.js');
        process.exitCode = await view(a.file, a.port);
      },
    )
    .command(
      COMMANDS.replay,
      'Re-run a recording made with run --record FILE: same output and exit code, no file, clock, randomness or socket of the host touched; stops at the first call where the guest does otherwise',
      (y) => y
        .positional('file', { type: 'string', demandOption: true, describe: 'the recording' })
        .option('module', { type: 'string', requiresArg: true, describe: 'run this module instead of the one in the recording (e.g. a rebuilt one)' }),
      async (a) => {
        const { replay } = await import('./replay.js');
        process.exitCode = await replay(a.file, a.module);
      },
    )
    .demandCommand(1, 'a command is required: tswasi run <module> [args...]')
    .strict()
    .version(`tswasi ${pkg.version}`)
    .alias('V', 'version')
    .help()
    .alias('h', 'help')
    // yargs lays out the help text after every command's handler starts; it is
    // wrapped (wrap-ansi on every line, and a look at the terminal's width)
    // only when it can be printed.
    .wrap(asksForHelp(argv) ? Math.min(100, process.stdout.columns || 100) : null)
    .fail((msg, err) => {
      if (err) throw err;
      fail(msg.replace(/^Unknown arguments?: /, 'unknown option: ').split('\n')[0] ?? 'invalid arguments');
    })
    .parseAsync();
}
