/**
 * The one store of compiled modules: keyed by the content hash of the
 * module's bytes and the limits it was compiled with (a memory limit
 * rewrites the module, so it is another module), bounded by entry count and
 * by the total size of the source bytes, least recently used out first.
 * In front of it, a small path index (path → stat stamp → hash) lets an
 * unchanged file be found without reading or hashing it again.
 */
import { createRequire } from 'node:module';
import { SMALL, sha256Hex } from './sha256.js';

export interface ModuleCacheLimits {
  /** Most modules kept (default 64; 0 keeps none). */
  maxEntries?: number;
  /** Most source bytes kept, summed over the modules (default 256 MiB). */
  maxBytes?: number;
}

/**
 * Defaults: a service runs a handful of modules; V8's compiled code is a few
 * times the source size, so 256 MiB of source is already a large heap.
 */
export const DEFAULT_MAX_ENTRIES = 64;
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
/** Paths remembered by the index (each a few hundred bytes; LRU as well). */
const MAX_PATHS = 1024;

/**
 * node:crypto is loaded only to hash a module larger than sha256.ts's SMALL
 * (loading it costs more than hashing a smaller one there): `tswasi run` and
 * tswasi-oci's state commands never hash, `run --record` hashes its module once.
 */
let createHash: typeof import('node:crypto').createHash | undefined;

/** The SHA-256 of a module's bytes, in hex. */
export function contentHash(bytes: Uint8Array): string {
  if (bytes.length <= SMALL) return sha256Hex(bytes);
  createHash ??= (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).createHash;
  return createHash('sha256').update(bytes).digest('hex');
}

/** The cache key of a module: its bytes' hash and the limits it is compiled with. */
export function moduleKey(hash: string, memoryLimitPages: number | undefined): string {
  return memoryLimitPages === undefined ? hash : `${hash}:mem=${memoryLimitPages}`;
}

function limit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) || value === Infinity) || value < 0) {
    throw new RangeError(`moduleCache.${name} must be a whole number >= 0 (or Infinity), not ${String(value)}`);
  }
  return value;
}

export class ModuleCache {
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** Lookups that found a module, and modules stored (for tests and metrics). */
  hits = 0;
  stores = 0;
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, { module: WebAssembly.Module; bytes: number }>();
  private readonly paths = new Map<string, { stamp: string; hash: string }>();
  private total = 0;

  constructor(limits: ModuleCacheLimits = {}) {
    this.maxEntries = limit(limits.maxEntries, DEFAULT_MAX_ENTRIES, 'maxEntries');
    this.maxBytes = limit(limits.maxBytes, DEFAULT_MAX_BYTES, 'maxBytes');
  }

  /** Modules held now, and their source bytes. */
  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.total;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): WebAssembly.Module | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    this.hits++;
    return e.module;
  }

  /** Keep `module` (compiled from `sourceBytes` bytes), evicting the least recently used to fit. */
  set(key: string, module: WebAssembly.Module, sourceBytes: number): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.total -= old.bytes;
    }
    // A module larger than the whole bound is not kept (nor does it empty the cache).
    if (this.maxEntries === 0 || sourceBytes > this.maxBytes) return;
    while (this.entries.size >= this.maxEntries || this.total + sourceBytes > this.maxBytes) {
      const [oldest, e] = this.entries.entries().next().value as [string, { bytes: number }];
      this.entries.delete(oldest);
      this.total -= e.bytes;
    }
    this.entries.set(key, { module, bytes: sourceBytes });
    this.total += sourceBytes;
    this.stores++;
  }

  /** The hash of the file at `path` if it was read when its stat stamp was `stamp`. */
  pathHash(path: string, stamp: string): string | undefined {
    const p = this.paths.get(path);
    if (p === undefined || p.stamp !== stamp) return undefined;
    this.paths.delete(path);
    this.paths.set(path, p);
    return p.hash;
  }

  setPathHash(path: string, stamp: string, hash: string): void {
    this.paths.delete(path);
    if (this.paths.size >= MAX_PATHS) this.paths.delete(this.paths.keys().next().value as string);
    this.paths.set(path, { stamp, hash });
  }
}

/** The process's cache: compileModule's and every pool's that is not given limits of its own. */
export const sharedModuleCache = new ModuleCache();
