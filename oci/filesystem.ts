/**
 * The container's filesystem as the guest sees it: the rootfs at `/` and
 * every mount of config.json at its destination, resolved with chroot rules
 * by the WASI core's resolver. Nothing outside rootfs and mounts is reachable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import {
  HostDir, MemDir, type DirHandle, type FileHandle, type MountTarget, type Namespace,
  buildNamespace, namespacePreopen, normaliseGuestPath, resolveIn, readAllFrom,
} from '../src/fs-api.js';
import type { Mount, Spec } from './spec.js';

/** Mount types that mean nothing to a WASI guest. */
const SKIPPED_TYPES = new Set(['proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2', 'securityfs', 'debugfs', 'tracefs', 'configfs', 'fusectl', 'binfmt_misc', 'hugetlbfs']);

export interface ContainerFs {
  ns: Namespace;
  /** What was skipped and why, for the log. */
  skipped: string[];
  close(): void;
}

function isBind(m: Mount): boolean {
  return m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
}

function isReadonly(m: Mount): boolean {
  return (m.options ?? []).includes('ro');
}

/** Build the namespace from a bundle's config; host paths come from config.json only. */
export function buildContainerFs(spec: Spec, bundle: string): ContainerFs {
  if (spec.root === undefined) throw new Error('config.json has no root');
  const rootPath = path.resolve(bundle, spec.root.path);
  if (!fs.existsSync(rootPath) || !fs.statSync(rootPath).isDirectory()) throw new Error(`rootfs ${rootPath} is not a directory`);
  const root = HostDir.open(rootPath, spec.root.readonly ?? false);
  const mounts = new Map<string, MountTarget>();
  const handles: DirHandle[] = [root];
  const skipped: string[] = [];
  for (const m of spec.mounts ?? []) {
    const dest = normaliseGuestPath(m.destination.startsWith('/') ? m.destination : '/' + m.destination);
    if (dest === '/' || dest === '') { skipped.push(`${m.destination}: a mount over / is not supported`); continue; }
    if (m.type !== undefined && SKIPPED_TYPES.has(m.type)) { skipped.push(`${dest} (${m.type})`); continue; }
    if (isBind(m)) {
      const src = m.source ?? '';
      let st: fs.Stats;
      try { st = fs.statSync(src); } catch { throw new Error(`mount ${dest}: source ${src} does not exist`); }
      if (st.isDirectory()) {
        const dir = HostDir.open(src, isReadonly(m));
        handles.push(dir);
        mounts.set(dest, { dir, name: null });
      } else {
        // A single file (e.g. /etc/hosts): its directory is held, and only
        // that one entry of it is ever named.
        const dir = HostDir.open(path.dirname(src), isReadonly(m));
        handles.push(dir);
        mounts.set(dest, { dir, name: path.basename(src) });
      }
    } else if (m.type === 'tmpfs') {
      // memfs is loaded only when a tmpfs is mounted: it costs ~40 ms of start-up.
      const { memfs } = createRequire(import.meta.url)('memfs') as typeof import('memfs');
      const { vol } = memfs({});
      mounts.set(dest, { dir: MemDir.open(vol, '/', isReadonly(m)), name: null });
    } else {
      skipped.push(`${dest} (${m.type ?? 'no type'})`);
    }
  }
  return {
    ns: buildNamespace(root, mounts),
    skipped,
    close: () => { for (const h of handles) { try { h.close(); } catch { /* gone */ } } },
  };
}

/** Read a whole file of the container's filesystem (the entrypoint module). null when missing. */
export function readContainerFile(ns: Namespace, guestPath: string, cwd: string): Uint8Array | null {
  const abs = guestPath.startsWith('/') ? guestPath : path.posix.join(cwd, guestPath);
  try {
    return readAllFrom(ns, abs);
  } catch {
    return null;
  }
}

/** The first bytes of a file, for detection. */
export function headOf(ns: Namespace, guestPath: string, cwd: string): Uint8Array | null {
  const all = readContainerFile(ns, guestPath, cwd);
  return all === null ? null : all.subarray(0, 16);
}

/**
 * Preopens for a container. wasi-libc strips the leading "/" from absolute
 * paths and matches both "/" and "." preopens with an empty prefix, the last
 * one registered winning — so "/x" and "x" cannot be told apart. With the
 * working directory at "/", one preopen "/" is exact. Otherwise every
 * top-level entry of "/" (and every first component of a mount point) is
 * preopened under its absolute name ("/etc", "/data", …), and the working
 * directory last as ".": absolute paths then match their longer prefix and
 * reach the right directory; relative paths match "." and resolve against
 * the working directory. What does not hold: a relative path whose first
 * component is also a top-level name of "/", and "/" itself, resolve like
 * the other kind (documented in README).
 */
export function containerPreopens(cfs: ContainerFs, cwd: string) {
  const ns = cfs.ns;
  const cwdComponents = normaliseGuestPath(cwd).split('/').filter(Boolean);
  if (cwdComponents.length === 0) return [namespacePreopen(ns, '/', ns.root, [])];
  const names = new Set<string>();
  for (const e of ns.root.readdir()) if (e.filetype === 3 || e.filetype === 7) names.add(e.name);
  for (const k of ns.mounts.keys()) names.add(k.split('/')[1]!);
  const fds = [];
  for (const name of [...names].sort()) {
    const h = openDirIn(ns, '/' + name);
    if (h !== null) fds.push(namespacePreopen(ns, '/' + name, h, [name]));
  }
  const cwdDir = openDirIn(ns, cwd);
  if (cwdDir === null) throw new Error(`process.cwd ${cwd} is not a directory in the container`);
  fds.push(namespacePreopen(ns, '.', cwdDir, cwdComponents));
  return fds;
}

function openDirIn(ns: Namespace, guestPath: string): DirHandle | null {
  try {
    return resolveIn(ns, guestPath, (dir, name) => {
      const h = dir.open(name, { create: false, exclusive: false, truncate: false, directory: true, read: true, write: false, append: false, sync: false, dsync: false });
      if (h.kind !== 'dir') { h.close(); throw new Error('not a directory'); }
      return h;
    }) as DirHandle;
  } catch {
    return null;
  }
}

export type { FileHandle };
