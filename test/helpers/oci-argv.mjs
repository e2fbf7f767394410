// @ts-check
// tswasi-oci's argv parsing as the tests see it (kept apart from oci.mjs,
// which imports nothing of dist/).
import assert from 'node:assert/strict';
import { parseArgv } from '../../dist/oci/argv.js';

/**
 * parseArgv for a command line that runs a command (not --help or --version).
 * @param {readonly string[]} argv
 * @returns {import('../../dist/oci/argv.js').Invocation}
 */
export function invocation(argv) {
  const r = parseArgv(argv);
  if (r.kind !== 'run') assert.fail(`${argv.join(' ')}: parsed as ${JSON.stringify(r)}, not a command to run`);
  return r;
}
