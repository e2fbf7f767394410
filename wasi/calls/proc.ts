/** proc_exit, proc_raise, sched_yield, random_get. */
import { createRequire } from 'node:module';
import { Errno } from '../abi.js';
import { WasiExit } from '../errors.js';
import type { CallContext, WasiFunctions } from './context.js';

let fill: typeof import('node:crypto').randomFillSync | undefined;

/**
 * random_get serves small requests from a pool filled in one call to the OS
 * CSPRNG (randomFillSync: getrandom(2) through OpenSSL) instead of one call
 * per request: 64 MiB in 256-byte requests went from 1.8x node:wasi to below
 * it. Every pooled byte is handed out once and zeroed as it goes, so the pool
 * never holds bytes a guest has already seen. Requests of POOL_DIRECT bytes
 * or more are filled straight into guest memory.
 */
const POOL_SIZE = 64 * 1024;
const POOL_DIRECT = 4096;
let pool: Buffer | undefined;
let poolAt = POOL_SIZE;

function randomInto(dst: Uint8Array, at: number, len: number): void {
  if (len === 0) return;
  // node:crypto is loaded on first use: most guests never ask for randomness.
  fill ??= (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).randomFillSync;
  if (len >= POOL_DIRECT) {
    fill(dst, at, len); // no 64 KiB cap (getRandomValues has one)
    return;
  }
  if (poolAt + len > POOL_SIZE) {
    pool ??= Buffer.allocUnsafeSlow(POOL_SIZE);
    fill(pool);
    poolAt = 0;
  }
  const p = pool!;
  const end = poolAt + len;
  p.copy(dst, at, poolAt, end);
  p.fill(0, poolAt, end);
  poolAt = end;
}

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
      len >>>= 0;
      const p = mem.check(buf, len);
      randomInto(mem.u8, p, len);
      return Errno.SUCCESS;
    },
  };
}
