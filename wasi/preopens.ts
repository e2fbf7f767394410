/** Turning the embedder's preopen and mount descriptions into directory handles. */
import type { Volume } from 'memfs';
import { Errno, RIGHTS_DIRECTORY, RIGHTS_DIRECTORY_INHERITING } from './abi.js';
import { WasiError } from './errors.js';
import { DirFd } from './fd.js';
import type { DirHandle } from './fs/handle.js';
import { MemDir } from './fs/mem.js';
import { DirCache, type FinalOp, type MountTarget, type Namespace, resolve } from './fs/resolve.js';
import { StatCache } from './fs/stat-cache.js';

/**
 * A directory to preopen or mount: a host path, or a memfs volume (optionally a directory in it;
 * `limit`: the bytes of file data the volume may hold, default 1 GiB — see fs/mem-quota.ts).
 */
export type DirSource =
  | string
  | Volume
  | { host: string; readonly?: boolean }
  | { volume: Volume; path?: string; readonly?: boolean; limit?: number };

function isVolume(v: unknown): v is Volume {
  return typeof v === 'object' && v !== null && '_core' in v && 'openSync' in v;
}

/**
 * Open a DirSource as a directory handle; host paths go to `openHostDir`
 * (Node's HostDir.open: node.ts's openDirSource). Host paths are trusted: they come from the embedder.
 */
export function openDirSourceWith(src: DirSource, openHostDir: (path: string, readonly: boolean) => DirHandle): DirHandle {
  if (typeof src === 'string') return openHostDir(src, false);
  if (isVolume(src)) return MemDir.open(src);
  if ('host' in src) return openHostDir(src.host, src.readonly ?? false);
  if ('volume' in src) return MemDir.open(src.volume, src.path ?? '/', src.readonly ?? false, src.limit);
  throw new TypeError('preopen must be a host path, a memfs Volume, { host } or { volume }');
}

/** Guest paths are kept normalised: "/a/b", no trailing or repeated slashes. */
export function normaliseGuestPath(p: string): string {
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) throw new TypeError(`guest path may not contain "..": ${p}`);
  return (p.startsWith('/') ? '/' : '') + parts.join('/');
}

/** A preopen in wasmtime's sense: its own sandbox, rooted at the directory itself. */
export function capabilityPreopen(guestPath: string, dir: DirHandle): DirFd {
  const ns: Namespace = { mode: 'capability', root: dir, mounts: new Map(), dirCache: new DirCache(), statCache: new StatCache() };
  const fd = new DirFd({ handle: dir, ns, guestPath: [] }, RIGHTS_DIRECTORY, RIGHTS_DIRECTORY_INHERITING, guestPath);
  fd.label = guestPath;
  return fd;
}

/**
 * A filesystem tree like a container's: a root and mounts at guest paths,
 * resolved with chroot rules. Returns the namespace; preopen it with
 * `namespacePreopen`.
 */
export function buildNamespace(root: DirHandle, mounts: ReadonlyMap<string, MountTarget>): Namespace {
  for (const k of mounts.keys()) {
    if (!k.startsWith('/') || k === '/' || normaliseGuestPath(k) !== k) {
      throw new WasiError(Errno.INVAL);
    }
  }
  return { mode: 'chroot', root, mounts, dirCache: new DirCache(), statCache: new StatCache() };
}

/** Preopen a directory of a namespace at `guestPath` (e.g. "/" and the working directory). */
export function namespacePreopen(ns: Namespace, guestPath: string, handle: DirHandle, components: readonly string[]): DirFd {
  const fd = new DirFd({ handle, ns, guestPath: components }, RIGHTS_DIRECTORY, RIGHTS_DIRECTORY_INHERITING, guestPath);
  fd.label = '/' + components.join('/');
  return fd;
}

/** Resolve an absolute guest path of a namespace (following symlinks) and run `op` on it. */
export function resolveIn<T>(ns: Namespace, guestPath: string, op: FinalOp<T>): T {
  return resolve({ handle: ns.root, ns, guestPath: [] }, guestPath, 'follow', op);
}

/** The content of a file of a namespace (its first `limit` bytes), read through the sandbox. */
export function readAllFrom(ns: Namespace, guestPath: string, limit = Infinity): Uint8Array {
  const h = resolveIn(ns, guestPath, (dir, name) => dir.open(name, {
    create: false, exclusive: false, truncate: false, directory: false, read: true, write: false, append: false, sync: false, dsync: false,
  }));
  try {
    if (h.kind !== 'file') throw new WasiError(Errno.ISDIR);
    const chunks: Uint8Array[] = [];
    let pos = 0;
    while (pos < limit) {
      const buf = new Uint8Array(Math.min(1 << 20, limit - pos));
      const n = h.read(buf, 0, buf.length, pos);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      pos += n;
    }
    return Buffer.concat(chunks);
  } finally {
    h.close();
  }
}
