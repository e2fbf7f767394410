// @ts-check
// The resolver's cache of open directories (wasi/fs/resolve.ts, DirCache):
// a walk through more directories than the cache holds keeps working, keeps
// the directories it stands in open, and leaves a bounded number of fds open;
// closing the namespace's cache closes them all. Real host directories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers/wasm.mjs';

const { HostDir } = await import('../dist/wasi/fs/host.js');
const { DirCache, resolve } = await import('../dist/wasi/fs/resolve.js');

const openFds = () => fs.readdirSync('/proc/self/fd').length;

test('DirCache: a walk over 600 directories (more than the cache holds) finds every file, with a bounded number of fds open', { skip: process.platform !== 'linux' && 'needs /proc/self/fd' }, () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasi-dircache-'));
  try {
    // a/<i>/b/<j>/file: 20 x 30 = 600 leaf directories under 20 middle ones.
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 30; j++) {
        const d = path.join(base, 'a', `m${i}`, 'b', `l${j}`);
        fs.mkdirSync(d, { recursive: true });
        fs.writeFileSync(path.join(d, 'file'), `${i}:${j}`);
      }
    }
    const before = openFds();
    const root = HostDir.open(base);
    const dirCache = new DirCache();
    /** @type {import('../dist/wasi/fs/resolve.js').Namespace} */
    const ns = { mode: 'capability', root, mounts: new Map(), dirCache };
    /** @type {import('../dist/wasi/fs/resolve.js').DirRef} */
    const start = { handle: root, ns, guestPath: [] };
    let peak = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < 20; i++) {
        for (let j = 0; j < 30; j++) {
          const size = resolve(start, `a/m${i}/b/l${j}/file`, 'lookup', (dir, name) => dir.lstat(name).size);
          assert.equal(size, BigInt(`${i}:${j}`.length), `a/m${i}/b/l${j}/file`);
          peak = Math.max(peak, openFds() - before);
        }
      }
    }
    // The cache holds at most 128 directories; a walk's own handles come and go.
    assert.ok(peak <= 128 + 8, `at most ~129 fds open at once, saw ${peak}`);
    // Full as it is, the cache still takes the directories walked now (it drops the least recently used):
    // a second walk to the same place finds the very handle the first one opened.
    const dirOf = (/** @type {string} */ p) => resolve(start, p, 'lookup', (dir) => dir);
    assert.equal(dirOf('a/m7/b/l3/file'), dirOf('a/m7/b/l3/file'), 'the directory was cached');
    // A nested walk (as path_rename does) keeps working while the outer one stands in a cached directory.
    const got = resolve(start, 'a/m0/b/l0/file', 'lookup', (dir, name) =>
      resolve(start, 'a/m19/b/l29/file', 'lookup', (d2, n2) => `${dir.lstat(name).size}/${d2.lstat(n2).size}`));
    assert.equal(got, `${'0:0'.length}/${'19:29'.length}`);
    dirCache.clear();
    root.close();
    assert.equal(openFds(), before, 'every cached directory is closed with the cache');
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test('HostDir.share: one fd for every share, closed with the last handle; DirCache refuses a name it holds', { skip: process.platform !== 'linux' && 'needs /proc/self/fd' }, () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasi-dircache-share-'));
  try {
    fs.mkdirSync(path.join(base, 'a'));
    fs.writeFileSync(path.join(base, 'a', 'f'), 'xyz');
    const before = openFds();
    const root = HostDir.open(base);
    const a = root.openDir('a');
    assert.ok(a.share, 'a HostDir can share its fd');
    const shared = a.share();
    assert.equal(openFds(), before + 2, 'a share opens nothing');
    assert.equal(shared.identity(), a.identity());
    const cache = new DirCache();
    cache.enter();
    assert.equal(cache.put(root, 'a', shared), true);
    const again = root.openDir('a');
    assert.equal(cache.put(root, 'a', again), false, 'a second handle for a cached name is refused (the caller closes it)');
    again.close();
    cache.leave();
    a.close();
    a.close(); // a second close of the same handle is a no-op, not a close of someone else's fd
    cache.enter();
    assert.equal(cache.get(root, 'a'), shared, 'the cache still holds the directory after the guest closed its handle');
    assert.equal(shared.lstat('f').size, 3n);
    cache.leave();
    cache.clear();
    root.close();
    assert.equal(openFds(), before, 'the shared fd closed with its last handle');
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});
