/** Loading and compiling modules: bytes → WebAssembly.Module, compiled once per content. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { UserError } from './errors.js';
import { inspectModule } from './inspect.js';
import { wasiSignatureMismatches } from '../wasi/functions.js';

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const cache = new Map<string, WebAssembly.Module>();

/** node:crypto is loaded on first hash: `tswasi run` and tswasi-oci never hash (start-up). */
let createHash: typeof import('node:crypto').createHash | undefined;

export function contentHash(bytes: Uint8Array): string {
  createHash ??= (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).createHash;
  return createHash('sha256').update(bytes).digest('hex');
}

/** Read a module file; a missing or unreadable file is a UserError. */
export function readModule(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw moduleReadError(path, e);
  }
}

/** The one-line error for a module file that cannot be read (the CLI's and the pool's). */
export function moduleReadError(path: string, e: unknown): UserError {
  const code = (e as { code?: string }).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
  return new UserError(`cannot read module ${path}: ${why}`);
}

export function isWasmBinary(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && WASM_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Compile (or fetch from the cache) a module; invalid input is a UserError naming the file.
 * `cache: false` for a process that compiles one module once (`tswasi run`): no hash, no node:crypto.
 */
export function compileModule(bytes: Uint8Array, name = 'module', { cache: useCache = true } = {}): WebAssembly.Module {
  const key = useCache ? contentHash(bytes) : '';
  const hit = useCache ? cache.get(key) : undefined;
  if (hit !== undefined) return hit;
  if (!isWasmBinary(bytes)) {
    throw new UserError(`${name} is not a WebAssembly module (${bytes.length === 0 ? 'empty file' : 'bad magic number'})`);
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    throw new UserError(`${name}: unsupported WebAssembly binary version (components are not supported; expected a core module, version 1)`);
  }
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new UserError(`${name} failed to compile: ${String((e as Error).message).replace(/^WebAssembly\.Module\(\): /, '')}`);
  }
  // Checked once per module: the import section is read from the bytes we just compiled.
  const mismatches = wasiSignatureMismatches(inspectModule(bytes, () => true).imports);
  if (mismatches.length > 0) throw new UserError(`${name}: incompatible import type: ${mismatches[0]}`);
  if (useCache) cache.set(key, module);
  return module;
}
