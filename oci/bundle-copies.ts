/**
 * Where a Wasm container's rewritten bundle lives: our run directory, one
 * copy per create, named "<id>.<root key>.<random>" (ids are unique only per
 * native runtime --root). `delete` removes them. The same prefix names a
 * create's lock (id-lock.ts): "<id>.<root key>.lock".
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { runDir, runSubdir } from './run-dir.js';
import { NAME_MAX } from './runc-errors.js';
import { sha256HexOfText } from '../src/sha256.js';

/** Where the copies are, made or not (removeCopies only reads it). */
const copiesDir = (): string => path.join(runDir(), 'bundles');

// SHA-256 without node:crypto (src/sha256.ts): `delete` and `state` load none.
const hex = (s: string, n: number): string => sha256HexOfText(s).slice(0, n);
/** A copy's random part, in bytes (hex: twice as many characters). */
const SUFFIX_RANDOM = 4;
/** What our longest name, a copy's, adds to the id: ".<root key>.<random>" (a lock's ".<root key>.lock" is shorter). */
const SUFFIX_MAX = 1 + 8 + 1 + 2 * SUFFIX_RANDOM;

/**
 * The id as our names hold it: itself when the longest name still fits
 * NAME_MAX, else its head and a digest of it all after a "~" (a character no
 * id has, so no shortened id is another's name).
 */
function idInName(id: string): string {
  const max = NAME_MAX - SUFFIX_MAX;
  return id.length <= max ? id : `${id.slice(0, max - 17)}~${hex(id, 16)}`;
}

/** "<id>.<root key>.": a container's name among ours (ids are unique only per --root). */
export function copyPrefix(root: string | undefined, id: string): string {
  return `${idInName(id)}.${hex(root === undefined ? '' : path.resolve(root), 8)}.`;
}

export function newCopyDir(root: string | undefined, id: string): string {
  // node:crypto only here, on create's path (which loads it anyway).
  const { randomBytes } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  const dir = path.join(runSubdir('bundles'), copyPrefix(root, id) + randomBytes(SUFFIX_RANDOM).toString('hex'));
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
