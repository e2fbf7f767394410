/** Which command a `tswasi` command line is, known before yargs is loaded. */

const TOP_LEVEL = ['run', 'inspect', 'view', 'help', '--help', '-h', '--version', '-V'];

/** `tswasi module.wasm args…` is `tswasi run module.wasm args…`, as with wasmtime. */
export function isImplicitRun(argv: readonly string[]): boolean {
  return argv[0] !== undefined && !TOP_LEVEL.includes(argv[0]);
}
