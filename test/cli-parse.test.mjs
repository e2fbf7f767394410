// @ts-check
// `tswasi run`'s two readers of one option table (src/cli/run-options.ts):
// the fast path that skips yargs, and yargs. For every command line the
// fast path takes, both give the same RunArgs; the rest it hands to yargs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './helpers/wasm.mjs';

/** @param {string} f */
const cli = (f) => pathToFileURL(path.join(ROOT, 'dist/src/cli', f)).href;
/** @type {import('../src/cli/run-options.js')} */
const { parseRunFlags, runArgs, splitAtModule } = await import(cli('run-options.js'));
/** @type {import('../src/cli/yargs-cli.js')} */
const { parseWithYargs } = await import(cli('yargs-cli.js'));

/**
 * What yargs makes of `tswasi run …argv` (the handler's RunArgs).
 * @param {string[]} argv
 */
async function throughYargs(argv) {
  const { options, guest } = splitAtModule(argv);
  /** @type {import('../src/cli/run.js').RunArgs | undefined} */
  let seen;
  await parseWithYargs(['run', ...options], guest, { run: async (a) => { seen = a; } });
  assert.ok(seen, `yargs ran no command for ${argv.join(' ')}`);
  return seen;
}

/** @param {string[]} argv */
function throughFastPath(argv) {
  const { options, guest } = splitAtModule(argv);
  const flags = parseRunFlags(options);
  return flags === undefined ? undefined : runArgs(flags, guest);
}

const TAKEN = [
  ['m.wasm'],
  ['m.wasm', 'a', '--b', '-c', '--', 'd'],
  ['--dir', '.', 'm.wasm'],
  ['--dir=.', '--dir', '/tmp::/t', 'm.wasm', 'x'],
  ['--env', 'A=1', '--env=B=two words', '--env', 'C', 'm.wasm'],
  ['--argv0', 'prog', 'm.wasm'],
  ['--argv0=-x', 'm.wasm'],
  ['--invoke', 'add', 'm.wasm', '1', '2'],
  ['--trace', 'm.wasm'],
  ['--trace=json,fs', '--trace-file', 'out.json', 'm.wasm'],
  ['--trace-summary', 'm.wasm'],
  ['--record', 'r.rec', 'm.wasm'],
  ['--max-wasm-stack', '1048576', 'm.wasm'],
  ['--max-wasm-stack=65536', 'm.wasm'],
  ['-W', 'max-wasm-stack=131072', 'm.wasm'],
  ['--wasm', 'max-wasm-stack=131072', 'm.wasm'],
  ['--tcplisten', '127.0.0.1:8080', '--tcplisten=[::1]:0', 'm.wasm'],
  ['-S', 'tcplisten=127.0.0.1:0,listenfd', 'm.wasm'],
  ['--listenfd', 'm.wasm'],
  ['--', 'm.wasm', '--dir', 'x'],
];

for (const argv of TAKEN) {
  test(`fast path = yargs: run ${argv.join(' ')}`, async () => {
    const fast = throughFastPath(argv);
    assert.ok(fast, 'the fast path takes it');
    assert.deepEqual(fast, await throughYargs(argv));
  });
}

// Forms the fast path leaves to yargs: yargs' own help, errors or reading.
const LEFT = [
  ['--help'],
  ['--version', 'm.wasm'],
  ['-V', 'm.wasm'],
  ['--dir'],
  ['--dir', '-x', 'm.wasm'],
  ['--dir=', 'm.wasm'],
  ['--argv0', 'a', '--argv0', 'b', 'm.wasm'],
  ['--listenfd=true', 'm.wasm'],
  ['--listenfd', '--listenfd', 'm.wasm'],
  ['-W=max-wasm-stack=1', 'm.wasm'],
  ['--max-wasm-stack', 'lots', 'm.wasm'],
  ['--max-wasm-stack', '1e6', 'm.wasm'],
  ['-', 'arg'],
  ['--dir', '.', '--', '-odd.wasm'],
  [],
];

for (const argv of LEFT) {
  test(`left to yargs: run ${argv.join(' ') || '(nothing)'}`, () => {
    assert.equal(throughFastPath(argv), undefined);
  });
}
