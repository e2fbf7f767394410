// @ts-check
// The committed prebuilt example must be what its source builds to, so the
// demo never runs a binary nobody can reproduce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CC, ROOT, buildWasm, runCli, tempDir, toolchainProblem } from './helpers/wasm.mjs';

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/prebuilt.json'), 'utf8'));

for (const [file, info] of Object.entries(manifest)) {
  test(`examples/${file} matches ${info.source}`, async (t) => {
    const committed = fs.readFileSync(path.join(ROOT, 'examples', file));
    assert.equal(createHash('sha256').update(committed).digest('hex'), info.sha256, 'prebuilt.json is stale');
    const problem = toolchainProblem();
    if (problem) {
      if (process.env.CI === 'true') assert.fail(problem);
      return t.skip(problem);
    }
    const out = path.join(tempDir(), path.basename(file));
    // `clang FLAGS SRC -o OUT`, built as every test build is: whatever wasm-opt is on PATH.
    const args = info.command.split(' ').slice(1);
    const [src, flags] = [path.join(ROOT, args.at(-3)), args.slice(0, -3)];
    assert.deepEqual(args.slice(-2), ['-o', `examples/${file}`], 'prebuilt.json command: clang FLAGS SRC -o OUT');
    const r = buildWasm(flags, src, out);
    assert.equal(r.status, 0, r.stderr);
    const version = spawnSync(CC, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
    if (version === info.compiler) {
      // Same compiler: the build is reproducible byte for byte.
      assert.equal(createHash('sha256').update(fs.readFileSync(out)).digest('hex'), info.sha256);
    } else {
      // Another compiler: at least the behaviour must be the same.
      const [a, b] = await Promise.all([
        runCli(['run', path.join(ROOT, 'examples', file), 'x']),
        runCli(['run', out, 'x']),
      ]);
      const norm = (/** @type {string} */ s) => s.replace(/\d+ seconds/, 'N seconds').replace(/argv\[0\] = .*/, '');
      assert.equal(norm(a.stdout), norm(b.stdout));
    }
  });
}

test('npm run demo\'s command prints the greeting and writes a file', async () => {
  const res = await runCli(['run', '--dir', `${tempDir()}::.`, '--env', 'GREETING=hi', path.join(ROOT, 'examples/hello.wasm'), 'tswasi']);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^hello from WebAssembly, tswasi!\n/);
  assert.match(res.stdout, /GREETING = hi/);
  assert.match(res.stdout, /wrote and read back: written by a WASI guest/);
});
