// @ts-check
// Tracing every WASI call: the text format is part of the contract, so the
// exact lines of a small program are pinned here (times removed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, runCli, tempDir, ROOT } from './helpers/wasm.mjs';
import { connectWhenListening, freePort } from './helpers/tcp.mjs';

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
