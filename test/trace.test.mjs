// @ts-check
// Tracing every WASI call: the text format is part of the contract, so the
// exact lines of a small program are pinned here (times removed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, runCli, tempDir, ROOT } from './helpers/wasm.mjs';

const EXPECTED = `fd_prestat_get(fd=3<.>) = SUCCESS → buf={dir, name_len=1}
fd_prestat_dir_name(fd=3<.>, path_len=1) = SUCCESS → path="."
fd_prestat_get(fd=4) = BADF
fd_fdstat_get(fd=3<.>) = SUCCESS → stat={filetype=DIRECTORY, flags=0}
path_open(fd=3<.>, dirflags=SYMLINK_FOLLOW, path="notes.txt", oflags=CREAT|TRUNC, fs_rights_base=ALL&~(SOCK_SHUTDOWN|SOCK_ACCEPT), fs_rights_inheriting=ALL&~(SOCK_SHUTDOWN|SOCK_ACCEPT), fdflags=0) = SUCCESS → opened_fd=4<./notes.txt>
fd_write(fd=4<./notes.txt>, iovs=[1 iov, 12 bytes]) = SUCCESS → nwritten=12
fd_seek(fd=4<./notes.txt>, offset=6, whence=SET) = SUCCESS → newoffset=6
fd_read(fd=4<./notes.txt>, iovs=[1 iov, 16 bytes]) = SUCCESS → nread=6
fd_close(fd=4<./notes.txt>) = SUCCESS
path_rename(fd=3<.>, old_path="notes.txt", new_fd=3<.>, new_path="renamed.txt") = SUCCESS
path_unlink_file(fd=3<.>, path="renamed.txt") = SUCCESS
`;

const untimed = (/** @type {string} */ s) => s.replace(/ <[0-9.]+µs>$/gm, '');

test('--trace: one strace-style line per call, exactly', async (t) => {
  const wasm = compileC('trace_demo');
  if (!wasm) return t.skip('no toolchain');
  const r = await runCli(['run', '--trace', '--dir', `${tempDir()}::.`, wasm]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(untimed(r.stderr), EXPECTED);
  assert.match(r.stderr, /^fd_prestat_get\(fd=3<\.>\) = SUCCESS → buf=\{dir, name_len=1\} <\d+\.\dµs>$/m);
});

test('--trace=fs,json writes JSON lines for the filesystem calls only; --trace-file', async (t) => {
  const wasm = compileC('trace_demo');
  if (!wasm) return t.skip('no toolchain');
  const file = path.join(tempDir(), 'trace.jsonl');
  const r = await runCli(['run', '--trace=json,path_open,fd_write', '--trace-file', file, '--dir', `${tempDir()}::.`, wasm]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const calls = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(calls.map((c) => c.name), ['path_open', 'fd_write']);
  assert.equal(calls[0].args.path, '"notes.txt"');
  assert.equal(calls[0].errno, 'SUCCESS');
  assert.equal(calls[0].result.opened_fd, '4<./notes.txt>');
  assert.equal(calls[1].result.nwritten, '12');
  assert.ok(calls.every((c) => typeof c.us === 'number' && typeof c.ts === 'number'));
});

test('--trace=chrome writes a Chrome Trace Event file; --trace-summary prints the table', async (t) => {
  const wasm = compileC('trace_demo');
  if (!wasm) return t.skip('no toolchain');
  const file = path.join(tempDir(), 'trace.json');
  const r = await runCli(['run', '--trace=chrome', '--trace-file', file, '--trace-summary', '--dir', `${tempDir()}::.`, wasm]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(doc.traceEvents.length, 11);
  for (const e of doc.traceEvents) {
    assert.equal(e.ph, 'X');
    assert.equal(typeof e.ts, 'number');
    assert.ok(e.dur >= 1);
  }
  assert.equal(doc.traceEvents[4].name, 'path_open');
  assert.equal(doc.traceEvents[4].args.path, '"notes.txt"');
  assert.match(r.stderr, /% time +total µs +calls +errors +µs\/call +function/);
  assert.match(r.stderr, /^ *[\d.]+ +\d+ +2 +1 +[\d.]+ +fd_prestat_get$/m);
  assert.match(r.stderr, /^100\.00 +\d+ +11 +1 +total$/m);
});

test('--trace-file alone traces (text) into the file; stderr stays the guest\'s', async (t) => {
  const wasm = compileC('trace_demo');
  if (!wasm) return t.skip('no toolchain');
  const file = path.join(tempDir(), 'trace.txt');
  const r = await runCli(['run', '--trace-file', file, '--dir', `${tempDir()}::.`, wasm]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(untimed(fs.readFileSync(file, 'utf8')), EXPECTED);
});

test('--trace-summary --trace-file: the summary goes into the file; with --trace, after the calls', async (t) => {
  const wasm = compileC('trace_demo');
  if (!wasm) return t.skip('no toolchain');
  const file = path.join(tempDir(), 'summary.txt');
  let r = await runCli(['run', '--trace-summary', '--trace-file', file, '--dir', `${tempDir()}::.`, wasm]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  let text = fs.readFileSync(file, 'utf8');
  assert.match(text, /^% time +total µs +calls +errors +µs\/call +function\n/);
  assert.match(text, /^100\.00 +\d+ +11 +1 +total$/m);
  assert.doesNotMatch(text, /path_open\(/, 'no call lines without --trace');

  const both = path.join(tempDir(), 'both.txt');
  r = await runCli(['run', '--trace', '--trace-summary', '--trace-file', both, '--dir', `${tempDir()}::.`, wasm]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  text = fs.readFileSync(both, 'utf8');
  assert.ok(untimed(text).startsWith(EXPECTED), text);
  assert.match(text.slice(EXPECTED.length), /% time[^\n]*\n[\s\S]*^100\.00 +\d+ +11 +1 +total$/m);
});

test('an unknown trace filter is one clear error', async (t) => {
  const wasm = compileC('trace_demo');
  if (!wasm) return t.skip('no toolchain');
  const r = await runCli(['run', '--trace=bogus_call', wasm]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: unknown trace filter: bogus_call/);
});

test('pool.run({ trace }) returns the trace of that call; DEBUG=tswasi:wasi traces through debug', async (t) => {
  const wasm = compileC('trace_demo');
  if (!wasm) return t.skip('no toolchain');
  const { run } = await import('../dist/src/index.js');
  const r = await run(wasm, { preopens: { '.': tempDir() }, trace: 'path' });
  assert.equal(r.exitCode, 0);
  assert.ok(r.trace, 'a trace was asked for');
  assert.deepEqual(r.trace.map((l) => l.split('(')[0]), ['path_open', 'path_rename', 'path_unlink_file']);
  const d = await runCli(['run', '--dir', `${tempDir()}::.`, wasm], { env: { ...process.env, DEBUG: 'tswasi:wasi' } });
  assert.equal(d.code, 0);
  assert.match(d.stderr, /tswasi:wasi path_open\(fd=3<\.>/);
});
