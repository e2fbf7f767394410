/**
 * Where a Wasm container's rewritten bundle lives: our run directory, one
 * copy per create, named "<id>.<root key>.<random>" (ids are unique only per
 * native runtime --root). `delete` removes them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { runDir, runSubdir } from './run-dir.js';

/** Where the copies are, made or not (removeCopies only reads it). */
const copiesDir = (): string => path.join(runDir(), 'bundles');

/** "<id>.<root key>.": a container's name among ours (ids are unique only per --root). */
export function copyPrefix(root: string | undefined, id: string): string {
  const key = root === undefined ? '' : path.resolve(root);
  return `${id}.${createHash('sha256').update(key).digest('hex').slice(0, 8)}.`;
}

export function newCopyDir(root: string | undefined, id: string): string {
  const dir = path.join(runSubdir('bundles'), copyPrefix(root, id) + randomBytes(4).toString('hex'));
  fs.mkdirSync(dir, { mode: 0o711 });
  return dir;
}

/** Remove the copies of `id` once the native runtime has none: the one it used, and any a create killed half-way left. */
export function removeCopies(root: string | undefined, id: string): void {
  const prefix = copyPrefix(root, id);
  let names: string[];
  try { names = fs.readdirSync(copiesDir()); } catch { return; }
  for (const n of names) if (n.startsWith(prefix)) fs.rmSync(path.join(copiesDir(), n), { recursive: true, force: true });
}
