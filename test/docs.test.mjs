// @ts-check
// Docs that cannot drift. Every ```sh and ```js block of README.md,
// CONTRIBUTING.md and docs/*.md runs, in a temp directory inside the
// checkout (so the package imports as 'tswasi' by its own name) with a copy of
// examples/, and with tswasi, tswasi-oci and node_modules/.bin on PATH; what a
// block says it prints (`# prints: TEXT`, `// prints: TEXT`) must appear in
// its output, in that order. A block is skipped only when the line before it
// is `<!-- not-run: REASON -->`; those are counted and must give a reason.
// Relative links must reach a file and a heading, and a code comment that
// cites a heading of README or docs/ (`README "Heading"`,
// `docs/x.md "Heading"`) must name one that exists.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BUILD_DIR, CLI, OCI_BIN, ROOT } from './helpers/paths.mjs';
import { run } from './helpers/spawn.mjs';
import { docFiles, expectedOutput, fencedBlocks, headings, readDoc, relativeLinks } from './helpers/markdown.mjs';

/** Languages whose blocks are run; every other block is configuration or output. */
const RUNNABLE = new Set(['sh', 'js']);

/**
 * Docs other branches add; README and the docs link them before they land.
 * A listed file that exists is checked like any other; one that does not is
 * reported, not failed. Empty this list once they are all in.
 */
const PENDING = new Set();

fs.mkdirSync(BUILD_DIR, { recursive: true });
const work = fs.mkdtempSync(path.join(BUILD_DIR, 'docs-'));
after(() => {
  if (!process.env.TSWASI_KEEP_TMP) fs.rmSync(work, { recursive: true, force: true });
});
const bin = path.join(work, 'bin');
fs.mkdirSync(bin);
fs.symlinkSync(CLI, path.join(bin, 'tswasi'));
fs.symlinkSync(OCI_BIN, path.join(bin, 'tswasi-oci'));
const env = { ...process.env, PATH: [bin, path.join(ROOT, 'node_modules', '.bin'), process.env.PATH].join(path.delimiter) };

/** A directory of its own for one block: examples/ copied in (guests write there). */
function blockDir(/** @type {string} */ name) {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.cpSync(path.join(ROOT, 'examples'), path.join(dir, 'examples'), { recursive: true });
  return dir;
}

const all = docFiles().flatMap((f) => fencedBlocks(f).blocks);
const runnable = all.filter((b) => RUNNABLE.has(b.lang));

for (const block of runnable) {
  const where = `${block.file}:${block.line}`;
  test(`${where} (${block.lang}) runs${block.notRun === null ? '' : ' — not run: ' + block.notRun}`, { skip: block.notRun !== null }, async () => {
    const dir = blockDir(where.replace(/[^\w.-]/g, '_'));
    let script;
    if (block.lang === 'js') {
      fs.writeFileSync(path.join(dir, 'block.mjs'), block.body);
      script = `exec 2>&1\nnode block.mjs\n`;
    } else {
      script = `set -e\nexec 2>&1\n${block.body}`;
    }
    const r = await run('bash', ['-c', script], { cwd: dir, env, timeout: 60_000 });
    assert.equal(r.timedOut, false, `${where} timed out:\n${r.stdout}`);
    assert.equal(r.code, 0, `${where} exited ${r.code}:\n${r.stdout}`);
    let from = 0;
    for (const want of expectedOutput(block)) {
      const at = r.stdout.indexOf(want, from);
      assert.ok(at >= 0, `${where} says it prints ${JSON.stringify(want)}${from > 0 ? ' (after what came before)' : ''}; it printed:\n${r.stdout}`);
      from = at + want.length;
    }
  });
}

