/**
 * tswasi-oci's one door: runc's command line (what podman/conmon,
 * containerd's runc shim and CRI-O call), read once by the command table
 * (argv.ts), the container id checked there, then the command — the native
 * runtime's as it came, or ours, loaded on use. Every container is the
 * native runtime's (runc or crun): `create`/`run` of a Wasm container hand
 * it a rewritten bundle whose init runs tswasi's container runner, `exec`
 * into one a rewritten process. Kept light: the commands on every
 * container's path load nothing they do not use.
 */
import { UsageError, parseCommand, parseGlobals } from './argv.js';
import { Context } from './context.js';
import { writeErr, writeOut } from '../src/stdio.js';

export async function main(argv: readonly string[], everyWasmEntrypoint: boolean): Promise<number> {
  let ctx: Context | null = null;
  try {
    const g = parseGlobals(argv);
    ctx = new Context(g, everyWasmEntrypoint);
    // From here on every error is logged where --log says, a bad id included.
    const inv = parseCommand(argv, g);
    if (inv.kind !== 'run') {
      const { help, version } = await import('./help.js');
      writeOut(inv.kind === 'version' ? version() : help(everyWasmEntrypoint ? 'tswasi-oci-wasm' : 'tswasi-oci', inv.command));
      return 0;
    }
    if (inv.spec.run === 'native') return inv.spec.answer === undefined ? ctx.delegate() : await (await inv.spec.answer()).main(ctx, inv);
    return await (await inv.spec.run()).main(ctx, inv);
  } catch (e) {
    if (process.env['TSWASI_OCI_DEBUG']) console.error(e);
    const message = (e as Error).message;
    if (ctx !== null) ctx.log.error(message);
    else writeErr(`tswasi-oci: ${message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
