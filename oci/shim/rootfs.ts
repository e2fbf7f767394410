/**
 * The container's root filesystem: containerd hands the shim the snapshot's
 * mounts (CreateTaskRequest.rootfs) and the shim mounts them at
 * <bundle>/rootfs, as the runc shim does; unmounted at delete.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Mount } from './messages.js';

const run = promisify(execFile);

export function rootfsDir(bundle: string): string {
  return path.join(bundle, 'rootfs');
}

export async function mountRootfs(bundle: string, mounts: readonly Mount[]): Promise<void> {
  if (mounts.length === 0) return; // the bundle's own rootfs (ctr run --rootfs)
  const target = rootfsDir(bundle);
  fs.mkdirSync(target, { recursive: true, mode: 0o711 });
  for (const m of mounts) {
    for (const s of [m.type, m.source, ...m.options]) {
      if (s.includes('\n') || s.includes('\0')) throw new Error('invalid rootfs mount');
    }
    const opts = m.options.join(',');
    const args = m.type === 'bind' || m.type === '' ? [] : ['-t', m.type];
    if (opts !== '') args.push('-o', opts);
    try {
      await run('mount', [...args, '--', m.source, target]);
    } catch (e) {
      throw new Error(`mount rootfs (${m.type}): ${((e as { stderr?: string }).stderr ?? (e as Error).message).trim()}`);
    }
  }
}

/** Is anything mounted at `target`? (mountinfo's fifth field, with its octal escapes.) */
export function mounted(target: string): boolean {
  let text: string;
  try { text = fs.readFileSync('/proc/self/mountinfo', 'utf8'); } catch { return true; } // cannot tell: try umount
  const escaped = target.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return text.split('\n').some((l) => l.split(' ')[4] === escaped);
}

/** Unmount everything at <bundle>/rootfs (recursively); nothing mounted is fine. umount runs only while something is mounted there. */
export async function unmountRootfs(bundle: string): Promise<void> {
  const target = rootfsDir(bundle);
  while (mounted(target)) {
    try {
      await run('umount', ['-R', target]);
    } catch {
      // Busy: detach it (lazily), as nothing may stay mounted in a bundle containerd removes.
      await run('umount', ['-R', '-l', target]).catch(() => undefined);
      return;
    }
  }
}
