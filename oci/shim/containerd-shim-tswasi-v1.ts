#!/usr/bin/env node
/**
 * containerd-shim-tswasi-v1: containerd's shim v2 for tswasi
 * (runtime_type = "io.containerd.tswasi.v1"). `start` prints the address of
 * the pod's shim, starting one if needed; `delete` cleans up after a shim
 * that died; without an action it is the shim, serving the task API over
 * ttrpc. Only `start` is loaded eagerly: it runs for every container.
 */
import { FlagError, parseFlags } from './flags.js';
import { start } from './start.js';

const NAME = 'containerd-shim-tswasi-v1';

async function main(argv: readonly string[]): Promise<number> {
  const f = parseFlags(argv);
  if (f.version) {
    const { version } = await import('./version.js');
    process.stdout.write(`${NAME}:\n  Version:  ${version()}\n`);
    return 0;
  }
  if (f.namespace === '') throw new Error('shim namespace cannot be empty');
  switch (f.action) {
    case 'start':
      process.stdout.write(await start(f));
      return 0;
    case 'delete':
      return (await import('./delete.js')).main(f);
    case '':
      await (await import('./daemon.js')).main(f);
      return -1; // serving: the daemon ends the process itself
    default:
      throw new FlagError(`unknown action: ${f.action}`);
  }
}

// No top-level await: the build bundles this entry as CommonJS, to run it from V8's code cache.
main(process.argv.slice(2)).then(
  (code) => { if (code >= 0) process.exit(code); },
  (e: unknown) => {
    if (process.env['TSWASI_SHIM_DEBUG']) console.error(e);
    process.stderr.write(`${NAME}: ${(e as Error).message}\n`);
    process.exit(e instanceof FlagError ? 2 : 1);
  },
);
