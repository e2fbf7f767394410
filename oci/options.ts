/**
 * A command's parsed options as a typed object derived from its entry in the
 * command table (`--pid-file` is `pidFile?: string`, `--preserve-fds` is
 * `preserveFds?: number`), and the way back: the options a command hands on
 * to the native runtime, written from the same table.
 */
import type { Options } from './argv.js';
import type { OptionKind, OptionSpec } from './command-table.js';

/** `pid-file` -> `pidFile`. */
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;

type ValueOf<K extends OptionKind> = K extends 'flag' ? boolean : K extends 'list' ? string[] : K extends 'count' ? number | undefined : string | undefined;

/** The parsed options of a command whose table entry lists `O`. */
export type OptionValues<O extends readonly OptionSpec[]> = { [S in O[number] as Camel<S['name']>]: ValueOf<S['kind']> };

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The options `specs` names, read from what argv.ts parsed. */
export function optionValues<const O extends readonly OptionSpec[]>(specs: O, parsed: Options): OptionValues<O> {
  const out: Record<string, ValueOf<OptionKind>> = {};
  for (const s of specs) {
    out[camel(s.name)] = s.kind === 'flag' ? parsed.flag(s.name) : s.kind === 'list' ? parsed.list(s.name) : s.kind === 'count' ? parsed.count(s.name) : parsed.value(s.name);
  }
  return out as OptionValues<O>;
}

/**
 * The command line of `values` for the native runtime, in the table's
 * order: a true flag as `--name`, a value or count as `--name V`, a list as
 * `--name V` for each. Options left out of `values`, undefined, false or
 * empty are not written.
 */
export function optionArgs<const O extends readonly OptionSpec[]>(specs: O, values: Partial<OptionValues<O>>): string[] {
  const args: string[] = [];
  const v = values as Record<string, ValueOf<OptionKind>>;
  for (const s of specs) {
    const x = v[camel(s.name)];
    if (x === undefined || x === false) continue;
    if (x === true) args.push(`--${s.name}`);
    else if (Array.isArray(x)) for (const e of x) args.push(`--${s.name}`, e);
    else args.push(`--${s.name}`, String(x));
  }
  return args;
}
