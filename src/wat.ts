/** WebAssembly text (.wat) → binary, with wabt (the reference toolkit's parser, built for JS). */
import { createRequire } from 'node:module';
import { UserError } from './errors.js';

type Wabt = {
  parseWat(filename: string, buffer: string | Uint8Array, features?: Record<string, boolean>): {
    resolveNames(): void;
    validate(): void;
    toBinary(o: Record<string, boolean>): { buffer: Uint8Array };
    destroy(): void;
  };
};

let wabt: Promise<Wabt> | null = null;

/** Does this look like WAT rather than a binary module? */
export function looksLikeWat(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return bytes[i] === 0x28 /* ( */ || (bytes[i] === 0x3b && bytes[i + 1] === 0x3b) /* ;; */;
}

export async function compileWat(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  wabt ??= (createRequire(import.meta.url)('wabt') as () => Promise<Wabt>)();
  const w = await wabt;
  let mod;
  try {
    mod = w.parseWat(name, new TextDecoder().decode(bytes), { multi_value: true, bulk_memory: true, sign_extension: true, sat_float_to_int: true, mutable_globals: true, reference_types: true, simd: true });
  } catch (e) {
    throw new UserError(`${name}: invalid WebAssembly text: ${String((e as Error).message).split('\n').slice(0, 2).join(' ')}`);
  }
  try {
    mod.resolveNames();
    mod.validate();
    return mod.toBinary({ write_debug_names: true }).buffer;
  } catch (e) {
    throw new UserError(`${name}: invalid WebAssembly text: ${String((e as Error).message).split('\n')[0]}`);
  } finally {
    mod.destroy();
  }
}
