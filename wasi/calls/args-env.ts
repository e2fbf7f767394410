/** args_get, args_sizes_get, environ_get, environ_sizes_get. */
import { Errno } from '../abi.js';
import { encodeUtf8 } from '../memory.js';
import type { CallContext, WasiFunctions } from './context.js';

/** NUL-terminated UTF-8 strings laid out once, as the guest will copy them. */
export class StringList {
  readonly items: Uint8Array[];
  readonly bufSize: number;
  constructor(strings: readonly string[]) {
    this.items = strings.map((s) => encodeUtf8(s + '\0'));
    this.bufSize = this.items.reduce((n, b) => n + b.length, 0);
  }
}

function listCalls(ctx: CallContext, list: StringList) {
  const { mem } = ctx;
  return {
    get(ptrsPtr: number, bufPtr: number): number {
      mem.check(ptrsPtr, list.items.length * 4);
      mem.check(bufPtr, list.bufSize);
      let p = bufPtr >>> 0;
      let i = 0;
      for (const item of list.items) {
        mem.setU32(ptrsPtr + i++ * 4, p);
        mem.write(p, item);
        p += item.length;
      }
      return Errno.SUCCESS;
    },
    sizes(countPtr: number, sizePtr: number): number {
      mem.setU32(countPtr, list.items.length);
      mem.setU32(sizePtr, list.bufSize);
      return Errno.SUCCESS;
    },
  };
}

export function argsEnvCalls(ctx: CallContext, args: StringList, env: StringList): WasiFunctions {
  const a = listCalls(ctx, args);
  const e = listCalls(ctx, env);
  return {
    args_get: a.get,
    args_sizes_get: a.sizes,
    environ_get: e.get,
    environ_sizes_get: e.sizes,
  };
}
