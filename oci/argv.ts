/**
 * tswasi-oci's command line, read once by the command table: global options,
 * the command, its options and operands, and the container id checked by
 * runc's rule before anything forms a path from it. Pure: no I/O.
 */
import { GLOBAL_OPTIONS, OWN_GLOBALS, commandSpec, type CommandSpec, type OptionSpec } from './command-table.js';
import { idProblem } from './runc-errors.js';

/** A bad command line: exit status 2 (a bad id or config is 1, as runc's). */
export class UsageError extends Error {}

type Value = string | string[] | true;

/** Options by long name, as parsed. */
export class Options {
  constructor(private readonly map: ReadonlyMap<string, Value>) {}
  flag(name: string): boolean {
    return this.map.get(name) === true;
  }
  value(name: string): string | undefined {
    const v = this.map.get(name);
    return typeof v === 'string' ? v : undefined;
  }
  list(name: string): string[] {
    const v = this.map.get(name);
    return Array.isArray(v) ? v : [];
  }
  /** A `count` option: validated as a non-negative integer when parsed. */
  count(name: string): number | undefined {
    const v = this.value(name);
    return v === undefined ? undefined : Number(v);
  }
}

/** One command line, parsed, to run. */
export interface Invocation extends GlobalPart {
  readonly kind: 'run';
  readonly command: string;
  readonly spec: CommandSpec;
  /** The container id, checked by runc's rule; undefined for commands that name none. */
  readonly id: string | undefined;
  /** The operands after the id (kill's signal, exec's command). */
  readonly operands: readonly string[];
  readonly options: Options;
}

/** What to print instead of running anything: --version, or --help (of the program, or of a command). */
export type Request = Invocation | { readonly kind: 'version' } | { readonly kind: 'help'; readonly command: string | undefined };

const HELP: OptionSpec = { name: 'help', short: 'h', kind: 'flag', describe: 'show help' };

interface Parsed { options: Map<string, Value>; operands: string[]; end: number }

/**
 * Options and operands of `args` from `start`. `until`: where options end —
 * `command`, before the first operand (global options, which the command
 * ends); `operand`, after the first operand, everything after it an operand
 * (runc's own rule); `end`, options anywhere. An option not in `specs` is an
 * error when `strict`, else taken for a flag (the native runtime judges it).
 */
function parseOptions(specs: readonly OptionSpec[], args: readonly string[], start: number, until: 'command' | 'operand' | 'end', strict: boolean): Parsed {
  const options = new Map<string, Value>();
  const operands: string[] = [];
  let i = start;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--' && until !== 'command') { operands.push(...args.slice(i + 1)); i = args.length; break; }
    if (!a.startsWith('-') || a === '-') {
      if (until === 'command') break;
      operands.push(a);
      if (until === 'operand') { operands.push(...args.slice(i + 1)); i = args.length; break; }
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    const spec = name.startsWith('--') ? specs.find((s) => s.name === name.slice(2)) : name.length === 2 ? specs.find((s) => s.short === name[1]) : undefined;
    if (spec === undefined) {
      if (strict) throw new UsageError(`unknown option: ${a}`);
      continue;
    }
    if (spec.kind === 'flag') {
      // Go's flag package (runc's) also takes --flag=true and --flag=false.
      if (eq < 0 || a.slice(eq + 1) !== 'false') options.set(spec.name, true);
      continue;
    }
    const v = eq < 0 ? args[++i] : a.slice(eq + 1);
    if (v === undefined) throw new UsageError(`${name} needs a value`);
    if (spec.choices !== undefined && !spec.choices.includes(v)) throw new UsageError(`invalid ${name}: ${v} (${spec.choices.join(' or ')})`);
    if (spec.kind === 'count' && !/^\d+$/.test(v)) throw new UsageError(`${name}: not a number: ${v}`);
    if (spec.kind === 'list') options.set(spec.name, [...(options.get(spec.name) as string[] | undefined ?? []), v]);
    else options.set(spec.name, v);
  }
  return { options, operands, end: i };
}

/** The global options, read first: where errors are logged (--log) is known once they are. */
export interface GlobalPart {
  readonly globals: Options;
  /** The global options as they came, less our own: what the native runtime gets before its command. */
  readonly globalArgs: readonly string[];
  /** The whole command line the native runtime gets for this very command. */
  readonly nativeArgs: readonly string[];
  /** Where the command is in argv. */
  readonly end: number;
}

export function parseGlobals(argv: readonly string[]): GlobalPart {
  const g = parseOptions(GLOBAL_OPTIONS, argv, 0, 'command', true);
  const globalArgs: string[] = [];
  for (let i = 0; i < g.end; i++) {
    const a = argv[i]!;
    const name = a.startsWith('--') ? a.slice(2).split('=')[0]! : '';
    const takesValue = !a.includes('=') && GLOBAL_OPTIONS.some((s) => s.name === name && s.kind !== 'flag');
    if (!OWN_GLOBALS.has(name)) globalArgs.push(a, ...(takesValue ? [argv[i + 1]!] : []));
    if (takesValue) i++;
  }
  return { globals: new Options(g.options), globalArgs, nativeArgs: [...globalArgs, ...argv.slice(g.end)], end: g.end };
}

/** The command, its options and operands; throws UsageError, or an Error with runc's words for a bad id. */
export function parseCommand(argv: readonly string[], g: GlobalPart): Request {
  const command = argv[g.end];
  if (g.globals.flag('help')) return { kind: 'help', command: undefined };
  if (g.globals.flag('version')) return { kind: 'version' };
  if (command === undefined) throw new UsageError('a command is required');
  const spec = commandSpec(command);
  if (spec === undefined) throw new UsageError(`unknown command: ${command}`);
  const ours = spec.run !== 'native';
  // Ours with one operand take options anywhere (as tswasi-oci always has); the rest stop at the first operand, as runc does.
  const c = parseOptions([...spec.options, HELP], argv, g.end + 1, ours && spec.operands === 'id' ? 'end' : 'operand', ours);
  const options = new Options(c.options);
  if (options.flag('help')) return { kind: 'help', command };
  const inv = { ...g, kind: 'run' as const, command, spec, options };
  if (spec.operands === 'none') {
    if (ours && c.operands.length > 0) throw new UsageError(`${command}: no operand expected, got ${c.operands[0]}`);
    return { ...inv, id: undefined, operands: c.operands };
  }
  const [id, ...operands] = c.operands;
  if (ours) {
    if (id === undefined) throw new UsageError(`${command}: a container id is required`);
    if (spec.operands === 'id' && operands.length > 0) throw new UsageError(`${command}: one container id, got ${c.operands.length}`);
  }
  // The one place an id is checked: runc's rule and words, before any command sees it.
  if (id !== undefined) {
    const problem = idProblem(id);
    if (problem !== null) throw new Error(problem);
  }
  return { ...inv, id, operands };
}

/** Both steps, for a caller with nowhere to log in between. */
export function parseArgv(argv: readonly string[]): Request {
  return parseCommand(argv, parseGlobals(argv));
}
