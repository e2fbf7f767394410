// @ts-check
// What every escape probe finds planted in its sandbox (host-made links of
// every kind), and the list of probes (asked from the guest itself).
import path from 'node:path';
import { makeWorld, runGuest } from './lib.mjs';

/**
 * Plant the sandbox contents on w.fs (node:fs or a memfs Volume).
 * @param {import('./lib.mjs').World} w
 */
export function plant(w) {
  const F = w.fs;
  const j = (/** @type {string} */ p) => path.posix.join(w.sandbox, p);
  const abs = w.absOutside;
  for (const d of ['a/b/c', 'sub']) F.mkdirSync(j(d), { recursive: true });
  F.writeFileSync(j('inside.txt'), 'inside data');
  F.writeFileSync(j('a/file.txt'), 'inside data');
  /** @type {Record<string, string>} */
  const links = {
    abs_file: `${abs}/secret-zq9.txt`,
    abs_dir: abs,
    abs_victim: `${abs}/victim-zq9.txt`,
    abs_dangling: `${abs}/newabszq9`,
    abs_etc: '/etc',
    abs_passwd: '/etc/passwd',
    abs_root: '/',
    rel_file: '../outside/secret-zq9.txt',
    rel_dir: '../outside',
    rel_victim: '../outside/victim-zq9.txt',
    dangling_out: '../outside/newzq9',
    'a/b/mid': '../../../outside',
    'a/abs_mid': `${abs}/dirzq9`,
    chain1: 'chain2', chain2: 'chain3', chain3: 'rel_dir',
    chainin1: 'sub/chainin2', 'sub/chainin2': '../../outside',
    loop1: 'loop2', loop2: 'loop1', self: 'self',
    up: '..', 'sub/up2': '../..', 'sub/upin': '..',
    dotdotdir: 'sub/../..',
    midup: 'a/b/../../../outside',
    inlink: 'inside.txt',
    longlink: `${'../'.repeat(1000)}outside`,
  };
  for (let i = 0; i < 40; i++) links[`deep${i}`] = i === 39 ? '../outside' : `deep${i + 1}`;
  for (let i = 0; i < 45; i++) links[`over${i}`] = i === 44 ? '../outside' : `over${i + 1}`;
  for (const [name, target] of Object.entries(links)) F.symlinkSync(target, j(name));
}

/**
 * The probe names, as the guest lists them.
 * @param {string} wasm
 */
export async function probeNames(wasm) {
  const w = await makeWorld('mem');
  const r = await runGuest(wasm, w, ['list']);
  return r.stdout.trim().split('\n').filter(Boolean);
}
