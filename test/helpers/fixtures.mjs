// @ts-check
// Starting trees for guest runs, on the host (node:fs) or in a memfs Volume:
// files from a table, the "outside" a sandboxed guest must never touch, and
// the symlinks sandbox_escape.c / sandbox_inside.c expect (used by
// test/attack/escape.test.mjs and by the browser run of the same programs).
import path from 'node:path';

/**
 * What the fixtures write with: node:fs or a memfs Volume.
 * @typedef {object} FixtureFs
 * @property {(p: string, o: { recursive: true }) => unknown} mkdirSync
 * @property {(p: string, data: string | Uint8Array) => void} writeFileSync
 * @property {(p: string, atime: Date, mtime: Date) => void} utimesSync
 * @property {(target: string, p: string) => void} symlinkSync
 */

/** @typedef {Record<string, string | Uint8Array | null>} Files  path -> content; null: a directory */

/**
 * Write `files` ({ 'a/b.txt': 'text' | Uint8Array, 'dir': null }) under `base` of `fsApi`.
 * @param {FixtureFs} fsApi
 * @param {string} base
 * @param {Files} [files]
 */
export function populate(fsApi, base, files = {}) {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.posix.join(base, rel);
    if (content === null) {
      fsApi.mkdirSync(p, { recursive: true });
    } else {
      fsApi.mkdirSync(path.posix.dirname(p), { recursive: true });
      fsApi.writeFileSync(p, content);
    }
  }
}

/** Old, distinctive times: any set_times or write through an escape shows. */
export const OLD_TIME = new Date('2001-02-03T04:05:06Z');

/** What sandbox_escape.c / sandbox_inside.c expect outside. @type {Files} */
export const OUTSIDE = { 'secret.txt': 'TOP SECRET', 'victim.txt': 'victim', 'dir/inner.txt': 'inner' };

/**
 * The directory a sandboxed guest must never read or change: `files` in it
 * (the sandbox programs' by default; the attack suite brings its own), then
 * OLD_TIME on everything, deepest first so a parent's time stays.
 * @param {FixtureFs} fsApi
 * @param {string} dir
 * @param {Files} [files]
 */
export function makeOutside(fsApi, dir, files = OUTSIDE) {
  fsApi.mkdirSync(dir, { recursive: true });
  populate(fsApi, dir, files);
  const names = new Set(['.']);
  for (const rel of Object.keys(files)) {
    for (let p = rel; p !== '.'; p = path.posix.dirname(p)) names.add(p);
  }
  const depth = (/** @type {string} */ p) => (p === '.' ? 0 : p.split('/').length);
  for (const p of [...names].sort((a, b) => depth(b) - depth(a))) {
    fsApi.utimesSync(path.posix.join(dir, p), OLD_TIME, OLD_TIME);
  }
}

/**
 * Plant host-made symlinks under `base`: name (relative to base) -> target.
 * @param {FixtureFs} fsApi
 * @param {string} base
 * @param {Record<string, string>} links
 */
export function plant(fsApi, base, links) {
  for (const [rel, target] of Object.entries(links)) fsApi.symlinkSync(target, path.posix.join(base, rel));
}

/** The sandbox programs' starting tree. @type {Files} */
export const FILES = { 'data/file.txt': 'inside', 'data/sub': null, sub: null, a: null };

/**
 * The links sandbox_escape.c / sandbox_inside.c expect, some escaping, some
 * staying inside.
 * @param {string} absOutside the absolute path that names the outside
 * @returns {Record<string, string>}
 */
export function sandboxLinks(absOutside) {
  return {
    // escaping
    abs_etc: '/etc',
    abs_passwd: '/etc/passwd',
    abs_out: absOutside,
    rel_out: '../outside',
    'sub/rel_out2': '../../outside',
    rel_secret: '../outside/secret.txt',
    rel_victim: '../outside/victim.txt',
    chain1: 'chain2',
    chain2: 'sub/chain3',
    'sub/chain3': '../rel_out',
    'a/esc': '../../outside',
    loop1: 'loop2',
    loop2: 'loop1',
    self: 'self',
    // staying inside
    in_file: 'data/file.txt',
    in_dir: 'data',
    in_dir_slash: 'data/',
    'data/sub/up': '../file.txt',
    'data/sub/top': '../../data',
    'a/link': '../data',
    chain_in1: 'chain_in2',
    chain_in2: 'in_dir',
  };
}

/**
 * The sandbox programs' links planted in a run's sandbox.
 * @param {{ fs: FixtureFs, sandbox: string, absOutside: string }} where
 */
export function plantSandbox({ fs: f, sandbox, absOutside }) {
  plant(f, sandbox, sandboxLinks(absOutside));
}
