// @ts-check
// Record and replay through the API (docs/record-replay.md, "Embedding"):
// the WASI class's and the pool's `record` and `replay` options. A run
// recorded through either replays through either, and through `tswasi
// replay`, to the same stdout and exit code; a different module stops at
// its first divergent call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compileC, runCli, tempDir } from './helpers/wasm.mjs';
import { FILES, populate } from './helpers/fixtures.mjs';

const { WASI, ReplayStop, createPool } = await import('../dist/src/index.js');

/** A sink gathering what it is given. */
function sink() {
  /** @type {Buffer[]} */
  const chunks = [];
  return { write: (/** @type {Uint8Array} */ c) => { chunks.push(Buffer.from(c)); }, text: () => Buffer.concat(chunks).toString('latin1') };
}

/** A populated sandbox on the host, and a recording file's path beside it. */
function world() {
  const work = tempDir('tswasi-rec-api-');
  const sandbox = path.join(work, 'sandbox');
  fs.mkdirSync(sandbox);
  populate(fs, sandbox, FILES);
  return { work, sandbox, file: path.join(work, 'run.rec') };
}

/**
 * Run a command module with the WASI class; its stdout, stderr and exit code.
 * @param {Uint8Array} bytes @param {Record<string, unknown>} options
 */
function runWasi(bytes, options) {
  const out = sink();
  const err = sink();
  const wasi = new WASI({ version: 'preview1', stdout: out, stderr: err, ...options });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(/** @type {Uint8Array<ArrayBuffer>} */ (bytes)), wasi.getImportObject());
  const code = wasi.start(inst);
  return { code, stdout: out.text(), stderr: err.text(), wasi };
}

test('the WASI class records (record option) and replays (replay option) a run on the host filesystem', async (t) => {
  const wasm = compileC('fd_io');
  if (!wasm) return t.skip('no toolchain');
  const bytes = fs.readFileSync(wasm);
  const { work, sandbox, file } = world();
  const run = runWasi(bytes, { args: ['fd_io'], env: { GREETING: 'hi' }, preopens: { '/sandbox': sandbox }, record: { file, module: bytes } });
  assert.ok(run.stdout.length > 0);
  fs.rmSync(sandbox, { recursive: true, force: true });
  // Replayed from the recording alone: no preopen, no args.
  const again = runWasi(new WASI({ replay: file }).recordedModule ?? new Uint8Array(0), { replay: file });
  assert.deepEqual([again.code, again.stdout, again.stderr], [run.code, run.stdout, run.stderr]);
  // And by the CLI, from the file's bytes on another path.
  const elsewhere = tempDir('tswasi-rec-api-replay-');
  fs.copyFileSync(file, path.join(elsewhere, 'copy.rec'));
  fs.rmSync(work, { recursive: true, force: true });
  const cli = await runCli(['replay', 'copy.rec'], { cwd: elsewhere, stdoutEncoding: 'latin1' });
  assert.deepEqual([cli.code, cli.stdout, cli.stderr], [run.code, run.stdout, run.stderr]);
  // The recording's bytes work as well as its path.
  const fromBytes = runWasi(bytes, { replay: fs.readFileSync(path.join(elsewhere, 'copy.rec')) });
  assert.equal(fromBytes.stdout, run.stdout);
});

test('the WASI class: a different module stops replay with a ReplayStop naming the call; proc_exit codes and traps are recorded', async (t) => {
  const [fdIo, exit, trap] = ['fd_io', 'cli_exit', 'cli_trap'].map((n) => compileC(n));
  if (!fdIo || !exit || !trap) return t.skip('no toolchain');
  const { sandbox, file } = world();
  runWasi(fs.readFileSync(fdIo), { args: ['fd_io'], preopens: { '/sandbox': sandbox }, record: { file, module: fs.readFileSync(fdIo) } });
  assert.throws(() => runWasi(fs.readFileSync(exit), { replay: file }), (e) => e instanceof ReplayStop && /^replay diverged at call #\d+: recorded \w+\(.*\), the guest called \w+\(/.test(e.message));

  const exitFile = path.join(path.dirname(file), 'exit.rec');
  const exited = runWasi(fs.readFileSync(exit), { args: ['cli_exit', '3'], record: exitFile });
  assert.equal(exited.code, 3);
  // Recorded without the module's bytes: the CLI asks for it, and replays with it.
  const none = await runCli(['replay', exitFile]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^error: recording .* does not hold its module .*--module M\n$/);
  const withModule = await runCli(['replay', exitFile, '--module', exit]);
  assert.deepEqual([withModule.code, withModule.stdout], [3, exited.stdout]);
  assert.equal(runWasi(fs.readFileSync(exit), { replay: exitFile }).code, 3);

  const trapFile = path.join(path.dirname(file), 'trap.rec');
  assert.throws(() => runWasi(fs.readFileSync(trap), { args: ['cli_trap'], record: { file: trapFile, module: fs.readFileSync(trap) } }), WebAssembly.RuntimeError);
  const cli = await runCli(['replay', trapFile]);
  assert.equal(cli.code, 134, cli.stderr);
  assert.match(cli.stderr, /^error: wasm trap: /m);
  assert.throws(() => new WASI({ record: file, replay: file }), /cannot both be given/);
  assert.throws(() => new WASI({ record: path.join(sandbox, 'no', 'such', 'dir.rec') }), /cannot record to .*ENOENT/);
});

test('the pool records (record option) and replays (replay option); a divergent module ends with exit code 1 and the line', async (t) => {
  const wasm = compileC('fd_io');
  const other = compileC('cli_exit');
  if (!wasm || !other) return t.skip('no toolchain');
  const pool = createPool({ maxThreads: 1 });
  try {
    const { work, sandbox, file } = world();
    const run = await pool.run(wasm, { args: ['fd_io'], preopens: { '/sandbox': sandbox }, record: file });
    assert.equal(run.error, undefined);
    fs.rmSync(sandbox, { recursive: true, force: true });
    const again = await pool.run(wasm, { replay: file });
    assert.deepEqual([again.exitCode, again.stdout.toString('latin1'), again.stderr.toString('latin1')], [run.exitCode, run.stdout.toString('latin1'), run.stderr.toString('latin1')]);
    // The pool's recording holds the module: the CLI replays it alone.
    const cli = await runCli(['replay', file], { stdoutEncoding: 'latin1' });
    assert.deepEqual([cli.code, cli.stdout], [run.exitCode, run.stdout.toString('latin1')]);
    const diverged = await pool.run(other, { replay: fs.readFileSync(file) });
    assert.equal(diverged.exitCode, 1);
    assert.match(diverged.error?.message ?? '', /^replay diverged at call #\d+: /);
    const bad = await pool.run(wasm, { replay: path.join(work, 'none.rec') });
    assert.equal(bad.exitCode, 1);
    assert.match(bad.error?.message ?? '', /^recording .*none\.rec cannot be read \(no such file\)$/);
    await assert.rejects(pool.run(wasm, { record: file, replay: file }), /cannot both be given/);
  } finally {
    await pool.destroy();
  }
});
