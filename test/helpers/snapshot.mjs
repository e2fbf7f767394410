// @ts-check
// Comparable pictures of directory trees (host or memfs), to show that a run
// left a place untouched, and readable differences between two pictures.
import { createHash } from 'node:crypto';
import path from 'node:path';

/**
 * What a snapshot reads of a file system: node:fs or a memfs Volume.
 * @typedef {object} TreeFs
 * @property {(p: string) => import('node:fs').Stats} lstatSync
 * @property {(p: string) => unknown[]} readdirSync
 * @property {(p: string) => unknown} readlinkSync
 * @property {(p: string) => string | Buffer} readFileSync
 * @property {(p: string) => boolean} existsSync
 *
 * @typedef {{ mode: number, size: number, mtimeMs: number, names?: string[], link?: string, content?: string }} Entry
 * @typedef {Record<string, Entry | 'missing'>} Snapshot
 */

/**
 * Every entry under `dir` (lstat: links are not followed): type and mode,
 * size, mtime, the names of a directory, a link's text, a file's content hash.
 * @param {TreeFs} fsApi
 * @param {string} dir
 * @returns {Snapshot}
 */
export function snapshotTree(fsApi, dir) {
  /** @type {Snapshot} */
  const out = {};
  /** @param {string} rel */
  const walk = (rel) => {
    const p = rel ? path.posix.join(dir, rel) : dir;
    let st;
    try {
      st = fsApi.lstatSync(p);
    } catch {
      out[rel || '.'] = 'missing';
      return;
    }
    /** @type {Entry} */
    const e = { mode: Number(st.mode), size: Number(st.size), mtimeMs: Number(st.mtimeMs) };
    if (st.isDirectory()) {
      const names = fsApi.readdirSync(p).map(String).sort();
      e.names = names;
      for (const n of names) walk(rel ? `${rel}/${n}` : n);
    } else if (st.isSymbolicLink()) e.link = String(fsApi.readlinkSync(p));
    else if (st.isFile()) e.content = createHash('sha1').update(fsApi.readFileSync(p)).digest('hex');
    out[rel || '.'] = e;
  };
  walk('');
  return out;
}

/**
 * Names (with mode, size, mtime) of a directory's own entries except `skip`:
 * a sandbox's parent, without descending into the sandbox.
 * @param {TreeFs} fsApi
 * @param {string} dir
 * @param {readonly string[]} [skip]
 * @returns {Snapshot}
 */
export function snapshotNames(fsApi, dir, skip = []) {
  /** @type {Snapshot} */
  const out = {};
  for (const n of fsApi.readdirSync(dir).map(String).sort()) {
    if (skip.includes(n)) continue;
    const st = fsApi.lstatSync(path.posix.join(dir, n));
    out[n] = { mode: Number(st.mode), size: st.isDirectory() ? 0 : Number(st.size), mtimeMs: Number(st.mtimeMs) };
  }
  return out;
}

/**
 * Differences between two snapshots, as readable lines.
 * @param {Snapshot} a
 * @param {Snapshot} b
 */
export function diffSnapshots(a, b) {
  const lines = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = JSON.stringify(a[k]);
    const y = JSON.stringify(b[k]);
    if (x !== y) lines.push(`${k}: ${x ?? 'absent'} -> ${y ?? 'absent'}`);
  }
  return lines;
}
