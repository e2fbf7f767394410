/**
 * Every command of tswasi-oci, one entry each: runc 1.1's command line
 * (`runc CMD --help`), what follows the options, and who runs it — the
 * native runtime with the arguments as they came, or tswasi-oci's own
 * function, loaded on use. The door (cli.ts) parses argv by this table, the
 * help is printed from it; no other list of commands or options exists.
 */
import type { Context } from './context.js';
import type { Invocation } from './argv.js';

/** flag: no value; value: one; list: one per use, repeatable; count: a non-negative integer. */
export type OptionKind = 'flag' | 'value' | 'list' | 'count';

export interface OptionSpec<N extends string = string, K extends OptionKind = OptionKind> {
  /** The long name, without `--`. */
  readonly name: N;
  /** A one-letter alias, without `-`. */
  readonly short?: string;
  readonly kind: K;
  /** The only values allowed, if limited. */
  readonly choices?: readonly string[];
  readonly describe: string;
}

/** A command that tswasi-oci runs itself: gets the parsed command line, returns the exit status. */
export interface CommandModule {
  main(ctx: Context, inv: Invocation): number | Promise<number>;
}

export interface CommandSpec {
  readonly describe: string;
  /**
   * What follows the options: `id`, one container id; `id…`, a container id
   * and then the native runtime's operands (kill's signal, exec's command);
   * `none`. The id is checked at the door, once, before anything uses it.
   */
  readonly operands: 'id' | 'id…' | 'none';
  readonly options: readonly OptionSpec[];
  /** `native`: the native runtime's command, handed on as it came. */
  readonly run: 'native' | (() => Promise<CommandModule>);
  /**
   * For a native command: tswasi-oci's own answer where runc's files make it
   * plain (./runc-state.ts), which hands the command on as it came
   * otherwise. The command line is read as the native runtime's.
   */
  readonly answer?: () => Promise<CommandModule>;
}

// Each option keeps its name's literal type, so options.ts derives the parsed
// options' type from this table (COMMANDS.create's options: { pidFile?: string, … }).
const option = <K extends OptionKind>(kind: K) => <N extends string>(name: N, describe: string, short?: string): OptionSpec<N, K> => ({ name, kind, describe, ...(short ? { short } : {}) });
const flag = option('flag');
const value = option('value');
const list = option('list');

/** Global options, before the command: runc's, passed on to it, and our --native-runtime, which is not. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  value('root', 'the native runtime\'s state root (runc: default /run/runc)'),
  value('log', 'append errors and notes to this file (and the native runtime\'s)'),
  { name: 'log-format', kind: 'value', choices: ['text', 'json'], describe: 'format of --log: text (default) or json' },
  flag('debug', 'log debug messages too'),
  flag('systemd-cgroup', 'passed on to the native runtime'),
  value('rootless', 'passed on to the native runtime'),
  value('criu', 'passed on to the native runtime'),
  value('native-runtime', 'runtime for every container (default: runc or crun on PATH; env TSWASI_NATIVE_RUNTIME)'),
  flag('help', 'show help', 'h'),
  flag('version', 'print the version', 'v'),
];

/** Global options that tswasi-oci keeps to itself: never passed on. */
export const OWN_GLOBALS: ReadonlySet<string> = new Set(['native-runtime']);

const bundle = value('bundle', 'the bundle directory (default: the current one)', 'b');
const pidFile = value('pid-file', 'write the process id to this file');
const consoleSocket = value('console-socket', 'AF_UNIX socket to receive the pseudoterminal\'s master fd');
const pidfdSocket = value('pidfd-socket', 'AF_UNIX socket to receive a pidfd of the process');
const preserveFds = option('count')('preserve-fds', 'pass N more file descriptors (3…3+N-1) to the process');
const noPivot = flag('no-pivot', 'do not pivot_root into the rootfs');
const noNewKeyring = flag('no-new-keyring', 'do not create a new session keyring');
const detach = flag('detach', 'detach from the container\'s process', 'd');
const noSubreaper = flag('no-subreaper', 'no subreaper for reparented processes');
const format = value('format', 'table or json', 'f');
const imagePath = value('image-path', 'criu image files');
const workPath = value('work-path', 'criu work files and logs');
const criuFlags = ['tcp-established', 'ext-unix-sk', 'shell-job', 'file-locks', 'lazy-pages', 'auto-dedup'].map((n) => flag(n, 'criu'));
const criuValues = ['manage-cgroups-mode', 'empty-ns'].map((n) => value(n, 'criu'));

