// @ts-check
// src/trace in-process: a real guest's calls decoded by callDecoder (the
// wrapper --trace and the explorer use), their text and Chrome forms, and the
// --trace=FILTER groups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argsText, callDecoder, callText, chromeEvent, isErrorCall, resultText } from '../../dist/src/trace/record.js';
import { GROUPS, LANES, laneOf, traceFilter } from '../../dist/src/trace/filters.js';
import { WASI_FUNCTIONS } from '../../dist/wasi/functions.js';
import { Clockid, Errno, EVENTRWFLAGS_FD_READWRITE_HANGUP, Eventtype, Fdflags, Filetype, Layout, Riflags, Roflags, Sdflags } from '../../dist/wasi/abi.js';
import { GuestMemory } from '../../dist/wasi/memory.js';
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

/**
 * A context for callDecoder alone: one page of guest memory, and fds whose labels are given.
 * @param {Record<number, string>} labels
 */
function bareContext(labels) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const mem = new GuestMemory();
  mem.attach(memory);
  const fds = { lookup: (/** @type {number} */ fd) => { if (!(fd in labels)) throw new Error('EBADF'); return { label: labels[fd] }; } };
  return { ctx: /** @type {import('../../dist/wasi/calls/context.js').CallContext} */ (/** @type {unknown} */ ({ mem, fds })), mem };
}

/**
 * Decode one call of `fn` (which writes its results itself) with these raw arguments.
 * @param {import('../../dist/wasi/calls/context.js').CallContext} ctx
 * @param {string} name
 * @param {(...a: never[]) => number} fn
 * @param {Array<number | bigint>} raw
 */
function decodeOne(ctx, name, fn, raw) {
  /** @type {TracedCall[]} */
  const calls = [];
  const wrapped = /** @type {(...a: Array<number | bigint>) => number} */ (callDecoder(() => true, (c) => calls.push(c))(name, /** @type {never} */ (fn), ctx));
  wrapped(...raw);
  return callText(calls[0]).replace(/ <[0-9.]+µs>$/, '');
}

test('socket calls decoded from the ABI tables: flags by name, bytes, the new fd, roflags, shutdown\'s how', () => {
  const { ctx, mem } = bareContext({ 3: 'tcp 127.0.0.1:8080', 4: 'tcp 127.0.0.1:8080 ← 127.0.0.1:40000' });
  assert.equal(decodeOne(ctx, 'sock_accept', (/** @type {number} */ _fd, /** @type {number} */ _f, /** @type {number} */ p) => { mem.setU32(p, 4); return 0; }, [3, Fdflags.NONBLOCK, 100]),
    'sock_accept(fd=3<tcp 127.0.0.1:8080>, flags=NONBLOCK) = SUCCESS → fd=4<tcp 127.0.0.1:8080 ← 127.0.0.1:40000>');
  assert.equal(decodeOne(ctx, 'sock_accept', () => Errno.AGAIN, [3, 0, 100]), 'sock_accept(fd=3<tcp 127.0.0.1:8080>, flags=0) = AGAIN');
  // Two iovecs of 10 and 6 bytes at 200.
  mem.setU32(200, 1000); mem.setU32(204, 10); mem.setU32(208, 1100); mem.setU32(212, 6);
  const recv = (/** @type {number[]} */ ...a) => { mem.setU32(a[4], 16); mem.setU16(a[5], Roflags.RECV_DATA_TRUNCATED); return 0; };
  assert.equal(decodeOne(ctx, 'sock_recv', recv, [4, 200, 2, Riflags.RECV_PEEK | Riflags.RECV_WAITALL, 300, 304]),
    'sock_recv(fd=4<tcp 127.0.0.1:8080 ← 127.0.0.1:40000>, ri_data=[2 iov, 16 bytes], ri_flags=RECV_PEEK|RECV_WAITALL) = SUCCESS → ro_datalen=16, ro_flags=RECV_DATA_TRUNCATED');
  assert.equal(decodeOne(ctx, 'sock_recv', () => Errno.INVAL, [4, 200, 1, 0x10, 300, 304]), 'sock_recv(fd=4<tcp 127.0.0.1:8080 ← 127.0.0.1:40000>, ri_data=[1 iov, 10 bytes], ri_flags=0x10) = INVAL');
  const send = (/** @type {number[]} */ ...a) => { mem.setU32(a[4], 10); return 0; };
  assert.equal(decodeOne(ctx, 'sock_send', send, [4, 200, 1, 0, 300]), 'sock_send(fd=4<tcp 127.0.0.1:8080 ← 127.0.0.1:40000>, si_data=[1 iov, 10 bytes], si_flags=0) = SUCCESS → so_datalen=10');
  for (const [how, text] of /** @type {Array<[number, string]>} */ ([[Sdflags.RD, 'RD'], [Sdflags.WR, 'WR'], [Sdflags.RD | Sdflags.WR, 'RD|WR'], [0, '0'], [4, '0x4']])) {
    assert.equal(decodeOne(ctx, 'sock_shutdown', () => 0, [4, how]), `sock_shutdown(fd=4<tcp 127.0.0.1:8080 ← 127.0.0.1:40000>, how=${text}) = SUCCESS`);
  }
  // fd_fdstat_get of a socket: its filetype by the ABI's name.
  const fdstat = (/** @type {number} */ _fd, /** @type {number} */ p) => { mem.setU8(p, Filetype.SOCKET_STREAM); mem.setU16(p + 2, Fdflags.NONBLOCK); return 0; };
  assert.equal(decodeOne(ctx, 'fd_fdstat_get', fdstat, [4, 400]), 'fd_fdstat_get(fd=4<tcp 127.0.0.1:8080 ← 127.0.0.1:40000>) = SUCCESS → stat={filetype=SOCKET_STREAM, flags=NONBLOCK}');
});

