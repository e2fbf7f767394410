/**
 * `tswasi`'s command line through yargs: the commands, their help and
 * their errors. main.ts loads it only when the fast paths do not apply
 * (./run-options.ts says why).
 */
import yargs from 'yargs';
import { COMMANDS } from './command.js';
import { fail } from './fail.js';
import { RUN_OPTIONS, runArgs } from './run-options.js';
import type { RunArgs } from './run.js';
import { versionLine } from './version.js';

/** What each command does with its parsed arguments (main.ts runs them; a test only looks). */
export interface CommandHandlers {
  run(args: RunArgs): Promise<void>;
}

/** Will yargs print its help text? (Asked for, or no command given.) */
function asksForHelp(argv: readonly string[]): boolean {
  return argv.length === 0 || argv.some((a) => a === '--help' || a === '-h' || a === 'help');
}

/**
 * The whole command line through yargs: every command, help, and every
 * error in yargs' words. `argv` is main's (a `run`'s options only, its
 * guest's arguments in `guestArgs`).
 */
export async function parseWithYargs(argv: string[], guestArgs: string[], commands: CommandHandlers): Promise<void> {
  await yargs(argv)
    .scriptName('tswasi')
    .usage('$0 run [options] <module> [args...]\n\nRun a WebAssembly module with WASI preview1, like `wasmtime run`.')
    .command(
      COMMANDS.run,
      'Run a WASI command module (its _start), or one export with --invoke',
      (y) => y
        .positional('module', { type: 'string', describe: 'the .wasm file to run', demandOption: true })
        .options(RUN_OPTIONS),
      (a) => commands.run(runArgs(a, guestArgs)),
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
    .version(versionLine())
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
