// @ts-check
// src/trace in-process: a real guest's calls decoded by callDecoder (the
// wrapper --trace and the explorer use), their text and Chrome forms, and the
// --trace=FILTER groups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argsText, callDecoder, callText, chromeEvent, isErrorCall, resultText } from '../../dist/src/trace/record.js';
import { GROUPS, LANES, laneOf, traceFilter } from '../../dist/src/trace/filters.js';
import { WASI_FUNCTIONS } from '../../dist/wasi/functions.js';
import { compileC, runWasi, toolchainProblem } from '../helpers/wasm.mjs';

/** @typedef {import('../../dist/src/trace/record.js').TracedCall} TracedCall */

/**
 * Run trace_demo with "." preopened and the calls `filter` accepts decoded.
 * @param {import('node:test').TestContext} t
 * @param {string} filter
 */
async function traced(t, filter) {
  const wasm = compileC('trace_demo');
  if (!wasm) {
    t.skip(`no toolchain: ${toolchainProblem()}`);
    return null;
  }
  /** @type {TracedCall[]} */
  const calls = [];
  const r = await runWasi(wasm, { guestDir: '.', wrapImport: callDecoder(traceFilter(filter), (c) => calls.push(c)) });
  assert.equal(r.code, 0, r.stderr);
  return calls;
}

test('every call of a real guest decoded: names, inputs, errnos, results', async (t) => {
  const calls = await traced(t, 'all');
  if (!calls) return;
  // The same lines `tswasi run --trace` prints (test/trace.test.mjs pins them through the CLI).
  assert.deepEqual(calls.map((c) => callText(c).replace(/ <[0-9.]+µs>$/, '')), [
    'fd_prestat_get(fd=3<.>) = SUCCESS → buf={dir, name_len=1}',
    'fd_prestat_dir_name(fd=3<.>, path_len=1) = SUCCESS → path="."',
    'fd_prestat_get(fd=4) = BADF',
    'fd_fdstat_get(fd=3<.>) = SUCCESS → stat={filetype=DIRECTORY, flags=0}',
    'path_open(fd=3<.>, dirflags=SYMLINK_FOLLOW, path="notes.txt", oflags=CREAT|TRUNC, fs_rights_base=ALL&~(SOCK_SHUTDOWN|SOCK_ACCEPT), fs_rights_inheriting=ALL&~(SOCK_SHUTDOWN|SOCK_ACCEPT), fdflags=0) = SUCCESS → opened_fd=4<./notes.txt>',
    'fd_write(fd=4<./notes.txt>, iovs=[1 iov, 12 bytes]) = SUCCESS → nwritten=12',
    'fd_seek(fd=4<./notes.txt>, offset=6, whence=SET) = SUCCESS → newoffset=6',
    'fd_read(fd=4<./notes.txt>, iovs=[1 iov, 16 bytes]) = SUCCESS → nread=6',
    'fd_close(fd=4<./notes.txt>) = SUCCESS',
    'path_rename(fd=3<.>, old_path="notes.txt", new_fd=3<.>, new_path="renamed.txt") = SUCCESS',
    'path_unlink_file(fd=3<.>, path="renamed.txt") = SUCCESS',
  ]);
  const open = calls.find((c) => c.name === 'path_open');
  assert.ok(open);
  assert.equal(open.args.path, '"notes.txt"');
  assert.equal(resultText(open), 'opened_fd=4<./notes.txt>');
  assert.match(argsText(open), /^path_open\(fd=3<\.>, dirflags=SYMLINK_FOLLOW, path="notes\.txt", /);
  assert.deepEqual(calls.filter(isErrorCall).map((c) => `${c.name} ${c.errno}`), ['fd_prestat_get BADF']);
  // Times: from the tracer's start, in order; each call took some µs.
  for (let i = 1; i < calls.length; i++) assert.ok(calls[i].ts >= calls[i - 1].ts);
  const ev = /** @type {{ name: string, ph: string, ts: number, dur: number, args: Record<string, unknown> }} */ (chromeEvent(open));
  assert.equal(ev.name, 'path_open');
  assert.equal(ev.ph, 'X');
  assert.ok(ev.dur > 0);
});

test('--trace=FILTER: groups, names, lists; an unknown name is an error naming it', async (t) => {
  const fsCalls = await traced(t, 'path_open,fd_write');
  if (!fsCalls) return;
  assert.deepEqual(fsCalls.map((c) => c.name), ['path_open', 'fd_write']);
  const pathOnly = await traced(t, 'path');
  assert.deepEqual(pathOnly?.map((c) => c.name), ['path_open', 'path_rename', 'path_unlink_file']);

  const names = Object.keys(WASI_FUNCTIONS);
  const fs = traceFilter('fs');
  assert.ok(fs('path_open') && fs('fd_read') && fs('fd_write'));
  assert.ok(!fs('clock_time_get') && !fs('random_get') && !fs('proc_exit'));
  assert.ok(names.every(traceFilter('')), 'an empty filter is "all"');
  assert.deepEqual(names.filter(traceFilter('clock')), ['clock_res_get', 'clock_time_get']);
  assert.deepEqual(names.filter(traceFilter(' random , proc_exit ')).sort(), ['proc_exit', 'random_get']);
  assert.ok(names.filter(GROUPS.fd).every((n) => n.startsWith('fd_')));
  assert.throws(() => traceFilter('fs,bogus_call'), /^Error: unknown trace filter: bogus_call \(use a WASI function name or one of: all, /);
  // Every function has exactly one lane, and lanes are the groups.
  for (const n of names) assert.ok(LANES.includes(laneOf(n)), n);
  assert.equal(laneOf('fd_read'), 'io');
  assert.equal(laneOf('path_open'), 'fs');
});
