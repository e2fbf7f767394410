// @ts-check
// The guest's stdio types as wasmtime reports them — a terminal is a
// character device, a pipe, a file or /dev/null is not (UNKNOWN) — and
// wasi/isatty.ts, which decides that without node:tty where it can:
// checked against the kernel's own answer, in a real pseudo-terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isatty as nodeIsatty } from 'node:tty';
import { CLI, ROOT, compileC, tempDir } from './helpers/wasm.mjs';

/** @type {import('../wasi/isatty.js')} */
const { isatty } = await import(pathToFileURL(path.join(ROOT, 'dist/wasi/isatty.js')).href);

const CHARACTER_DEVICE = 2;
const UNKNOWN = 0;

test('isatty: the same answer as node:tty for files, memory devices and closed fds', () => {
  const dir = tempDir();
  const file = fs.openSync(path.join(dir, 'f'), 'w');
  const devNull = fs.openSync('/dev/null', 'r');
  const devZero = fs.openSync('/dev/zero', 'r');
  try {
    for (const fd of [file, devNull, devZero]) {
      assert.equal(isatty(fd), false, `fd ${fd}`);
      assert.equal(isatty(fd), nodeIsatty(fd));
    }
    const closed = fs.openSync('/dev/null', 'r');
    fs.closeSync(closed);
    assert.equal(isatty(closed), false);
  } finally {
    for (const fd of [file, devNull, devZero]) fs.closeSync(fd);
  }
});

/**
 * `tswasi run` of the isatty guest with the given stdio; its report, by fd.
 * @param {string} wasm
 * @param {string[]} command
 * @param {import('node:child_process').StdioOptions} stdio
 */
function report(wasm, command, stdio) {
  const r = spawnSync(command[0], command.slice(1), { stdio, encoding: 'utf8', timeout: 60_000 });
  const text = (r.stderr ?? '') + (r.stdout ?? '');
  const lines = [...text.matchAll(/fd (\d): isatty (\d) filetype (-?\d+) err (\d+)/g)];
  assert.equal(lines.length, 3, `status ${r.status}: ${text}`);
  return lines.map((m) => ({ isatty: Number(m[2]), filetype: Number(m[3]) }));
}

test('tswasi run: pipes, /dev/null and files are not terminals', (t) => {
  const wasm = compileC('isatty');
  if (wasm === null) return t.skip('no wasm32-wasi toolchain');
  const fds = report(wasm, [process.execPath, CLI, 'run', wasm], ['pipe', 'pipe', 'pipe']);
  assert.deepEqual(fds, [0, 1, 2].map(() => ({ isatty: 0, filetype: UNKNOWN })));
  const dir = tempDir();
  const out = fs.openSync(path.join(dir, 'out'), 'w');
  const nul = fs.openSync('/dev/null', 'r');
  try {
    const r = spawnSync(process.execPath, [CLI, 'run', wasm], { stdio: [nul, out, 'pipe'], encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /fd 0: isatty 0 filetype 0 /);
    assert.match(r.stderr, /fd 1: isatty 0 filetype 0 /);
  } finally {
    fs.closeSync(out);
    fs.closeSync(nul);
  }
});

test('tswasi run: a pseudo-terminal is a terminal (script(1), from util-linux, essential on Debian: never skipped)', (t) => {
  const wasm = compileC('isatty');
  if (wasm === null) return t.skip('no wasm32-wasi toolchain');
  // script runs the command with fds 0, 1 and 2 on a new pty, and copies what it writes to our stdout.
  const cmd = [process.execPath, CLI, 'run', wasm].map((w) => `'${w}'`).join(' ');
  const fds = report(wasm, ['script', '-qec', cmd, '/dev/null'], ['pipe', 'pipe', 'pipe']);
  assert.deepEqual(fds, [0, 1, 2].map(() => ({ isatty: 1, filetype: CHARACTER_DEVICE })));
});
