// @ts-check
// The C test programs of test/c that need no host filesystem, with the
// options their Node tests give them on the mem backend (test/wasi-core,
// wasi-fd, wasi-path and attack/escape .test.mjs). Each runs in Node and in Chromium.
import { FILES, plantSandbox } from '../helpers/fixtures.mjs';

const SANDBOX = { files: FILES, withOutside: true, setup: plantSandbox, sandbox: true };

/**
 * @typedef {{ code: number, stdout?: string, stderr?: string, stdoutMatch?: string }} Expect
 * @typedef {object} Case
 * @property {string} name the program in test/c
 * @property {string} [label]
 * @property {string[] | (() => string[])} [args]
 * @property {Record<string, string>} [env]
 * @property {string} [stdin]
 * @property {'ok' | Expect} [expect]
 * @property {import('../helpers/fixtures.mjs').Files} [files]
 * @property {boolean} [withOutside]
 * @property {typeof plantSandbox} [setup]
 * @property {boolean} [sandbox] judge what it left outside too
 *
 * @typedef {{ error?: unknown, code?: number | null, stdout: string, stderr: string, outsideBefore?: string, outsideAfter?: string }} CaseResult
 */

/** expect: 'ok' (exit 0, last line "ok"), or { code, stdout } exactly. @type {Case[]} */
export const CASES = [
  { name: 'args_env', args: ['a', 'b c', 'ünï', ''], env: { K: 'V', EMPTY: '', EQ: 'x=y' } },
  { name: 'args_env', label: 'args_env (wrong argv fails)', args: ['a', 'b c', 'x', ''], env: { K: 'V', EMPTY: '', EQ: 'x=y' }, expect: { code: 1, stdoutMatch: 'FAIL .*args_env\\.c:\\d+' } },
  { name: 'clock', args: () => [String(Date.now())] },
  { name: 'random' },
  { name: 'proc', label: 'proc yield', args: ['yield'] },
  { name: 'proc', label: 'proc raise', args: ['raise'] },
  { name: 'proc', label: 'proc exit42', args: ['exit42'], expect: { code: 42, stdout: 'before\n' } },
  { name: 'proc', label: 'proc exit0', args: ['exit0'] },
  { name: 'proc', label: 'proc exit255', args: ['exit255'], expect: { code: 255 } },
  { name: 'proc', label: 'proc ret7', args: ['ret7'], expect: { code: 7, stdout: 'returning\n' } },
  { name: 'sock' },
  { name: 'stdio', stdin: 'hello, stdin!\n'.repeat(1000), expect: { code: 0, stdout: `in:14000:${'HELLO, STDIN!\n'.repeat(1000)}\nok\n`, stderr: 'to-stderr\nvia-libc\n' } },
  { name: 'stdio', label: 'stdio (empty stdin)', stdin: '', expect: { code: 0, stdout: 'in:0:\nok\n' } },
  { name: 'abi_edges', files: { 'data/file.txt': 'inside' } },
  { name: 'poll' },
  { name: 'fd_io' },
  { name: 'fd_stat' },
  { name: 'fd_rights' },
  { name: 'fd_readdir' },
  { name: 'fd_renumber' },
  { name: 'prestat' },
  { name: 'path_ops' },
  { name: 'symlinks', env: { TSWASI_TEST_BACKEND: 'mem' } },
  { name: 'sandbox_escape', ...SANDBOX },
  { name: 'sandbox_paths', ...SANDBOX },
  { name: 'sandbox_inside', ...SANDBOX },
];

/**
 * Why a run result does not meet the case's expectation, or null.
 * @param {Case} c
 * @param {CaseResult} r
 * @returns {string | null}
 */
export function verdict(c, r) {
  if (r.error) return `threw: ${r.error}`;
  const e = c.expect ?? 'ok';
  if (e === 'ok') {
    if (r.code !== 0) return `exit code ${r.code}`;
    if (!/(^|\n)ok\n$/.test(r.stdout)) return 'stdout does not end in "ok"';
  } else {
    if (r.code !== e.code) return `exit code ${r.code}, expected ${e.code}`;
    if (e.stdout !== undefined && r.stdout !== e.stdout) return 'stdout differs';
    if (e.stderr !== undefined && r.stderr !== e.stderr) return 'stderr differs';
    if (e.stdoutMatch !== undefined && !new RegExp(e.stdoutMatch).test(r.stdout)) return `stdout does not match ${e.stdoutMatch}`;
  }
  if (c.sandbox) {
    if (/LEAK|TOP SECRET|root:x:0/.test(r.stdout)) return 'the guest saw something from outside its sandbox';
    if (r.outsideBefore !== r.outsideAfter) return 'the volume outside the sandbox changed';
  }
  return null;
}
