/**
 * The `tswasi` command line (./tswasi.ts loads it). The commonest command
 * lines — `tswasi run` with plain options, `tswasi replay FILE`, `tswasi --version` — are read
 * here without yargs; everything else (help, errors, the other commands)
 * goes through yargs in ./yargs-cli.ts. ./run-options.ts says why.
 */
import { isImplicitRun } from './command.js';
import { parseRunFlags, runArgs, splitAtModule } from './run-options.js';
import type { RunArgs } from './run.js';
import { writeOut } from '../stdio.js';
import { versionLine } from './version.js';

/** `tswasi run`: the guest's exit status becomes ours. Each command's modules load when it runs: `--version` loads none. */
async function run(args: RunArgs): Promise<void> {
  const { run } = await import('./run.js');
  process.exitCode = await run(args);
}

/**
 * `tswasi replay FILE` alone (FILE not an option): the file, read without
 * yargs, which would cost a replay of a short run more than the run itself
 * (as for `run`, ./run-options.ts). Anything else (--module, help) goes to yargs.
 */
function replayFile(argv: readonly string[]): string | undefined {
  return argv.length === 2 && argv[0] === 'replay' && argv[1] !== '' && !argv[1]!.startsWith('-') ? argv[1] : undefined;
}

export async function main(argv: string[]): Promise<void> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    writeOut(versionLine() + '\n'); // not process.stdout: its stream modules would cost more than the rest of the command
    return;
  }
  if (isImplicitRun(argv)) argv = ['run', ...argv];
  let guestArgs: string[] = [];
  if (argv[0] === 'run') {
    const { options, guest } = splitAtModule(argv.slice(1));
    const flags = parseRunFlags(options);
    if (flags !== undefined) return run(runArgs(flags, guest));
    argv = ['run', ...options];
    guestArgs = guest;
  }
  const plainReplay = replayFile(argv);
  if (plainReplay !== undefined) {
    const { replay } = await import('./replay.js');
    process.exitCode = await replay(plainReplay, undefined);
    return;
  }
  const { parseWithYargs } = await import('./yargs-cli.js');
  await parseWithYargs(argv, guestArgs, { run });
}
