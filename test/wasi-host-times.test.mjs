// @ts-check
// Exact (nanosecond) file times on the host go through coreutils' `touch`
// when node:fs cannot express them. Its messages are in the user's language,
// so errnos must never come from them: run under a German locale (built into
// a private LOCPATH, the system is not changed) and check that failures keep
// their errno and that exact times still land.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, tempDir } from './helpers/wasm.mjs';

const times = await import('../dist/wasi/fs/host-times.js');
const { errnoOf } = await import('../dist/wasi/errors.js');
const { Errno } = await import('../dist/wasi/index.js');

const CI = process.env.CI === 'true';
/** @type {string | null} why the German locale cannot be made here */
let problem = null;

before(() => {
  // A German locale that gettext will use: touch speaks German from now on in this process's children.
  const loc = tempDir('tswasi-locale-');
  const r = spawnSync('localedef', ['-i', 'de_DE', '-f', 'UTF-8', path.join(loc, 'de_DE.UTF-8')], { encoding: 'utf8' });
  if (r.status !== 0 && !fs.existsSync(path.join(loc, 'de_DE.UTF-8'))) problem = `localedef failed: ${r.error?.message ?? r.stderr}`;
  Object.assign(process.env, { LOCPATH: loc, LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8', LANGUAGE: 'de' });
});

/**
 * A TimesTarget for a file opened by us, as HostFile.setTimes builds it.
 * @param {number} fd
 * @returns {import('../dist/wasi/fs/host-times.js').TimesTarget}
 */
function target(fd) {
  const sharedPath = times.sharedFdPath(fd);
  assert.ok(sharedPath, `no /proc path for fd ${fd}`);
  return {
    sharedPath,
    noFollow: false,
    current: () => {
      const st = fs.fstatSync(fd, { bigint: true });
      return { atim: st.atimeNs, mtim: st.mtimeNs };
    },
    set: (a, m) => fs.futimesSync(fd, a, m),
  };
}

/**
 * A new file, open for reading and writing while `use` runs.
 * @param {(fd: number, file: string) => void} use
 */
function withNewFile(use) {
  const file = path.join(tempDir(), 'f');
  fs.writeFileSync(file, 'x');
  const fd = fs.openSync(file, 'r+');
  try {
    use(fd, file);
  } finally {
    fs.closeSync(fd);
  }
}

test('exact nanosecond times land under a German locale; an omitted time stays exact', (t) => {
  if (problem) { if (CI) throw new Error(problem); return t.skip(problem); }
  withNewFile((fd, file) => {
    times.setTimesExact(target(fd), 1_000_000_123n, 2_000_000_456n);
    let st = fs.statSync(file, { bigint: true });
    assert.equal(st.atimeNs, 1_000_000_123n);
    assert.equal(st.mtimeNs, 2_000_000_456n);
    // mtime omitted (UTIME_OMIT): it keeps its nanoseconds.
    times.setTimesExact(target(fd), 3_000_000_789n, null);
    st = fs.statSync(file, { bigint: true });
    assert.equal(st.atimeNs, 3_000_000_789n);
    assert.equal(st.mtimeNs, 2_000_000_456n);
  });
});

// node:fs sets times as double seconds; libuv 1.52 (Node 24) stopped cutting them to whole microseconds, so
// a whole microsecond of today's magnitude then lands tens of nanoseconds off unless touch sets it.
test('whole microseconds of today\'s magnitude, and whole seconds, land exactly whatever this Node\'s libuv does', (t) => {
  if (problem) { if (CI) throw new Error(problem); return t.skip(problem); }
  withNewFile((fd) => {
    for (let i = 0; i < 16; i++) {
      const a = 1_796_650_000_000_000_000n + BigInt(i) * 7_777_777_000n + 123_457_000n;
      const m = 1_796_650_000_000_000_000n + BigInt(i) * 1_000_000_000n;
      times.setTimesExact(target(fd), a, m);
      const st = fs.fstatSync(fd, { bigint: true });
      assert.deepEqual([st.atimeNs, st.mtimeNs], [a, m], `${process.version} (libuv ${process.versions.uv}), set ${i}`);
    }
  });
});

test('a failing exact set keeps its errno under a German locale (EPERM on an immutable file, not EIO)', (t) => {
  if (problem) { if (CI) throw new Error(problem); return t.skip(problem); }
  const file = path.join(tempDir(), 'immutable');
  fs.writeFileSync(file, 'x');
  const chattr = spawnSync('chattr', ['+i', file], { encoding: 'utf8' });
  if (chattr.status !== 0) {
    const why = `chattr +i not possible here (needs root and ext2/3/4, xfs or btrfs): ${chattr.stderr}`;
    if (CI) throw new Error(why);
    return t.skip(why);
  }
  const fd = fs.openSync(file, 'r');
  try {
    // Check the premise: touch really speaks German here.
    const msg = spawnSync('touch', ['-d', '@1.5', file], { encoding: 'utf8' }).stderr;
    assert.match(msg, /nicht erlaubt/, `touch should answer in German: ${msg}`);
    const before = fs.statSync(file, { bigint: true });
    /** @type {Array<[import('../dist/wasi/fs/handle.js').TimeSpec, import('../dist/wasi/fs/handle.js').TimeSpec]>} */
    const specs = [[1_000_000_123n, 2_000_000_456n], [1_000_000_123n, null], [null, 'now'], ['now', 5n]];
    for (const [a, m] of specs) {
      assert.throws(() => times.setTimesExact(target(fd), a, m), (e) => errnoOf(e) === Errno.PERM, `${a} ${m}`);
    }
    const after = fs.statSync(file, { bigint: true });
    assert.equal(after.atimeNs, before.atimeNs);
    assert.equal(after.mtimeNs, before.mtimeNs);
  } finally {
    fs.closeSync(fd);
    spawnSync('chattr', ['-i', file]);
  }
});
