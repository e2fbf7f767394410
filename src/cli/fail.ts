/** A usage error of the `tswasi` command line: one line on stderr, exit status 2. */
export function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}
