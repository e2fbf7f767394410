/**
 * Reading a container's entrypoint on the host at `create`, before runc has
 * mounted anything: to decide Wasm or native (detect.ts) and to refuse a
 * module that does not compile with one clear line then, not at `start`.
 * The file is read through the WASI core's resolver with chroot rules, in
 * the rootfs or in the bind mount whose destination holds it, so a symlink
 * cannot make tswasi-oci read a host file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HostDir, buildNamespace, normaliseGuestPath, readAllFrom } from '../src/fs-api.js';
import { compileModule } from '../src/module.js';
import { compileWat, looksLikeWat } from '../src/wat.js';
import { isBind, type Spec } from './spec.js';

/** The entrypoint's bytes (its first `limit`), or null when it is not there. */
export function readEntrypoint(spec: Spec, bundle: string, limit = Infinity): Uint8Array | null {
  const args = spec.process?.args ?? [];
  if (args.length === 0 || spec.root === undefined) return null;
  const rootPath = path.resolve(bundle, spec.root.path);
  let st: fs.Stats;
  try { st = fs.statSync(rootPath); } catch { throw new Error(`rootfs ${rootPath} not found`); }
  if (!st.isDirectory()) throw new Error(`rootfs ${rootPath} is not a directory`);
  const entry = args[0]!;
  const abs = normaliseGuestPath(path.posix.resolve('/', spec.process?.cwd || '/', entry));
  // The bind mount with the longest destination that holds it, else the rootfs.
  let dir = rootPath;
  let rel = abs;
  let best = '';
  for (const m of spec.mounts ?? []) {
    const dest = normaliseGuestPath(path.posix.resolve('/', m.destination));
    if (!isBind(m) || m.source === undefined || dest.length <= best.length) continue;
    if (abs !== dest && !abs.startsWith(dest + '/')) continue;
    const src = path.resolve(bundle, m.source);
    try {
      if (!fs.statSync(src).isDirectory()) {
        if (abs !== dest) continue;
        dir = path.dirname(src); rel = '/' + path.basename(src);
      } else {
        dir = src; rel = abs.slice(dest.length) || '/';
      }
      best = dest;
    } catch { /* a missing source: runc will say so */ }
  }
  const root = HostDir.open(dir, true);
  try {
    // No directory cache: a one-off read keeps no directory open after it (the shim, long-lived, unmounts this rootfs later).
    return readAllFrom({ ...buildNamespace(root, new Map()), dirCache: undefined }, rel, limit);
  } catch {
    return null;
  } finally {
    root.close();
  }
}

/** Compile once on the host so a bad module fails `create` with one line (the runner compiles again). */
export async function checkModule(bytes: Uint8Array, name: string): Promise<void> {
  // One module, compiled once in this process: no cache, so no hash (and no node:crypto) on create's path.
  compileModule(looksLikeWat(bytes) ? await compileWat(bytes, name) : bytes, name, { cache: false });
}
