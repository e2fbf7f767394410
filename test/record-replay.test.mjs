// @ts-check
// Record and replay (docs/record-replay.md): the suite's C programs recorded
// with `tswasi run --record` on the host filesystem and replayed with
// `tswasi replay` in an empty directory elsewhere give the same stdout,
// stderr and exit code; random call sequences (the fuzzer's) replay to the
// same results and guest memory; divergence and bad recordings are one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { ROOT, compileC, compileWat, runCli, tempDir } from './helpers/wasm.mjs';
import { FILES, populate } from './helpers/fixtures.mjs';
import { commandArb, execute, fuzzWorld, prepare, replant, resetMemory } from './attack/fuzz-lib.mjs';

const { WASI } = await import('../dist/wasi/index.js');
const { Recorder } = await import('../dist/src/record/recorder.js');
const { RecordingWriter } = await import('../dist/src/record/writer.js');
const { parseRecording } = await import('../dist/src/record/reader.js');
const { Replayer } = await import('../dist/src/record/replayer.js');

/**
 * The suite's programs that run to an end by themselves (no sockets, no
 * reactor, no --invoke, no spinning), each with its argv and stdin.
 * @type {Array<[name: string, args: string[], stdin: string]>}
 */
const PROGRAMS = [
  ['abi_edges', [], ''], ['args_env', ['a', 'b c', 'ünï'], ''], ['cli_exit', ['3'], ''], ['cli_trap', [], ''],
  ['clock', [], ''], ['fd_io', [], ''], ['fd_readdir', [], ''], ['fd_renumber', [], ''], ['fd_rights', [], ''],
  ['fd_stat', [], ''], ['path_ops', [], ''], ['poll', [], ''], ['prestat', [], ''], ['proc', [], ''],
  ['random', [], ''], ['sandbox_escape', [], ''], ['sandbox_inside', [], ''], ['sandbox_paths', [], ''],
  ['selftest_fail', [], ''], ['stat_cache', [], ''], ['stdio', [], 'some input\n'], ['stdio_order', [], ''],
  ['symlinks', [], ''], ['trace_demo', [], ''],
];

/**
 * Record `name` on a populated host sandbox, replay it from an empty directory on another path.
 * @param {string} wasm @param {string[]} args @param {string} stdin
 */
async function recordAndReplay(wasm, args, stdin) {
  const work = tempDir('tswasi-rec-');
  const sandbox = path.join(work, 'sandbox');
  fs.mkdirSync(sandbox);
  populate(fs, sandbox, FILES);
  const file = path.join(work, 'run.rec');
  const env = { ...process.env, TSWASI_RECORD_TEST: '1' };
  const run = await runCli(['run', '--record', file, '--dir', `${sandbox}::/sandbox`, '--env', 'GREETING=hi', wasm, ...args], { input: stdin, cwd: work, env, stdoutEncoding: 'latin1' });
  // Elsewhere, with nothing: not the sandbox, not the module file, not the recording's directory.
  const elsewhere = tempDir('tswasi-replay-');
  fs.copyFileSync(file, path.join(elsewhere, 'copy.rec'));
  fs.rmSync(work, { recursive: true, force: true });
  const replay = await runCli(['replay', 'copy.rec'], { cwd: elsewhere, stdoutEncoding: 'latin1' });
  return { run, replay, rec: path.join(elsewhere, 'copy.rec') };
}

for (const [name, args, stdin] of PROGRAMS) {
  test(`record on the host, replay in an empty directory: ${name}`, async (t) => {
    const wasm = compileC(name);
    if (!wasm) return t.skip('no toolchain');
    const { run, replay } = await recordAndReplay(wasm, args, stdin);
    assert.equal(replay.stdout, run.stdout);
    assert.equal(replay.stderr, run.stderr);
    assert.equal(replay.code, run.code, replay.stderr);
  });
}

test('a recording keeps no host path and no variable the guest was not given', async (t) => {
  const wasm = compileC('fd_io');
  if (!wasm) return t.skip('no toolchain');
  const work = tempDir('tswasi-rec-private-');
  const file = path.join(work, 'run.rec');
  const r = await runCli(['run', '--record', file, '--dir', `${work}::/sandbox`, wasm], { cwd: work, env: { ...process.env, SECRET_HOST_VAR: 'hunter2' } });
  assert.equal(r.code, 0, r.stderr);
  const rec = parseRecording(fs.readFileSync(file));
  assert.deepEqual(rec.header.preopens, ['/sandbox']);
  assert.deepEqual(rec.header.env, []);
  assert.deepEqual(rec.header.args, ['fd_io.wasm']);
  const text = Buffer.from(JSON.stringify(rec.header) + rec.calls.map((c) => c.inputs.map((b) => Buffer.from(b).toString('latin1')).join('')).join('')).toString();
  assert.ok(!text.includes(work), 'the host path of the preopen');
  assert.ok(!text.includes('hunter2'));
  assert.equal(rec.end?.exitCode, 0);
  assert.equal(rec.truncated, undefined);
});

