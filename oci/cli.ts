/**
 * tswasi-oci: runc's command line (what podman/conmon, containerd's runc shim
 * and CRI-O call). Wasm containers run in tswasi; every other container goes
 * to the native runtime with the same arguments.
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { Context, type Globals } from './context.js';
import { idProblem } from './runc-errors.js';
import { OCI_VERSION } from './spec.js';

/** Commands are loaded when used: `start` or `state` need not load what `create` does. */
const commands = {
  create: () => import('./commands/create.js'),
  delete: () => import('./commands/delete.js'),
  exec: () => import('./commands/exec.js'),
  features: () => import('./commands/features.js'),
  kill: () => import('./commands/kill.js'),
  list: () => import('./commands/list.js'),
  pause: () => import('./commands/pause.js'),
  ps: () => import('./commands/ps.js'),
  run: () => import('./commands/run.js'),
  start: () => import('./commands/start.js'),
  state: () => import('./commands/state.js'),
  unsupported: () => import('./commands/unsupported.js'),
};

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Drop our own --native-runtime flag: the native runtime gets everything else as it came. */
function nativeArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--native-runtime') { i++; continue; }
    if (a.startsWith('--native-runtime=')) continue;
    out.push(a);
  }
  return out;
}

const createOptions = (y: Argv) => y
  .option('bundle', { alias: 'b', type: 'string', describe: 'path to the bundle (default: current directory)', requiresArg: true })
  .option('pid-file', { type: 'string', describe: 'write the container process pid here', requiresArg: true })
  .option('console-socket', { type: 'string', describe: 'AF_UNIX socket for the pty master (native containers only)', requiresArg: true })
  .option('pidfd-socket', { type: 'string', describe: 'accepted; native containers only', requiresArg: true })
  .option('preserve-fds', { type: 'number', describe: 'accepted; a WASI guest has no use for extra fds', requiresArg: true })
  .option('no-pivot', { type: 'boolean', describe: 'accepted (no pivot_root for Wasm)' })
  .option('no-new-keyring', { type: 'boolean', describe: 'accepted (no keyring for Wasm)' })
  .positional('id', { type: 'string', demandOption: true, describe: 'container id' });

export async function main(argv: string[], everyWasmEntrypoint: boolean): Promise<number> {
  let ctx: Context | null = null;
  let code = 0;
  const context = (g: Globals): Context => (ctx ??= new Context(g, nativeArgs(argv), everyWasmEntrypoint));
  // Every command that names a container is routed through here, so the id is
  // checked (runc's rule and words) before any command forms a path from it:
  // `start ../../x` must not take or remove a lock outside --root.
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
    .usage('$0 [global options] <command> [options] <container-id>\n\nAn OCI runtime: Wasm containers run in tswasi, all others go to runc or crun.')
    .option('root', { type: 'string', describe: 'where container state is kept (default /run/tswasi-oci)', requiresArg: true })
    .option('log', { type: 'string', describe: 'append errors and notes to this file', requiresArg: true })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'format of --log' })
    .option('debug', { type: 'boolean', default: false, describe: 'log debug messages too' })
    .option('systemd-cgroup', { type: 'boolean', default: false, describe: 'accepted; passed on to the native runtime (Wasm containers use no cgroup)' })
    .option('rootless', { type: 'string', describe: 'accepted; passed on to the native runtime' })
    .option('criu', { type: 'string', describe: 'passed on to the native runtime', hidden: true })
    .option('native-runtime', { type: 'string', describe: 'runtime for non-Wasm containers (default: runc or crun on PATH; env TSWASI_NATIVE_RUNTIME)', requiresArg: true })
    .command('create <id>', 'create a container (it waits for start)', createOptions,
      async (a) => { await act(async (c) => (await commands.create()).create(c, { id: a.id, bundle: a.bundle, pidFile: a['pid-file'], consoleSocket: a['console-socket'] }))(a as unknown as Globals); })
    .command('start <id>', 'start a created container', (y) => y.positional('id', { type: 'string', demandOption: true }),
      async (a) => { await act(async (c) => (await commands.start()).start(c, a.id))(a as unknown as Globals); })
    .command('state <id>', 'print the OCI state of a container', (y) => y.positional('id', { type: 'string', demandOption: true }),
      async (a) => { await act(async (c) => (await commands.state()).state(c, a.id))(a as unknown as Globals); })
    .command('kill <id> [signal]', 'send a signal (name or number; default SIGTERM)', (y) => y
      .positional('id', { type: 'string', demandOption: true })
      .positional('signal', { type: 'string' })
      .option('all', { alias: 'a', type: 'boolean', default: false, describe: 'also the exec\'ed processes' }),
    async (a) => { await act(async (c) => (await commands.kill()).kill(c, a.id, a.signal, a.all))(a as unknown as Globals); })
    .command('delete <id>', 'delete a stopped container', (y) => y
      .positional('id', { type: 'string', demandOption: true })
      .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'kill it first if it runs' }),
    async (a) => { await act(async (c) => (await commands.delete()).del(c, a.id, a.force))(a as unknown as Globals); })
    .command('run <id>', 'create and start; in the foreground, wait and exit with its status', (y) => createOptions(y)
      .option('detach', { alias: 'd', type: 'boolean', default: false, describe: 'do not wait' })
      .option('keep', { type: 'boolean', default: false, describe: 'keep the state after it exits' }),
    async (a) => { await act(async (c) => (await commands.run()).run(c, { id: a.id, bundle: a.bundle, pidFile: a['pid-file'], consoleSocket: a['console-socket'], detach: a.detach, keep: a.keep }))(a as unknown as Globals); })
    .command('list', 'list containers', (y) => y
      .option('format', { alias: 'f', choices: ['table', 'json'] as const, default: 'table' as const })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'ids only' }),
    async (a) => { await act(async (c) => (await commands.list()).list(c, a.format, a.quiet))(a as unknown as Globals); })
    .command('ps <id> [ps-args..]', 'list the processes of a container', (y) => y
      .positional('id', { type: 'string', demandOption: true })
      .positional('ps-args', { type: 'string', array: true })
      .option('format', { alias: 'f', choices: ['table', 'json'] as const, default: 'table' as const }),
    async (a) => { await act(async (c) => (await commands.ps()).ps(c, a.id, a.format, (a['ps-args'] ?? []).map(String)))(a as unknown as Globals); })
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
    async (a) => { await act(async (c) => (await commands.exec()).exec(c, { id: a.id, process: a.process, detach: a.detach, pidFile: a['pid-file'], cwd: a.cwd, env: a.env.map(String), tty: a.tty, command: (a.command ?? []).map(String) }))(a as unknown as Globals); })
    .command('pause <id>', 'freeze a container', (y) => y.positional('id', { type: 'string', demandOption: true }),
      async (a) => { await act(async (c) => (await commands.pause()).pause(c, a.id, false))(a as unknown as Globals); })
    .command('resume <id>', 'thaw a paused container', (y) => y.positional('id', { type: 'string', demandOption: true }),
      async (a) => { await act(async (c) => (await commands.pause()).pause(c, a.id, true))(a as unknown as Globals); })
    .command('features', 'print the OCI features document', (y) => y, async (a) => { await act(async () => (await commands.features()).features())(a as unknown as Globals); })
    .command(['update <id>', 'checkpoint <id>', 'restore <id>', 'events <id>'], 'native containers only (delegated)', (y) => y
      .positional('id', { type: 'string', demandOption: true })
      .strict(false),
    async (a) => { await act(async (c) => (await commands.unsupported()).nativeOnly(c, String(a._[0]), a.id))(a as unknown as Globals); })
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
