/** proc_exit, proc_raise, sched_yield, random_get. */
import { createRequire } from 'node:module';
import { Errno } from '../abi.js';
import { WasiExit } from '../errors.js';
import type { CallContext, WasiFunctions } from './context.js';

let fill: typeof import('node:crypto').randomFillSync | undefined;

export function procCalls({ mem }: CallContext): WasiFunctions {
  return {
    proc_exit(code: number): void {
      throw new WasiExit(code >>> 0);
    },
    proc_raise(_sig: number): number {
      // Signals do not exist in preview1 hosts; wasmtime answers NOTSUP too.
      return Errno.NOTSUP;
    },
    sched_yield(): number {
      return Errno.SUCCESS;
    },
    random_get(buf: number, len: number): number {
      const p = mem.check(buf, len);
      // randomFillSync has no 64 KiB cap (getRandomValues has); node:crypto is loaded on first use.
      fill ??= (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).randomFillSync;
      fill(mem.u8, p, len >>> 0);
      return Errno.SUCCESS;
    },
  };
}
