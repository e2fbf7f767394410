// @ts-check
// Starting trees for guest runs, on the host (node:fs) or in a memfs Volume:
// files from a table, the "outside" a sandboxed guest must never touch, and
// the symlinks sandbox_escape.c / sandbox_inside.c expect (used by
// wasi-sandbox.test.mjs and by the browser run of the same programs).
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

/**
 * The sibling dir that the sandbox tests must never read or change.
 * @param {FixtureFs} fsApi
 * @param {string} dir
 */
export function makeOutside(fsApi, dir) {
  fsApi.mkdirSync(path.posix.join(dir, 'dir'), { recursive: true });
  fsApi.writeFileSync(path.posix.join(dir, 'secret.txt'), 'TOP SECRET');
  fsApi.writeFileSync(path.posix.join(dir, 'victim.txt'), 'victim');
  fsApi.writeFileSync(path.posix.join(dir, 'dir', 'inner.txt'), 'inner');
  // Old, distinctive times so any set_times or write shows.
  const t = new Date('2001-02-03T04:05:06Z');
  for (const p of ['dir/inner.txt', 'secret.txt', 'victim.txt', 'dir', '.']) {
    fsApi.utimesSync(path.posix.join(dir, p), t, t);
  }
}

/** The sandbox programs' starting tree. @type {Files} */
export const FILES = { 'data/file.txt': 'inside', 'data/sub': null, sub: null, a: null };

/**
 * Plant the host-side symlinks described in sandbox_escape.c / sandbox_inside.c.
 * @param {{ fs: FixtureFs, sandbox: string, absOutside: string }} where
 */
export function plant({ fs: f, sandbox, absOutside }) {
  /** @param {string} rel */
  const at = (rel) => (sandbox === '/' ? `/${rel}` : `${sandbox}/${rel}`);
  const links = {
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
  for (const [rel, target] of Object.entries(links)) f.symlinkSync(target, at(rel));
}

