// @ts-check
// args/environ, clocks, random, proc_exit/raise, sched_yield, sockets, stdio
// — each C program on both filesystem backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, assertOk, compileAndRun, describe } from './helpers/wasm.mjs';

for (const backend of BACKENDS) {
  test(`args_get/args_sizes_get/environ_get/environ_sizes_get [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'args_env', {
      backend,
      args: ['a', 'b c', 'ünï', ''],
      env: { K: 'V', EMPTY: '', EQ: 'x=y' },
    });
    if (r) assertOk(r);
  });

  test(`args/environ: a different argv is seen as different [${backend}]`, async (t) => {
    // The program hard-codes its expected argv, so a wrong one must fail.
    const r = await compileAndRun(t, 'args_env', { backend, args: ['a', 'b c', 'x', ''], env: { K: 'V', EMPTY: '', EQ: 'x=y' } });
    if (!r) return;
    assert.equal(r.code, 1, describe(r));
    assert.match(r.stdout, /FAIL .*args_env\.c:\d+/);
  });

  test(`clock_res_get/clock_time_get [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'clock', { backend, args: [String(Date.now())] });
    if (r) assertOk(r);
  });

  test(`random_get [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'random', { backend });
    if (r) assertOk(r);
  });

  test(`sched_yield [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'proc', { backend, args: ['yield'] });
    if (r) assertOk(r);
  });

  test(`proc_raise returns an error and does not kill the host [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'proc', { backend, args: ['raise'] });
    if (r) assertOk(r);
  });

  test(`proc_exit(42) makes start() return 42 and stops the guest [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'proc', { backend, args: ['exit42'] });
    if (!r) return;
    assert.equal(r.error, undefined, describe(r));
    assert.equal(r.code, 42, describe(r));
    assert.equal(r.stdout, 'before\n', describe(r));
  });

  test(`proc_exit(0) and proc_exit(255) [${backend}]`, async (t) => {
    let r = await compileAndRun(t, 'proc', { backend, args: ['exit0'] });
    if (!r) return;
    assertOk(r);
    assert.doesNotMatch(r.stdout, /after/);
    r = await compileAndRun(t, 'proc', { backend, args: ['exit255'] });
    assert.ok(r);
    assert.equal(r.code, 255, describe(r));
  });

  test(`returning from main(7) exits with 7 [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'proc', { backend, args: ['ret7'] });
    if (!r) return;
    assert.equal(r.code, 7, describe(r));
    assert.equal(r.stdout, 'returning\n');
  });

  test(`sock_accept/sock_recv/sock_send/sock_shutdown on non-sockets [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'sock', { backend });
    if (r) assertOk(r);
  });

  test(`stdio: fd_read from stdin bytes, fd_write to stdout/stderr sinks [${backend}]`, async (t) => {
    const input = 'hello, stdin!\n'.repeat(1000);
    const r = await compileAndRun(t, 'stdio', { backend, stdin: input });
    if (!r) return;
    assertOk(r);
    assert.equal(r.stdout, `in:${input.length}:${input.toUpperCase()}\nok\n`);
    assert.equal(r.stderr, 'to-stderr\nvia-libc\n');
  });

  test(`stdio: empty stdin is EOF at once [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'stdio', { backend, stdin: new Uint8Array(0) });
    if (!r) return;
    assertOk(r);
    assert.equal(r.stdout, 'in:0:\nok\n');
  });

  test(`stdio given as fd numbers [${backend}]`, async (t) => {
    const input = 'from a file\n';
    const r = await compileAndRun(t, 'stdio', { backend, stdin: input, stdioFds: true });
    if (!r) return;
    assertOk(r);
    assert.equal(r.stdout, `in:${input.length}:${input.toUpperCase()}\nok\n`);
    assert.equal(r.stderr, 'to-stderr\nvia-libc\n');
  });

  test(`ABI edges: out-of-bounds pointers -> EFAULT, NUL and invalid UTF-8 in paths [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'abi_edges', { backend, files: { 'data/file.txt': 'inside' } });
    if (!r) return;
    assertOk(r);
    assert.doesNotMatch(r.stdout, /LEAK/);
  });

  test(`poll_oneoff: clocks, fd subscriptions, errors [${backend}]`, async (t) => {
    const r = await compileAndRun(t, 'poll', { backend });
    if (r) assertOk(r);
  });
}
