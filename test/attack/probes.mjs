// @ts-check
// What every escape probe finds planted in its sandbox (host-made links of
// every kind), and the list of probes (asked from the guest itself).
import { plant, populate } from '../helpers/fixtures.mjs';
import { makeWorld, runGuest } from './lib.mjs';

/**
 * Plant the sandbox contents on w.fs (node:fs or a memfs Volume).
 * @param {import('./lib.mjs').World} w
 */
export function plantProbes(w) {
  const abs = w.absOutside;
  populate(w.fs, w.sandbox, { 'a/b/c': null, sub: null, 'inside.txt': 'inside data', 'a/file.txt': 'inside data' });
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
  plant(w.fs, w.sandbox, links);
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