test('every not-run mark gives a reason and stands right before a runnable block', (t) => {
  for (const file of docFiles()) {
    const { blocks, strayMarks } = fencedBlocks(file);
    assert.deepEqual(strayMarks, [], `${file}: not-run marks not followed by a fenced block at lines ${strayMarks.join(', ')}`);
    for (const b of blocks) {
      if (b.notRun === null) continue;
      assert.ok(RUNNABLE.has(b.lang), `${file}:${b.line}: a not-run mark on a ${b.lang || 'plain'} block, which would not run anyway`);
      assert.ok(b.notRun.length > 0, `${file}:${b.line}: a not-run mark without a reason`);
    }
  }
  const skipped = runnable.filter((b) => b.notRun !== null).length;
  t.diagnostic(`${runnable.length} runnable blocks: ${runnable.length - skipped} run, ${skipped} marked not-run`);
  assert.ok(runnable.length - skipped >= 8, 'the docs still have their runnable examples');
});

test('README is at most 300 lines and starts with the install-and-demo and test commands', () => {
  const readme = readDoc('README.md');
  assert.ok(readme.split('\n').length <= 301, `README.md has ${readme.split('\n').length - 1} lines`);
  const first = fencedBlocks('README.md').blocks[0];
  assert.ok(first, 'README has a code block');
  const commands = first.body.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean);
  assert.deepEqual(commands, ['npm ci && npm run demo', 'npm test']);
});

/** @param {string} file relative to ROOT */
function anchorsOf(file) {
  return new Set(headings(file).anchors);
}

test('relative links in the docs reach a file, and a heading where they name one', (t) => {
  for (const file of docFiles()) {
    for (const { line, target } of relativeLinks(file)) {
      const [rel = '', anchor] = target.split('#');
      const dest = rel === '' ? file : path.relative(ROOT, path.resolve(ROOT, path.dirname(file), rel));
      if (!fs.existsSync(path.join(ROOT, dest))) {
        if (PENDING.has(dest)) {
          t.diagnostic(`${file}:${line}: ${dest} is not here yet (another branch adds it)`);
          continue;
        }
        assert.fail(`${file}:${line}: ${target}: no file ${dest}`);
      }
      if (anchor !== undefined && dest.endsWith('.md')) {
        assert.ok(anchorsOf(dest).has(anchor), `${file}:${line}: ${target}: ${dest} has no heading with the anchor #${anchor}`);
      }
    }
  }
});

/** Where code comments may cite the docs. */
const CODE_DIRS = ['wasi', 'src', 'oci', 'explorer', 'scripts', 'bench', 'test', 'browser'];
const CODE_EXT = /\.(ts|mts|mjs|js|cjs|sh)$/;

/** @param {string} dir */
function codeFiles(dir) {
  /** @type {string[]} */
  const out = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') out.push(...codeFiles(rel));
    else if (e.isFile() && CODE_EXT.test(e.name)) out.push(rel);
  }
  return out;
}

/**
 * A document and a quoted heading, with the comment leaders of wrapped lines
 * taken out: README "X", README, "X", README.md "X", docs/x.md "X",
 * CONTRIBUTING.md "X".
 */
const CITATION = /\b(README(?:\.md)?|CONTRIBUTING\.md|docs\/[\w-]+\.md),?\s+\(?"([^"\n]+)"/g;

test('code comments cite headings that exist', (t) => {
  let count = 0;
  for (const file of CODE_DIRS.flatMap(codeFiles)) {
    if (file === path.join('test', 'docs.test.mjs')) continue;
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/\n\s*(?:\*|\/\/|#)\s?/g, ' ');
    for (const m of text.matchAll(CITATION)) {
      const doc = (m[1] ?? '').startsWith('README') ? 'README.md' : (m[1] ?? '');
      const title = m[2] ?? '';
      count++;
      assert.ok(fs.existsSync(path.join(ROOT, doc)), `${file}: cites ${doc}, which does not exist`);
      assert.ok(headings(doc).titles.some((h) => h === title || h.replace(/`/g, '') === title), `${file}: cites ${doc} "${title}", which is not a heading there`);
    }
  }
  t.diagnostic(`${count} citations of a heading checked`);
});
