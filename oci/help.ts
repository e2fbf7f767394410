/** `--help` and `--version`, written from the command table (loaded only for them). */
import { readFileSync } from 'node:fs';
import { COMMANDS, GLOBAL_OPTIONS, commandSpec, type OptionSpec } from './command-table.js';
import { OCI_VERSION } from './spec.js';

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `tswasi-oci version ${pkg.version}\nspec: ${OCI_VERSION}\n`;
}

function optionLines(options: readonly OptionSpec[]): string[] {
  const left = options.map((o) => `  --${o.name}${o.short ? `, -${o.short}` : ''}${o.kind === 'flag' ? '' : o.kind === 'count' ? ' N' : ' VALUE'}`);
  const width = Math.max(0, ...left.map((l) => l.length)) + 2;
  return options.map((o, i) => `${left[i]!.padEnd(width)}${o.describe}${o.kind === 'list' ? ' (repeatable)' : ''}`);
}

const OPERANDS = { id: ' <container-id>', 'id…': ' <container-id> …', none: '' } as const;

/** The whole program's help, or one command's. */
export function help(program: string, command: string | undefined): string {
  const spec = command === undefined ? undefined : commandSpec(command);
  if (spec !== undefined) {
    const who = spec.run === 'native' ? ' (the native runtime\'s, handed on as it came)' : '';
    return [`${program} [global options] ${command} [options]${OPERANDS[spec.operands]}`, '', `${spec.describe}${who}`,
      ...(spec.options.length > 0 ? ['', 'Options:', ...optionLines(spec.options)] : []), ''].join('\n');
  }
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return [`${program} [global options] <command> [options] [<container-id>]`, '',
    'An OCI runtime: runc or crun runs every container; in a Wasm container, its init runs the guest in tswasi.', '',
    'Commands:', ...names.map((n) => `  ${n.padEnd(width)}${commandSpec(n)!.describe}${commandSpec(n)!.run === 'native' ? ' (the native runtime\'s)' : ''}`), '',
    'Global options:', ...optionLines(GLOBAL_OPTIONS), '', `${program} <command> --help: the command's options.`, ''].join('\n');
}
