/** Loading and compiling modules: bytes or a file → WebAssembly.Module, compiled once per content and limits (./module-cache.ts). */
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { UserError } from './errors.js';
import { inspectModule } from './inspect.js';
import { limitMemory } from './memory-limit.js';
import { contentHash, moduleKey, sharedModuleCache, type ModuleCache } from './module-cache.js';
import { wasiSignatureMismatches } from '../wasi/functions.js';

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Read a module file; a missing or unreadable file is a UserError. */
export function readModule(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw moduleReadError(path, e);
  }
}

/** The one-line error for a module file that cannot be read (the CLI's and the pool's). */
function moduleReadError(path: string, e: unknown): UserError {
  const code = (e as { code?: string }).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
  return new UserError(`cannot read module ${path}: ${why}`);
}

export function isWasmBinary(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && WASM_MAGIC.every((b, i) => bytes[i] === b);
}

export interface CompileOptions {
  /**
   * Where compiled modules are kept (default: the process's shared cache).
   * `false` for a process that compiles one module once (`tswasi run`): no hash, no node:crypto.
   */
  cache?: ModuleCache | false;
  /** Compile with every memory's maximum lowered to this many pages (./memory-limit.ts). */
  memoryLimitPages?: number;
}

/** Compile (or fetch from the cache) a module; invalid input is a UserError naming the file. */
export function compileModule(bytes: Uint8Array, name = 'module', { cache = sharedModuleCache, memoryLimitPages }: CompileOptions = {}): WebAssembly.Module {
  if (cache === false) return compile(bytes, name, memoryLimitPages);
  return cached(cache, moduleKey(contentHash(bytes), memoryLimitPages), bytes, name, memoryLimitPages);
}

/**
 * Compile (or fetch from the cache) the module in the file at `path`: an
 * unchanged file (same device, inode, size and mtime) is neither read nor
 * hashed again; a changed one is read and hashed once.
 */
export async function compileModuleFile(path: string, { cache = sharedModuleCache, memoryLimitPages }: CompileOptions = {}): Promise<WebAssembly.Module> {
  let bytes: Uint8Array;
  let stamp: string;
  try {
    const st = await stat(path);
    stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
    const known = cache === false ? undefined : cache.pathHash(path, stamp);
    const hit = known === undefined || cache === false ? undefined : cache.get(moduleKey(known, memoryLimitPages));
    if (hit !== undefined) return hit;
    bytes = await readFile(path);
  } catch (e) {
    throw moduleReadError(path, e);
  }
  if (cache === false) return compile(bytes, path, memoryLimitPages);
  const hash = contentHash(bytes);
  cache.setPathHash(path, stamp, hash);
  return cached(cache, moduleKey(hash, memoryLimitPages), bytes, path, memoryLimitPages);
}

function cached(cache: ModuleCache, key: string, bytes: Uint8Array, name: string, memoryLimitPages: number | undefined): WebAssembly.Module {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const module = compile(bytes, name, memoryLimitPages);
  cache.set(key, module, bytes.length);
  return module;
}

function compile(bytes: Uint8Array, name: string, memoryLimitPages: number | undefined): WebAssembly.Module {
  if (!isWasmBinary(bytes)) {
    throw new UserError(`${name} is not a WebAssembly module (${bytes.length === 0 ? 'empty file' : 'bad magic number'})`);
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    throw new UserError(`${name}: unsupported WebAssembly binary version (components are not supported; expected a core module, version 1)`);
  }
  if (memoryLimitPages !== undefined) bytes = limitMemory(bytes, memoryLimitPages);
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new UserError(`${name} failed to compile: ${String((e as Error).message).replace(/^WebAssembly\.Module\(\): /, '')}`);
  }
  // Checked once per module: the import section is read from the bytes we just compiled.
  const mismatches = wasiSignatureMismatches(inspectModule(bytes, () => true).imports);
  if (mismatches.length > 0) throw new UserError(`${name}: incompatible import type: ${mismatches[0]}`);
  return module;
}
