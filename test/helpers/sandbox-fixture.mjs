// The sandbox programs' starting tree: files, and the symlinks
// sandbox_escape.c / sandbox_inside.c expect (used by wasi-sandbox.test.mjs
// and by the browser run of the same programs).
export const FILES = { 'data/file.txt': 'inside', 'data/sub': null, sub: null, a: null };

/** Plant the host-side symlinks described in sandbox_escape.c / sandbox_inside.c. */
export function plant({ fs: f, sandbox, absOutside }) {
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