test('a different module stops replay at the first divergent call: one line, non-zero', async (t) => {
  const a = compileC('fd_io');
  const b = compileC('fd_stat');
  if (!a || !b) return t.skip('no toolchain');
  const { run, rec } = await recordAndReplay(a, [], '');
  assert.equal(run.code, 0, run.stderr);
  const r = await runCli(['replay', rec, '--module', b]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: replay diverged at call #\d+: recorded \w+\(.*\), the guest called \w+\(.*\) \(.* is not the recorded module\)\n$/);
  assert.equal(r.stdout, '');
  // The same module given explicitly replays as the embedded one.
  const same = await runCli(['replay', rec, '--module', a], { stdoutEncoding: 'latin1' });
  assert.equal(same.code, 0, same.stderr);
  assert.equal(same.stdout, run.stdout);
});

test('a guest that behaves differently diverges; an exit code that differs is reported at the end', async (t) => {
  const wasm = compileC('args_env');
  if (!wasm) return t.skip('no toolchain');
  const exit3 = compileC('cli_exit');
  if (!exit3) return t.skip('no toolchain');
  const { rec } = await recordAndReplay(exit3, ['3'], '');
  const r = await runCli(['replay', rec, '--module', wasm]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  assert.match(r.stderr, /^error: replay diverged at /);
});

test('truncated, corrupt, tampered or foreign recordings: one clear line, never a crash', async (t) => {
  const wasm = compileC('fd_io');
  if (!wasm) return t.skip('no toolchain');
  const { run, rec } = await recordAndReplay(wasm, [], '');
  assert.equal(run.code, 0);
  const whole = fs.readFileSync(rec);
  const dir = tempDir('tswasi-bad-rec-');
  /** @param {string} name @param {Uint8Array} bytes */
  const write = (name, bytes) => { const p = path.join(dir, name); fs.writeFileSync(p, bytes); return p; };
  // The module's block ends where the second gzip member begins.
  let second = -1;
  for (let i = 10; i < whole.length - 2; i++) if (whole[i] === 0x1f && whole[i + 1] === 0x8b && whole[i + 2] === 8) { second = i; break; }
  assert.ok(second > 0);
  const flipped = Buffer.from(whole);
  flipped[Math.floor(second / 2)] ^= 0x5a;
  /** @type {Array<[string, string, RegExp]>} */
  const cases = [
    ['empty', write('empty.rec', new Uint8Array(0)), /^error: recording .* is not a tswasi recording \(not gzip data\)$/],
    ['not a recording', write('text.rec', Buffer.from('hello\n')), /is not a tswasi recording/],
    ['gzip, not a recording', write('gz.rec', (await import('node:zlib')).gzipSync('hello world')), /is not a tswasi recording \(no TSWREC magic\)/],
    ['cut in the module', write('cut.rec', whole.subarray(0, Math.floor(second / 2))), /is truncated before the module$/],
    ['a flipped byte', write('flip.rec', flipped), /is corrupt \(/],
    ['a missing file', path.join(dir, 'none.rec'), /cannot be read \(no such file\)$/],
  ];
  for (const [what, file, want] of cases) {
    const r = await runCli(['replay', file]);
    assert.equal(r.code, 1, `${what}: ${r.stderr}`);
    assert.equal(r.stdout, '', what);
    assert.equal(r.stderr.split('\n').length, 2, `${what}: one line: ${r.stderr}`);
    assert.match(r.stderr.trimEnd(), want, what);
    // `replay FILE` alone is read without yargs (src/cli/main.ts); with --module it goes through yargs: the same line.
    const viaYargs = await runCli(['replay', file, '--module', wasm]);
    assert.deepEqual([viaYargs.code, viaYargs.stdout, viaYargs.stderr], [r.code, r.stdout, r.stderr], what);
  }
  // Cut after some calls (a run killed mid-way): the prefix replays, then one line says where it stops.
  const cut = write('prefix.rec', whole.subarray(0, second + Math.floor((whole.length - second) / 2)));
  const r = await runCli(['replay', cut]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\nerror: the recording stops after call #\d+: it ends in the middle of a record; the guest went on with \w+\(.*\)\n$|^error: the recording stops after call #\d+: .*\n$/);
});

/**
 * The records of a decompressed recording from its first CALL: [tag, start, payload start, end].
 * @param {Uint8Array} raw
 */
function records(raw) {
  /** @type {Array<[number, number, number, number]>} */
  const out = [];
  let i = 8; // the magic
  while (i < raw.length) {
    const start = i;
    const tag = raw[i++] ?? 0;
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      const b = raw[i++] ?? 0;
      len += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    out.push([tag, start, i, i + len]);
    i += len;
  }
  return out;
}

/**
 * The calls the REPEAT records among `recs` stand for: each payload is the
 * function index, then the number of calls when more than one.
 * @param {Uint8Array} raw
 * @param {Array<[number, number, number, number]>} recs
 */
function repeatedCalls(raw, recs) {
  let n = 0;
  for (const [tag, , from, end] of recs) {
    if (tag !== 5) continue;
    let i = afterIndex(raw, from);
    let times = 0;
    for (let shift = 0; i < end; shift += 7) {
      const b = raw[i++] ?? 0;
      times += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    assert.equal(i, end, 'a REPEAT holds an index and at most a count');
    n += i === from + 1 ? 1 : times;
  }
  return n;
}

/**
 * The calls the NEXT records among `recs` stand for: each payload is the
 * function index, then one varint difference per call (a NEXT, 6), or the
 * count of calls (a packed NEXT, 7: src/record/packed-next.ts).
 * @param {Uint8Array} raw
 * @param {Array<[number, number, number, number]>} recs
 */
function nextCalls(raw, recs) {
  let n = 0;
  for (const [tag, , from, end] of recs) {
    if (tag === 6) for (let i = afterIndex(raw, from); i < end; i++) n += (raw[i] ?? 0) < 0x80 ? 1 : 0;
    if (tag === 7) n += readVarint(raw, afterIndex(raw, from));
  }
  return n;
}

/** The unsigned varint at `at`. @param {Uint8Array} raw @param {number} at */
function readVarint(raw, at) {
  let n = 0;
  for (let scale = 1; ; scale *= 0x80) {
    const b = raw[at++] ?? 0;
    n += (b & 0x7f) * scale;
    if (b < 0x80) return n;
  }
}

/** Where a REPEAT's or NEXT's payload at `from` goes on after its function index (a varint). @param {Uint8Array} raw @param {number} from */
function afterIndex(raw, from) {
  let i = from;
  while ((raw[i++] ?? 0) >= 0x80) { /* the function index */ }
  return i;
}

test('a call repeated byte for byte is recorded as a REPEAT of its function\'s last call; replay gives the same; a REPEAT of a call never made is corrupt', async (t) => {
  const wasm = compileC('repeat_writes');
  if (!wasm) return t.skip('no toolchain');
  const { run, replay, rec } = await recordAndReplay(wasm, [], '');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(replay.stdout, run.stdout);
  assert.equal(replay.code, 0, replay.stderr);
  const zlib = await import('node:zlib');
  const raw = zlib.gunzipSync(fs.readFileSync(rec));
  const recs = records(raw);
  const CALL = 3, REPEAT = 5;
  // 1000 writes: the first a CALL, the other 999 REPEATs of it; the
  // 200-byte line, 399 REPEATs, its last CALL kept across the blocks the random_get records fill.
  const repeats = repeatedCalls(raw, recs);
  assert.ok(repeats >= 999 + 399, `${repeats} calls in REPEAT records`);
  // Calls repeated in a row are one REPEAT record with their count: the 999 writes are one.
  const runs = recs.filter(([tag]) => tag === REPEAT);
  assert.ok(runs.length < 420, `${runs.length} REPEAT records`);
  assert.ok(runs.some(([, , from, end]) => end - from === 3 && raw[from + 1] === (999 & 0x7f | 0x80) && raw[from + 2] === 999 >> 7), 'a run of 999');
  // The 400 random_gets are CALLs; the clock's calls, a new time each, are one NEXT of 99 differences after its first CALL.
  assert.ok(recs.filter(([tag]) => tag === CALL).length >= 400);
  assert.equal(nextCalls(raw, recs), 99);
  assert.ok(raw.length > 2 * 65536, 'several blocks');
  const decoded = parseRecording(fs.readFileSync(rec));
  assert.equal(decoded.calls.filter((/** @type {{ name: string }} */ c) => c.name === 'fd_write').length, 1000 + 400 + 1);
  // Tampered: the first REPEAT names a function the run never called.
  const header = JSON.parse(Buffer.from(raw.subarray(recs[0]?.[2], recs[0]?.[3])).toString('utf8'));
  const never = header.functions.indexOf('sock_accept');
  assert.ok(never > 0 && never < 0x80);
  const first = recs.find(([tag]) => tag === REPEAT);
  assert.ok(first);
  const bad = Buffer.from(raw);
  bad[first[2]] = never;
  const file = path.join(tempDir('tswasi-bad-rep-'), 'bad.rec');
  fs.writeFileSync(file, zlib.gzipSync(bad));
  const r = await runCli(['replay', file]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /error: the recording is corrupt at call #\d+ \(it repeats a call never made\)\n$/);
});

test('a call that differed for long is found repeating again: after 300 different writes (compared on every 64th call only) with clock calls between, 2000 identical writes are REPEATs; replay gives the same', async (t) => {
  const wasm = compileC('repeat_resume');
  if (!wasm) return t.skip('no toolchain');
  const { run, replay, rec } = await recordAndReplay(wasm, [], '');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, Array.from({ length: 300 }, (_, i) => `${String(i).padStart(3, '0')}\n`).join('') + 'same\n'.repeat(2000));
  assert.equal(replay.stdout, run.stdout);
  assert.equal(replay.code, 0, replay.stderr);
  const zlib = await import('node:zlib');
  const raw = zlib.gunzipSync(fs.readFileSync(rec));
  const repeats = repeatedCalls(raw, records(raw));
  // Found within a few windows of 64 calls; the clock calls between hardly ever repeat.
  assert.ok(repeats >= 1800 && repeats <= 2010, `${repeats} calls in REPEAT records`);
});

test('calls repeated in a row are REPEAT records of at most 4096 calls; a count out of range is corrupt; a version 2 recording still replays', async (t) => {
  const wasm = compileC('repeat_long');
  if (!wasm) return t.skip('no toolchain');
  const { run, replay, rec } = await recordAndReplay(wasm, [], '');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'x\n'.repeat(10000) + 'y\n'.repeat(10));
  assert.equal(replay.stdout, run.stdout);
  assert.equal(replay.code, 0, replay.stderr);
  const zlib = await import('node:zlib');
  const raw = zlib.gunzipSync(fs.readFileSync(rec));
  const recs = records(raw);
  // The 9999 repeated x lines: 4096 + 4096 + 1807; the 9 repeated y lines: one record.
  const counts = recs.filter(([tag]) => tag === 5).map(([, , from, end]) => repeatedCalls(raw, [[5, 0, from, end]]));
  assert.deepEqual(counts, [4096, 4096, 1807, 9]);
  assert.equal(parseRecording(fs.readFileSync(rec)).calls.filter((/** @type {{ name: string }} */ c) => c.name === 'fd_write').length, 10010);
  const dir = tempDir('tswasi-bad-run-');
  const first = recs.find(([tag]) => tag === 5);
  assert.ok(first);
  /** @param {string} name @param {(b: Buffer) => void} change */
  const tampered = (name, change) => {
    const b = Buffer.from(raw);
    change(b);
    const file = path.join(dir, name);
    fs.writeFileSync(file, zlib.gzipSync(b));
    return file;
  };
  // 4096 is 0x80 0x20 after the function index: 4097, and a count of 1 (0x81 0x00), are corrupt.
  for (const [name, lo, hi, times] of [['more.rec', 0x81, 0x20, 4097], ['one.rec', 0x81, 0x00, 1]]) {
    const file = tampered(String(name), (b) => { b[first[2] + 1] = Number(lo); b[first[2] + 2] = Number(hi); });
    const r = await runCli(['replay', file]);
    assert.equal(r.code, 1, String(name));
    assert.match(r.stderr, new RegExp(`^error: [^\n]* is corrupt \\(call #\\d+ repeats ${times} times\\)\n$`), String(name));
  }
  // Version 2, whose REPEAT records have no count: a recording of a run without repeats in a row (nor NEXTs) reads as before.
  const fdRights = compileC('fd_rights');
  assert.ok(fdRights);
  const hello = await recordAndReplay(fdRights, [], '');
  const v2raw = zlib.gunzipSync(fs.readFileSync(hello.rec));
  assert.equal(v2raw[7], 5);
  assert.ok(records(v2raw).every(([tag, , from, end]) => tag !== 5 || end - from === 1), 'no counted REPEAT');
  assert.ok(records(v2raw).every(([tag]) => tag !== 6 && tag !== 7), 'no NEXT');
  const v2 = Buffer.from(v2raw.toString('latin1').replace('"version":5', '"version":2'), 'latin1');
  v2[7] = 2;
  const v2file = path.join(dir, 'v2.rec');
  fs.writeFileSync(v2file, zlib.gzipSync(v2));
  const r2 = await runCli(['replay', v2file], { stdoutEncoding: 'latin1' });
  assert.equal(r2.code, hello.run.code, r2.stderr);
  assert.equal(r2.stdout, hello.run.stdout);
});

test('a call with its function\'s last arguments is a REPEAT only when its inputs, errno and results are the last ones too: changed bytes, results, a path input, a pointer memory grew to, an errno', async (t) => {
  const wasm = compileC('repeat_edges');
  if (!wasm) return t.skip('no toolchain');
  const { run, replay, rec } = await recordAndReplay(wasm, [], '');
  assert.equal(run.code, 0, run.stderr);
  const letters = [...'abcdefghijklmnopqrstuvwxyz'].map((c) => `${c}\n`).join('');
  // 20 writes of 10 bytes: offsets and sizes 10, 20, …, 200; EFAULT is 21.
  assert.equal(run.stderr, '=\n');
  assert.equal(run.stdout, `${letters}=\noffsets 2100 sizes 2100\npast memory: 21 21, after grow: 0 200\nsets 0\nclose: 0, again: 8\n`);
  assert.equal(replay.stderr, run.stderr);
  assert.equal(replay.stdout, run.stdout);
  assert.equal(replay.code, 0);
  const zlib = await import('node:zlib');
  const recs = records(zlib.gunzipSync(fs.readFileSync(rec)));
  // 19 of the 20 file writes (the same bytes) are REPEATs; the seeks after each write (a new offset
  // each) and 49 of the 50 identical seeks are NEXTs; the writes of changing bytes, the EFAULTs and
  // the stats of the growing file are neither (the replay above would differ).
  const raw = zlib.gunzipSync(fs.readFileSync(rec));
  const repeats = repeatedCalls(raw, recs);
  assert.ok(repeats >= 19 && repeats < 22, `${repeats} calls in REPEAT records`);
  const nexts = nextCalls(raw, recs);
  assert.ok(nexts >= 19 + 49 && nexts < 72, `${nexts} calls in NEXT records`);
});

test('a write loop answered from the kept copy of its last repeating call: REPEATs while arguments and bytes stay, CALLs when the bytes, an argument or the errno change', async (t) => {
  const wasm = compileC('repeat_cached');
  if (!wasm) return t.skip('no toolchain');
  const { run, replay, rec } = await recordAndReplay(wasm, [], '');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'written 75, EBADF 5\nok\n');
  assert.equal(replay.stdout, run.stdout);
  assert.equal(replay.code, 0, replay.stderr);
  const zlib = await import('node:zlib');
  const raw = zlib.gunzipSync(fs.readFileSync(rec));
  // 9 + 5 (another buffer, the same bytes) + 4 (changed bytes: a CALL, then REPEATs) + 4 (two iovecs:
  // another argument) + 4 (EBADF: the errno differs after the call, a CALL, then REPEATs).
  assert.equal(repeatedCalls(raw, records(raw)), 26);
  // The file's writes (not stdout's): 25 succeeded, then 5 EBADF.
  const writes = parseRecording(fs.readFileSync(rec)).calls.filter((c) => c.name === 'fd_write' && c.args[0] !== 1);
  assert.deepEqual(writes.map((c) => c.ret), [...Array(25).fill(0), 8, 8, 8, 8, 8]);
});

test('replay gathers stdout into few writes and keeps its order with stderr: both into one file, as recorded', async (t) => {
  const wasm = compileC('stdio_order');
  if (!wasm) return t.skip('no toolchain');
  const { spawnSync } = await import('node:child_process');
  const dir = tempDir('tswasi-rec-order-');
  const rec = path.join(dir, 'run.rec');
  /** `tswasi ARGS` with stdout and stderr on one file (as `2>&1`): what it holds. @param {string[]} args */
  const merged = (args) => {
    const file = path.join(dir, 'out');
    const fd = fs.openSync(file, 'w');
    try {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/cli/tswasi.cjs'), ...args], { stdio: ['ignore', fd, fd] });
      assert.equal(r.status, 0);
    } finally {
      fs.closeSync(fd);
    }
    return fs.readFileSync(file, 'utf8');
  };
  const expected = ('o'.repeat(100) + 'E').repeat(10) + '\nbefore-sleep\nafter-sleep\n';
  assert.equal(merged(['run', '--record', rec, wasm]), expected);
  assert.equal(merged(['replay', rec]), expected);
});

test('a call with its last arguments storing a new value (a clock, a seek) is a difference in a NEXT record, packed for a clock; replay gives every value exactly; a bad NEXT or packed NEXT is corrupt', async (t) => {
  const wasm = compileC('next_values');
  if (!wasm) return t.skip('no toolchain');
  const { run, replay, rec } = await recordAndReplay(wasm, [], '');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^[0-9a-f]{16}\nok\n$/);
  // The hash of every value received: the realtime clock's (above 2^53), the offsets.
  assert.equal(replay.stdout, run.stdout);
  assert.equal(replay.code, 0, replay.stderr);
  const zlib = await import('node:zlib');
  const raw = zlib.gunzipSync(fs.readFileSync(rec));
  assert.equal(raw[7], 5);
  const recs = records(raw);
  const NEXT = 6, PACKED = 7;
  // A NEXT follows its function's last CALL, with its arguments: 4999 realtime clock calls (at most
  // 4096 to a record); 4999 monotonic ones and the first of the pairs; none of the pairs after (each
  // call's clock differs from the last CALL's: a CALL); 99 after the failing call; 2999 seeks by 7,
  // 49 tells, 2 seeks by 2^40; none of the seeks after a failing one. The clock's are packed
  // (the trampoline's shortcut took them), the seeks' not.
  const nexts = recs.filter(([tag]) => tag === NEXT || tag === PACKED);
  assert.deepEqual(nexts.map((r) => nextCalls(raw, [r])), [4096, 903, 4096, 904, 99, 2999, 49, 2]);
  assert.deepEqual(nexts.map(([tag]) => tag), [PACKED, PACKED, PACKED, PACKED, PACKED, NEXT, NEXT, NEXT]);
  const decoded = parseRecording(fs.readFileSync(rec));
  assert.equal(decoded.calls.filter((/** @type {{ name: string }} */ c) => c.name === 'clock_time_get').length, 5000 + 5000 + 6000 + 1 + 100);
  const seeks = decoded.calls.filter((/** @type {{ name: string, ret: number }} */ c) => c.name === 'fd_seek' && c.ret === 0);
  // The decoded offsets: 7, 14, … then 2^40 steps.
  assert.deepEqual(seeks.slice(0, 3).map((/** @type {{ writes: Array<{ data: Uint8Array }> }} */ c) => Buffer.from(c.writes[0]?.data ?? []).readBigUInt64LE()), [7n, 14n, 21n]);
  assert.equal(Buffer.from(seeks[3002].writes[0].data).readBigUInt64LE(), 21000n + 3n * 2n ** 40n);
  // Tampered NEXT records: no difference, one naming a function never called, a difference too long;
  // packed ones: no calls, too many, differences that overrun the record or stop short of its end,
  // a last half byte not 0, an escaped difference out of range.
  const first = recs.find(([tag]) => tag === NEXT);
  const packed = recs.find(([tag]) => tag === PACKED);
  assert.ok(first && packed);
  const header = JSON.parse(Buffer.from(raw.subarray(recs[0]?.[2], recs[0]?.[3])).toString('utf8'));
  const never = header.functions.indexOf('clock_res_get');
  assert.ok(never > 0 && never < 0x80);
  const dir = tempDir('tswasi-bad-next-');
  /** @param {string} name @param {(b: Buffer) => Buffer} change */
  const tampered = (name, change) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, zlib.gzipSync(change(Buffer.from(raw))));
    return file;
  };
  const [, at, from] = first;
  const cases = [
    // Length 1: the function index alone.
    ['empty.rec', (/** @type {Buffer} */ b) => Buffer.concat([b.subarray(0, at), Buffer.from([NEXT, 1, b[from] ?? 0]), b.subarray(first[3])]), /is corrupt \(call #\d+ is a NEXT of no calls\)/],
    ['never.rec', (/** @type {Buffer} */ b) => { b[from] = never; return b; }, /the recording is corrupt at call #\d+ \(it continues a call never made\)/],
    ['long.rec', (/** @type {Buffer} */ b) => Buffer.concat([b.subarray(0, at), Buffer.from([NEXT, 11, b[from] ?? 0, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01]), b.subarray(first[3])]), /the recording is corrupt at call #\d+ \(a difference out of range\)/],
  ];
  /** The packed NEXT replaced by one of `payload` (its function index first). @param {number[]} payload */
  const packedAs = (payload) => (/** @type {Buffer} */ b) => Buffer.concat([b.subarray(0, packed[1]), Buffer.from([PACKED, payload.length, ...payload]), b.subarray(packed[3])]);
  const clock = raw[packed[2]] ?? 0;
  cases.push(
    ['packed-none.rec', packedAs([clock, 0]), /is corrupt \(call #\d+ is a NEXT of no calls\)/],
    ['packed-many.rec', packedAs([clock, 0x81, 0x20, 0x00]), /is corrupt \(call #\d+ is a NEXT of 4097 calls\)/],
    // Three calls, two nibbles: slot 0 twice (a difference of 0), then nothing.
    ['packed-short.rec', packedAs([clock, 3, 0x00]), /the recording is corrupt at call #\d+ \(packed differences that overrun their record\)/],
    ['packed-more.rec', packedAs([clock, 1, 0x00, 0x00]), /the recording is corrupt at call #\d+ \(a packed record with bytes after its differences\)/],
    ['packed-pad.rec', packedAs([clock, 1, 0x10]), /the recording is corrupt at call #\d+ \(a packed record whose last half byte is not 0\)/],
    // An escape (15) and 19 groups of 3 bits: past 2^53.
    ['packed-far.rec', packedAs([clock, 1, 0xff, ...Array(9).fill(0xff), 0x00]), /the recording is corrupt at call #\d+ \(a difference out of range\)/],
  );
  for (const [name, change, expected] of cases) {
    const r = await runCli(['replay', tampered(String(name), /** @type {(b: Buffer) => Buffer} */ (change))]);
    assert.equal(r.code, 1, String(name));
    assert.match(r.stderr, /** @type {RegExp} */ (expected), String(name));
    assert.equal(r.stderr.split('\n').length, 2, `${name}: one line: ${r.stderr}`);
  }
});

test('NEXT differences: values that jump by more than 2^52 or wrap are CALLs, the rest differences, each replayed exactly (a clock set back and forth)', async () => {
  const { GuestMemory } = await import('../dist/wasi/memory.js');
  const TWO52 = 2n ** 52n;
  const BASE = 1_800_000_000_000_000_000n;
  const values = [BASE, BASE + 5n, BASE + 2n, BASE + 2n, BASE + 2n + TWO52, BASE + 3n + TWO52 * 2n, 2n ** 64n - 1n, 0n, 1n, TWO52 + 1n, 1n, 7n];
  /** The guest: memory, and clock_time_get(REALTIME, 1, 24) called once per value. */
  const guest = () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const mem = new GuestMemory();
    mem.attach(memory);
    return { memory, ctx: /** @type {never} */ ({ mem, fds: {} }) };
  };
  /** @type {Buffer[]} */
  const chunks = [];
  const writer = new RecordingWriter((/** @type {Uint8Array} */ c) => { chunks.push(Buffer.from(c)); });
  const recorder = new Recorder(writer, { module: new Uint8Array(8), moduleSha256: 'x', args: [], env: [], preopens: [] });
  /** clock_time_get as the guest calls it. @typedef {(id: number, precision: bigint, ptr: number) => number} ClockCall */
  const asClock = (/** @type {unknown} */ f) => /** @type {ClockCall} */ (f);
  const g = guest();
  let next = 0;
  // The host's clock: the next value, stored as the WASI clock stores it.
  const clock = /** @type {never} */ ((/** @type {number} */ _id, /** @type {bigint} */ _precision, /** @type {number} */ ptr) => {
    new DataView(g.memory.buffer).setBigUint64(ptr, values[next++] ?? 0n, true);
    return 0;
  });
  const recorded = asClock(recorder.wrap('clock_time_get', clock, g.ctx));
  const seen = values.map(() => { recorded(0, 1n, 24); return new DataView(g.memory.buffer).getBigUint64(24, true); });
  assert.deepEqual(seen, values);
  recorder.end({ exitCode: 0 });
  const file = Buffer.concat(chunks);
  const zlib = await import('node:zlib');
  const raw = zlib.gunzipSync(file);
  // Differences within ±2^52 (+5, -3, 0, +2^52; +1, +2^52, -2^52, +6) are NEXTs; the first call, the jumps beyond and the wraps are CALLs.
  assert.equal(nextCalls(raw, records(raw)), 8);
  assert.equal(records(raw).filter(([tag]) => tag === 3).length, 4);
  const r = new Replayer(parseRecording(file), { write() {}, flush() {} });
  const h = guest();
  const replayed = asClock(r.wrap('clock_time_get', /** @type {never} */ (() => 0), h.ctx));
  const again = values.map(() => { assert.equal(replayed(0, 1n, 24), 0); return new DataView(h.memory.buffer).getBigUint64(24, true); });
  assert.deepEqual(again, values);
  assert.equal(r.finish(0, undefined), undefined);
  // A guest asking with another precision diverges at that call, even inside a NEXT.
  const d = new Replayer(parseRecording(file), { write() {}, flush() {} });
  const dg = guest();
  const dr = asClock(d.wrap('clock_time_get', /** @type {never} */ (() => 0), dg.ctx));
  dr(0, 1n, 24);
  dr(0, 1n, 24);
  assert.throws(() => dr(0, 2n, 24), /replay diverged at call #3: recorded clock_time_get\(id=0, precision=1, time=0x18\), the guest called clock_time_get\(id=0, precision=2, time=0x18\)/);
});

test('property: random call sequences (the fuzzer\'s) replay to the same results and guest memory', async () => {
  const mod = /** @type {WebAssembly.Module} */ (await prepare());
  const w = await fuzzWorld('mem');
  const wasmCmd = commandArb.map((c) => ({ ...c, mode: /** @type {const} */ ('wasm') }));
  let runs = 0;
  fc.assert(fc.property(fc.integer(), fc.array(wasmCmd, { maxLength: 60 }), (memSeed, cmds) => {
    if (++runs % 20 === 0) replant(w);
    /** @type {Uint8Array[]} */
    const chunks = [];
    const writer = new RecordingWriter((c) => { chunks.push(Buffer.from(c)); });
    const recorder = new Recorder(writer, { module: new Uint8Array(8), moduleSha256: 'x', args: ['fuzz', 'a'], env: ['A=1'], preopens: ['/sandbox'] });
    const sink = { write() {} };
    /** @param {import('../dist/wasi/index.js').WASIOptions} options */
    const session = (options) => {
      const wasi = new WASI({ version: 'preview1', stdout: sink, stderr: sink, ...options });
      const inst = new WebAssembly.Instance(mod, wasi.getImportObject());
      wasi.attach(inst);
      const memory = /** @type {WebAssembly.Memory} */ (inst.exports.memory);
      resetMemory(memory, memSeed);
      const seen = cmds.map((cmd) => {
        const o = execute(/** @type {never} */ ({ wasi, inst, raw: {}, memory, sink }), cmd);
        return { outcome: o.outcome, detail: o.detail, memory: createHash('sha1').update(new Uint8Array(memory.buffer)).digest('hex') };
      });
      wasi.close();
      return seen;
    };
    const recorded = session({ args: ['fuzz', 'a'], env: { A: '1' }, preopens: { '/sandbox': w.preopen }, stdin: 'stdin data\n', wrapImport: recorder.wrap });
    recorder.end({ exitCode: 0 });
    const rec = parseRecording(Buffer.concat(chunks));
    assert.equal(rec.calls.length, recorder.calls);
    const replayer = new Replayer(rec, { write() {}, flush() {} });
    const replayed = session({ wrapImport: replayer.wrap });
    assert.equal(replayer.finish(0, undefined), undefined);
    assert.equal(replayed.length, recorded.length);
    for (let i = 0; i < recorded.length; i++) assert.deepEqual(replayed[i], recorded[i], `call ${i + 1}: ${cmds[i]?.name}`);
  }), { numRuns: 40, seed: 20261205 });
});

/**
 * A guest reading the clock 12,000 times, exactly as given: precision `switchPrecision`'s
 * call on a precision above 2^32, the pointer moving to another aligned place, to a
 * 4-aligned and a 2-aligned one, memory grown mid-way, a write every 1000 calls and a
 * realtime read every 3000 between. Its stdout: the x's, then the fold of every value read.
 * @param {number} switchPrecision
 */
function clockLoop(switchPrecision) {
  return compileWat(`(module
 (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
 (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (memory (export "memory") 1)
 (data (i32.const 16) "x")
 (global $fold (mut i64) (i64.const 0))
 (func $read (param $id i32) (param $prec i64) (param $ptr i32)
  (if (call $clock_time_get (local.get $id) (local.get $prec) (local.get $ptr)) (then unreachable))
  (global.set $fold (i64.add (i64.mul (global.get $fold) (i64.const 31)) (i64.load (local.get $ptr)))))
 (func $write (param $ptr i32) (param $len i32)
  (i32.store (i32.const 0) (local.get $ptr)) (i32.store (i32.const 4) (local.get $len))
  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
 (func (export "_start") (local $i i32)
  (loop $l
   (if (i32.eq (local.get $i) (i32.const 5000)) (then (drop (memory.grow (i32.const 1)))))
   (if (i32.eq (i32.rem_u (local.get $i) (i32.const 1000)) (i32.const 999)) (then (call $write (i32.const 16) (i32.const 1))))
   (if (i32.eq (i32.rem_u (local.get $i) (i32.const 3000)) (i32.const 1500)) (then (call $read (i32.const 0) (i64.const 1) (i32.const 64))))
   (call $read (i32.const 1)
    (select (i64.const 1) (i64.const 0x100000001) (i32.lt_u (local.get $i) (i32.const ${switchPrecision})))
    (select (i32.const 64) (select (i32.const 128) (select (i32.const 132) (i32.const 130) (i32.lt_u (local.get $i) (i32.const 10000))) (i32.lt_u (local.get $i) (i32.const 9000))) (i32.lt_u (local.get $i) (i32.const 8000))))
   (local.set $i (i32.add (local.get $i) (i32.const 1)))
   (br_if $l (i32.lt_u (local.get $i) (i32.const 12000))))
  (i64.store (i32.const 200) (global.get $fold))
  (call $write (i32.const 200) (i32.const 8))))`);
}

test('clock reads in a loop (the trampoline\'s shortcut, recording and replaying): every call recorded with its arguments as given, replayed exactly; a changed precision diverges at its call', async () => {
  const dir = tempDir('tswasi-rec-clock-');
  const wasm = path.join(dir, 'clock.wasm');
  fs.writeFileSync(wasm, await clockLoop(6000));
  const other = path.join(dir, 'other.wasm');
  fs.writeFileSync(other, await clockLoop(5999));
  const rec = path.join(dir, 'run.rec');
  const run = await runCli(['run', '--record', rec, wasm], { stdoutEncoding: 'latin1' });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.length, 12 + 8);
  const calls = parseRecording(fs.readFileSync(rec)).calls.filter((/** @type {{ name: string }} */ c) => c.name === 'clock_time_get');
  assert.equal(calls.length, 12000 + 4);
  // The realtime reads come before the 1500th, 4500th, … monotonic read.
  const mono = calls.filter((/** @type {{ args: unknown[] }} */ c) => c.args[0] === 1);
  assert.equal(mono.length, 12000);
  const expected = (/** @type {number} */ i) => [1, i < 6000 ? 1n : 0x100000001n, i < 8000 ? 64 : i < 9000 ? 128 : i < 10000 ? 132 : 130];
  for (let i = 0; i < 12000; i++) assert.deepEqual(mono[i].args, expected(i), `call ${i}`);
  // Each value is the one after the last: the monotonic clock never goes back.
  const values = mono.map((/** @type {{ writes: Array<{ data: Uint8Array }> }} */ c) => Buffer.from(c.writes[0]?.data ?? []).readBigUInt64LE());
  for (let i = 1; i < values.length; i++) assert.ok(values[i] >= values[i - 1], `value ${i}`);
  const replay = await runCli(['replay', rec], { stdoutEncoding: 'latin1' });
  assert.deepEqual([replay.code, replay.stdout, replay.stderr], [0, run.stdout, '']);
  // The same loop with its precision changing one read earlier, in the middle of a run of
  // reads replay answers through the shortcut, departs from the recording at monotonic read
  // 5999 (0-based), call #6008: 6 writes (one in the same turn) and 2 realtime reads came before it.
  const diverged = await runCli(['replay', rec, '--module', other]);
  assert.equal(diverged.code, 1);
  assert.match(diverged.stderr, /^error: replay diverged at call #6008: recorded clock_time_get\(id=1, precision=1, time=0x40\), the guest called clock_time_get\(id=1, precision=4294967297, time=0x40\) /);
});

test('the clock shortcut\'s two ways to take a value (the clock wasi reads itself, or a wrapper\'s stored value read back): steps back, jumps past 2^13 and past 2^52, a full ring, memory grown; every value recorded and replayed exactly', async () => {
  const N = 10000;
  // Mostly small steps forward (the ring's common case); every 97th 9000 ns (past 2^13), every
  // 331st 3 ns back, every 1000th past 2^52 and every 1000th after the first back 2^52 (a CALL
  // each: too far for a packed record), starting near a 32-bit boundary. Reads 4093–4099 jump
  // past 2^51 each, one after another: one of them is the first value of the ring's second
  // drain (calls 1–4096 fill the first), and the one after a CALL is a CALL again.
  /** @type {bigint[]} */
  const values = [];
  let v = 0xfffff000n;
  for (let i = 0; i < N; i++) {
    v += i % 1000 === 999 ? 2n ** 52n + 77n : i % 1000 === 499 && i > 1000 ? -(2n ** 52n) : i >= 4093 && i <= 4099 ? 2n ** 51n : i % 331 === 330 ? -3n : i % 97 === 96 ? 9000n : BigInt((i * 7919) % 8192);
    values.push(v);
  }
  const fold = values.reduce((f, x) => BigInt.asUintN(64, f * 31n + x), 0n);
  const wasm = await compileWat(`(module
 (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
 (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (memory (export "memory") 1)
 (global $fold (mut i64) (i64.const 0))
 (func (export "_start") (local $i i32)
  (loop $l
   (if (i32.eq (local.get $i) (i32.const 6000)) (then (drop (memory.grow (i32.const 1)))))
   (if (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 64)) (then unreachable))
   (global.set $fold (i64.add (i64.mul (global.get $fold) (i64.const 31)) (i64.load (i32.const 64))))
   (local.set $i (i32.add (local.get $i) (i32.const 1)))
   (br_if $l (i32.lt_u (local.get $i) (i32.const ${N}))))
  (i64.store (i32.const 200) (global.get $fold))
  (i32.store (i32.const 0) (i32.const 200)) (i32.store (i32.const 4) (i32.const 8))
  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);
  const mod = new WebAssembly.Module(wasm);
  /** Run the module; its stdout as a u64, and the calls that reached `wrapImport`'s functions. @param {Record<string, unknown>} options */
  const run = (options) => {
    /** @type {Buffer[]} */
    const out = [];
    const wasi = new WASI({ version: 'preview1', stdout: { write: (/** @type {Uint8Array} */ c) => { out.push(Buffer.from(c)); } }, returnOnExit: true, ...options });
    const inst = new WebAssembly.Instance(mod, wasi.getImportObject());
    wasi.start(inst);
    return out.length === 0 ? null : Buffer.concat(out).readBigUInt64LE();
  };
  for (const withNow of [true, false]) {
    let next = 0;
    /** The host's clock: the next value, stored as wasi's stores it; with `now`, read by the recorder itself too (each value read once either way). */
    const fake = (/** @type {number} */ _id, /** @type {bigint} */ _p, /** @type {number} */ ptr, /** @type {DataView} */ view) => { view.setBigUint64(ptr, values[next++] ?? 0n, true); return 0; };
    /** @type {Buffer[]} */
    const chunks = [];
    const recorder = new Recorder(new RecordingWriter((/** @type {Uint8Array} */ c) => { chunks.push(Buffer.from(c)); }), { module: new Uint8Array(8), moduleSha256: 'x', args: [], env: [], preopens: [] });
    /** @type {(name: string, fn: import('../dist/wasi/calls/context.js').WasiFunction, ctx: import('../dist/wasi/calls/context.js').CallContext) => import('../dist/wasi/calls/context.js').WasiFunction} */
    const wrapImport = (name, fn, ctx) => {
      if (name !== 'clock_time_get') return recorder.wrap(name, fn, ctx);
      const clock = (/** @type {number} */ id, /** @type {bigint} */ p, /** @type {number} */ ptr) => { ctx.mem.check(ptr, 8); return fake(id, p, ptr, ctx.mem.view); };
      return recorder.wrap(name, /** @type {never} */ (withNow ? Object.assign(clock, { now: () => values[next++] ?? 0n }) : clock), ctx);
    };
    const guestFold = run({ wrapImport });
    assert.equal(next, N);
    recorder.end({ exitCode: 0 });
    const rec = parseRecording(Buffer.concat(chunks));
    const got = rec.calls.filter((/** @type {{ name: string }} */ c) => c.name === 'clock_time_get')
      .map((/** @type {{ writes: Array<{ data: Uint8Array }> }} */ c) => Buffer.from(c.writes[0]?.data ?? []).readBigUInt64LE());
    assert.deepEqual(got, values, `withNow ${withNow}: every value recorded in order`);
    assert.equal(guestFold, fold, `withNow ${withNow}: the guest got every value`);
    /** @type {Buffer[]} */
    const replayedOut = [];
    const replayer = new Replayer(rec, { write: (/** @type {number} */ _s, /** @type {Uint8Array} */ b, /** @type {number} */ o, /** @type {number} */ n) => { replayedOut.push(Buffer.from(b.subarray(o, o + n))); }, flush() {} });
    run({ wrapImport: replayer.wrap });
    assert.equal(replayer.finish(0, undefined), undefined);
    assert.equal(Buffer.concat(replayedOut).readBigUInt64LE(), fold, `withNow ${withNow}: replayed`);
  }
});