test('poll_oneoff decoded: each subscription (fd with its label, clock) and each event (nbytes, HANGUP, errno)', () => {
  const { ctx, mem } = bareContext({ 3: 'tcp 0.0.0.0:80', 4: 'tcp 0.0.0.0:80 ← 10.0.0.1:5' });
  const S = Layout.subscription;
  const E = Layout.event;
  const IN = 1024;
  const OUT = 2048;
  /** @param {number} i @param {bigint} userdata @param {number} tag @param {(at: number) => void} body */
  const sub = (i, userdata, tag, body) => { const at = IN + i * S.size; mem.setU64(at + S.userdata, userdata); mem.setU8(at + S.tag, tag); body(at); };
  sub(0, 1n, Eventtype.FD_READ, (at) => mem.setU32(at + S.fd, 4));
  sub(1, 2n, Eventtype.FD_WRITE, (at) => mem.setU32(at + S.fd, 4));
  sub(2, 3n, Eventtype.FD_READ, (at) => mem.setU32(at + S.fd, 3));
  sub(3, 4n, Eventtype.CLOCK, (at) => { mem.setU32(at + S.clock_id, Clockid.MONOTONIC); mem.setU64(at + S.clock_timeout, 5000000n); });
  sub(4, 5n, Eventtype.FD_READ, (at) => mem.setU32(at + S.fd, 77));
  /** @param {number} i @param {bigint} userdata @param {number} type @param {number} error @param {number} nbytes @param {number} flags */
  const ev = (i, userdata, type, error, nbytes, flags) => {
    const at = OUT + i * E.size;
    mem.setU64(at + E.userdata, userdata); mem.setU16(at + E.error, error); mem.setU8(at + E.type, type); mem.setU64n(at + E.nbytes, nbytes); mem.setU16(at + E.flags, flags);
  };
  const poll = () => {
    ev(0, 1n, Eventtype.FD_READ, 0, 12, 0);
    ev(1, 2n, Eventtype.FD_WRITE, 0, 65536, 0);
    ev(2, 1n, Eventtype.FD_READ, 0, 0, EVENTRWFLAGS_FD_READWRITE_HANGUP);
    ev(3, 5n, Eventtype.FD_READ, Errno.BADF, 0, 0);
    mem.setU32(3000, 4);
    return 0;
  };
  assert.equal(decodeOne(ctx, 'poll_oneoff', poll, [IN, OUT, 5, 3000]),
    'poll_oneoff(in=[#1 FD_READ(fd=4<tcp 0.0.0.0:80 ← 10.0.0.1:5>), #2 FD_WRITE(fd=4<tcp 0.0.0.0:80 ← 10.0.0.1:5>), #3 FD_READ(fd=3<tcp 0.0.0.0:80>), #4 CLOCK(MONOTONIC, 5000000ns), #5 FD_READ(fd=77)], nsubscriptions=5)'
    + ' = SUCCESS → out=[#1 FD_READ nbytes=12, #2 FD_WRITE nbytes=65536, #1 FD_READ nbytes=0 HANGUP, #5 FD_READ BADF], nevents=4');
  // Far more subscriptions than shown, or past the end of memory: counted, or one word.
  assert.match(decodeOne(ctx, 'poll_oneoff', () => Errno.INVAL, [IN, OUT, 40, 3000]), /, …24 more\], nsubscriptions=40\) = INVAL$/);
  assert.equal(decodeOne(ctx, 'poll_oneoff', () => Errno.FAULT, [65536 - 8, OUT, 1, 3000]), 'poll_oneoff(in=<bad pointer 65528+1×48>, nsubscriptions=1) = FAULT');
});
