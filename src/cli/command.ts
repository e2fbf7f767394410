/** Which command a `tswasi` command line is, known before yargs is loaded. */

/** The commands and their yargs signatures (./main.ts defines each with its own). */
export const COMMANDS = {
  run: 'run <module> [args...]',
  inspect: 'inspect <module>',
  view: 'view [file]',
  replay: 'replay <file>',
} as const;

const TOP_LEVEL: readonly string[] = [...Object.keys(COMMANDS), 'help', '--help', '-h', '--version', '-V'];

/** `tswasi module.wasm args…` is `tswasi run module.wasm args…`, as with wasmtime. */
export function isImplicitRun(argv: readonly string[]): boolean {
  return argv[0] !== undefined && !TOP_LEVEL.includes(argv[0]);
}
