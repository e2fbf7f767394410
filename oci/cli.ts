/**
 * tswasi-oci: runc's command line (what podman/conmon, containerd's runc shim
 * and CRI-O call). Every container is the native runtime's (runc or crun):
 * `create`/`run` of a Wasm container hand it a rewritten bundle whose init
 * runs tswasi's container runner, `exec` into one a rewritten process; every
 * other command goes to the native runtime as it came.
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { Context, type Globals } from './context.js';
import { idProblem } from './runc-errors.js';
import { splitArgv } from './route.js';
import { OCI_VERSION } from './spec.js';

/** Commands are loaded when used. */
const commands = {
  exec: () => import('./commands/exec.js'),
  features: () => import('./commands/features.js'),
};

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export async function main(argv: string[], everyWasmEntrypoint: boolean): Promise<number> {
  const split = splitArgv(argv);
  const nativeArgs = [...split.globals, ...(split.command !== undefined ? [split.command] : []), ...split.rest];
  let ctx: Context | null = null;
  let code = 0;
  const context = (g: Globals): Context => (ctx ??= new Context(g, nativeArgs, split.globals, everyWasmEntrypoint));
  // Every command that names a container is routed through here, so the id is
  // checked (runc's rule and words) before any command forms a path from it.
  const act = (fn: (c: Context) => number | Promise<number>) => async (g: Globals): Promise<void> => {
    const c = context(g);
    const id = (g as { id?: unknown }).id;
    if (id !== undefined) {
      const problem = idProblem(String(id));
      if (problem !== null) throw new Error(problem);
    }
    code = await fn(c);
  };
  const parser = yargs(argv)
    .scriptName(everyWasmEntrypoint ? 'tswasi-oci-wasm' : 'tswasi-oci')
    .usage('$0 [global options] <command> [options] <container-id>\n\nAn OCI runtime: runc or crun runs every container; in a Wasm container, its init runs the guest in tswasi.\n\n'
      + '  create [--bundle DIR] [--pid-file F] [--console-socket S] [--pidfd-socket S] [--preserve-fds N] [--no-pivot] [--no-new-keyring] <id>\n'
      + '  run    (create\'s options) [--detach] [--keep] <id>\n'
      + '  delete [--force] <id>\n'
      + '  state <id>; start, kill, pause, resume, ps, list, update, events, checkpoint, restore: the native runtime\'s')
    .option('root', { type: 'string', describe: 'the native runtime\'s state root (runc: default /run/runc)', requiresArg: true })
    .option('log', { type: 'string', describe: 'append errors and notes to this file', requiresArg: true })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'format of --log' })
    .option('debug', { type: 'boolean', default: false, describe: 'log debug messages too' })
    .option('systemd-cgroup', { type: 'boolean', default: false, describe: 'passed on to the native runtime' })
    .option('rootless', { type: 'string', describe: 'accepted; passed on to the native runtime' })
    .option('criu', { type: 'string', describe: 'passed on to the native runtime', hidden: true })
    .option('native-runtime', { type: 'string', describe: 'runtime for non-Wasm containers (default: runc or crun on PATH; env TSWASI_NATIVE_RUNTIME)', requiresArg: true })
    .command('exec <id> [command..]', 'run another process (module) in a container', (y) => y
      .positional('id', { type: 'string', demandOption: true })
      .positional('command', { type: 'string', array: true })
      .option('process', { alias: 'p', type: 'string', requiresArg: true, describe: 'process.json to run' })
      .option('detach', { alias: 'd', type: 'boolean', default: false })
      .option('pid-file', { type: 'string', requiresArg: true })
      .option('console-socket', { type: 'string', requiresArg: true })
      .option('pidfd-socket', { type: 'string', requiresArg: true })
      .option('tty', { alias: 't', type: 'boolean', default: false })
      .option('cwd', { type: 'string', requiresArg: true })
      .option('env', { alias: 'e', type: 'string', array: true, default: [] as string[], requiresArg: true })
      .option('user', { alias: 'u', type: 'string', requiresArg: true })
      .option('additional-gids', { alias: 'g', type: 'string', array: true })
      .option('process-label', { type: 'string' })
      .option('apparmor', { type: 'string' })
      .option('no-new-privs', { type: 'boolean' })
      .option('cap', { alias: 'c', type: 'string', array: true })
      .option('preserve-fds', { type: 'number' })
      .option('cgroup', { type: 'string' })
      .option('ignore-paused', { type: 'boolean' }),
    async (a) => {
      await act(async (c) => (await commands.exec()).exec(c, {
        id: a.id, process: a.process, detach: a.detach, pidFile: a['pid-file'], consoleSocket: a['console-socket'], pidfdSocket: a['pidfd-socket'],
        preserveFds: a['preserve-fds'], cwd: a.cwd, env: a.env.map(String), tty: a.tty, user: a.user, command: (a.command ?? []).map(String),
      }))(a as unknown as Globals);
    })
    .command('features', 'print the OCI features document', (y) => y, async (a) => { await act(async (c) => (await commands.features()).features(c))(a as unknown as Globals); })
    .parserConfiguration({ 'greedy-arrays': false, 'halt-at-non-option': false })
    .demandCommand(1, 'a command is required')
    .strict()
    .version(`tswasi-oci version ${pkg.version}\nspec: ${OCI_VERSION}`)
    .help()
    .alias('h', 'help')
    .fail((msg, err) => {
      throw err ?? new UsageError(msg.split('\n')[0] ?? 'invalid arguments');
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    if (process.env['TSWASI_OCI_DEBUG']) console.error(e);
    const message = String((e as Error)?.message ?? e).replace(/^Unknown arguments?: /, 'unknown option: ');
    if (ctx !== null) (ctx as Context).log.error(message);
    else process.stderr.write(`tswasi-oci: ${message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
  return code;
}

class UsageError extends Error {}