export const COMMANDS = {
  create: {
    describe: 'create a container (a Wasm one from a rewritten bundle)',
    operands: 'id',
    options: [bundle, pidFile, consoleSocket, pidfdSocket, preserveFds, noPivot, noNewKeyring],
    run: () => import('./commands/create.js'),
  },
  run: {
    describe: 'create and start a container',
    operands: 'id',
    options: [bundle, pidFile, consoleSocket, pidfdSocket, preserveFds, noPivot, noNewKeyring, detach, flag('keep', 'do not delete the container after it exits'), noSubreaper],
    run: () => import('./commands/run.js'),
  },
  delete: {
    describe: 'delete a container (and a Wasm one\'s rewritten bundle)',
    operands: 'id',
    options: [flag('force', 'kill it first if it runs', 'f')],
    run: () => import('./commands/delete.js'),
  },
  state: {
    describe: 'the container\'s state (a Wasm one\'s as the engine\'s bundle describes it)',
    operands: 'id',
    options: [],
    run: () => import('./commands/state.js'),
  },
  exec: {
    describe: 'run another process (module) in a container',
    operands: 'id…',
    options: [
      value('process', 'the process.json to run', 'p'), detach, pidFile, consoleSocket, pidfdSocket,
      flag('tty', 'allocate a pseudo-TTY', 't'), value('cwd', 'working directory'), list('env', 'K=V, added to the environment', 'e'),
      value('user', 'UID[:GID]', 'u'), list('additional-gids', 'additional gids', 'g'),
      value('process-label', 'the native runtime\'s'), value('apparmor', 'the native runtime\'s'), flag('no-new-privs', 'the native runtime\'s'),
      list('cap', 'the native runtime\'s', 'c'), preserveFds, value('cgroup', 'the native runtime\'s'), flag('ignore-paused', 'the native runtime\'s'),
    ],
    run: () => import('./commands/exec.js'),
  },
  features: {
    describe: 'the OCI features document (the native runtime\'s, with the Wasm annotations)',
    operands: 'none',
    options: [],
    run: () => import('./commands/features.js'),
  },
  start: { describe: 'start a created container', operands: 'id', options: [], run: 'native' },
  kill: {
    describe: 'send a signal (default SIGTERM) to the container',
    operands: 'id…',
    options: [flag('all', 'to all its processes', 'a')],
    run: 'native',
    answer: () => import('./commands/kill.js'),
  },
  pause: { describe: 'freeze the container\'s processes', operands: 'id', options: [], run: 'native' },
  resume: { describe: 'thaw them', operands: 'id', options: [], run: 'native' },
  ps: { describe: 'the container\'s processes', operands: 'id…', options: [format], run: 'native' },
  list: { describe: 'the containers', operands: 'none', options: [format, flag('quiet', 'ids only', 'q')], run: 'native', answer: () => import('./commands/list.js') },
  update: {
    describe: 'change the container\'s resources',
    operands: 'id',
    options: [value('resources', 'file (or -) of linux.resources', 'r'), ...['blkio-weight', 'cpu-period', 'cpu-quota', 'cpu-share', 'cpu-rt-period', 'cpu-rt-runtime', 'cpuset-cpus', 'cpuset-mems',
      'memory', 'memory-reservation', 'memory-swap', 'pids-limit', 'l3-cache-schema', 'mem-bw-schema'].map((n) => value(n, 'the native runtime\'s'))],
    run: 'native',
  },
  events: { describe: 'the container\'s events and stats', operands: 'id', options: [value('interval', 'stats interval'), flag('stats', 'stats once')], run: 'native' },
  checkpoint: {
    describe: 'checkpoint the container (criu)',
    operands: 'id',
    options: [imagePath, workPath, value('parent-path', 'criu'), flag('leave-running', 'criu'), flag('pre-dump', 'criu'), value('status-fd', 'criu'), value('page-server', 'criu'), ...criuFlags, ...criuValues],
    run: 'native',
  },
  restore: {
    describe: 'restore a checkpoint (criu)',
    operands: 'id',
    options: [consoleSocket, imagePath, workPath, bundle, detach, pidFile, noSubreaper, noPivot, value('lsm-profile', 'criu'), value('lsm-mount-context', 'criu'), ...criuFlags, ...criuValues],
    run: 'native',
  },
  spec: { describe: 'write a new config.json', operands: 'none', options: [bundle, flag('rootless', 'a rootless container\'s')], run: 'native' },
} as const satisfies Readonly<Record<string, CommandSpec>>;

/** The table by a name from argv. */
export function commandSpec(name: string): CommandSpec | undefined {
  return Object.hasOwn(COMMANDS, name) ? (COMMANDS as Readonly<Record<string, CommandSpec>>)[name] : undefined;
}
