// @ts-check
// Tracing every WASI call: the text format is part of the contract, so the
// exact lines of a small program are pinned here (times removed), through the
// CLI; then src/trace in-process: a real guest's calls decoded by callDecoder
// (the wrapper --trace and the explorer use), their text and Chrome forms, and
// the --trace=FILTER groups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, ROOT, runCli, runWasi, tempDir, toolchainProblem } from './helpers/wasm.mjs';
import { connectWhenListening, freePort } from './helpers/tcp.mjs';
import { argsText, callDecoder, callText, chromeEvent, isErrorCall, resultText } from '../dist/src/trace/record.js';
import { GROUPS, laneOf, LANES, traceFilter } from '../dist/src/trace/filters.js';
import { WASI_FUNCTIONS } from '../dist/wasi/functions.js';
import { Clockid, Errno, EVENTRWFLAGS_FD_READWRITE_HANGUP, Eventtype, Fdflags, Filetype, Layout, Riflags, Roflags, Sdflags } from '../dist/wasi/abi.js';
import { GuestMemory } from '../dist/wasi/memory.js';

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

/**
 * Run test/c/echo_poll.c under `tswasi run --tcplisten` with these trace options; one client says
 * "hello", reads "HELLO" and hangs up. Returns the run and what the client got.
 * @param {string} wasm
 * @param {string[]} traceArgs
 */
async function echoTraced(wasm, traceArgs) {
  const port = await freePort();
  const guest = runCli(['run', ...traceArgs, '--tcplisten', `127.0.0.1:${port}`, wasm]);
  const sock = await connectWhenListening(port);
  const got = await new Promise((resolve, reject) => {
    let text = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => { text += d; if (text === 'HELLO') sock.end(); });
    sock.on('end', () => resolve(text));
    sock.on('error', reject);
    sock.write('hello');
  });
  return { r: await guest, got };
}

test('--trace decodes a socket server: sock_accept, poll_oneoff subscriptions and events with nbytes and HANGUP, sock_recv, sock_send', async (t) => {
  const wasm = compileC('echo_poll');
  if (!wasm) return t.skip('no toolchain');
  const { r, got } = await echoTraced(wasm, ['--trace=sock,poll,fd_fdstat_get,fd_close', '--trace-summary']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(got, 'HELLO');
  assert.equal(r.stdout, 'peer hung up\n');
  const lines = untimed(r.stderr).split('\n');
  const conn = /^sock_accept\(fd=3(<[^>]*>)?, flags=0\) = SUCCESS → fd=(\d+)(<[^>]*>)?$/.exec(lines[0] ?? '');
  assert.ok(conn, r.stderr);
  const fd = `${conn[2]}${conn[3] ?? ''}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.match(lines[1], new RegExp(`^fd_fdstat_get\\(fd=${fd}\\) = SUCCESS → stat=\\{filetype=SOCKET_STREAM, flags=0\\}$`));
  // Waiting for input: one FD_READ subscription on the connection; the event says how many bytes are there.
  assert.match(lines[2], new RegExp(`^poll_oneoff\\(in=\\[#\\d+ FD_READ\\(fd=${fd}\\)\\], nsubscriptions=1\\) = SUCCESS → out=\\[#\\d+ FD_READ nbytes=5\\], nevents=1$`));
  assert.match(lines[3], new RegExp(`^sock_recv\\(fd=${fd}, ri_data=\\[1 iov, 256 bytes\\], ri_flags=0\\) = SUCCESS → ro_datalen=5, ro_flags=0$`));
  assert.match(lines[4], new RegExp(`^sock_send\\(fd=${fd}, si_data=\\[1 iov, 5 bytes\\], si_flags=0\\) = SUCCESS → so_datalen=5$`));
  // The peer's FIN: readable with nothing to read, and the hang-up flag; then recv reads the end.
  assert.match(lines[5], new RegExp(`^poll_oneoff\\(in=\\[#\\d+ FD_READ\\(fd=${fd}\\)\\], nsubscriptions=1\\) = SUCCESS → out=\\[#\\d+ FD_READ nbytes=0 HANGUP\\], nevents=1$`));
  assert.match(lines[6], new RegExp(`^sock_recv\\(fd=${fd}, ri_data=\\[1 iov, 256 bytes\\], ri_flags=0\\) = SUCCESS → ro_datalen=0, ro_flags=0$`));
  assert.match(lines[7], new RegExp(`^fd_close\\(fd=${fd}\\) = SUCCESS$`));
  // The summary counts the socket calls like any other.
  assert.match(r.stderr, /^ *[\d.]+ +\d+ +1 +0 +[\d.]+ +sock_accept$/m);
  assert.match(r.stderr, /^ *[\d.]+ +\d+ +2 +0 +[\d.]+ +sock_recv$/m);
  assert.match(r.stderr, /^ *[\d.]+ +\d+ +2 +0 +[\d.]+ +poll_oneoff$/m);
});

test('--trace=json of a socket server: the decoded calls as JSON; sock is a filter group', async (t) => {
  const wasm = compileC('echo_poll');
  if (!wasm) return t.skip('no toolchain');
  const file = path.join(tempDir(), 'sock.jsonl');
  const { r } = await echoTraced(wasm, ['--trace=json,sock', '--trace-file', file]);
  assert.equal(r.code, 0, r.stderr);
  const calls = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(calls.map((c) => c.name), ['sock_accept', 'sock_recv', 'sock_send', 'sock_recv']);
  assert.equal(calls[1].args.ri_flags, '0');
  assert.equal(calls[1].result.ro_datalen, '5');
  assert.equal(calls[2].result.so_datalen, '5');
});

/** @typedef {import('../dist/src/trace/record.js').TracedCall} TracedCall */

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
  // The same lines `tswasi run --trace` prints (pinned through the CLI above).
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
  return { ctx: /** @type {import('../dist/wasi/calls/context.js').CallContext} */ (/** @type {unknown} */ ({ mem, fds })), mem };
}

/**
 * Decode one call of `fn` (which writes its results itself) with these raw arguments.
 * @param {import('../dist/wasi/calls/context.js').CallContext} ctx
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
