// @ts-check
// Reading the project's Markdown as test/docs.test.mjs needs it: fenced
// blocks (with the `<!-- not-run: REASON -->` mark before a block that is
// not run), headings with GitHub's anchors, and relative links.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths.mjs';

/**
 * @typedef {object} Block
 * @property {string} file    the Markdown file, relative to ROOT
 * @property {number} line    the 1-based line of the opening fence
 * @property {string} lang    the info string's first word ('' for none)
 * @property {string} body    the lines between the fences
 * @property {string | null} notRun  the reason given by a not-run mark, or null
 */

/** The mark that keeps the block after it from being run: `<!-- not-run: REASON -->`. */
const NOT_RUN = /^<!--\s*not-run:\s*(.*?)\s*-->$/;

/** README.md, CONTRIBUTING.md and docs/*.md, relative to ROOT. */
export function docFiles() {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', 'CONTRIBUTING.md', ...docs];
}

/** @param {string} file relative to ROOT */
export function readDoc(file) {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

/**
 * Every fenced block of a file, and the not-run marks that precede no block.
 * @param {string} file
 * @returns {{ blocks: Block[], strayMarks: number[] }}
 */
export function fencedBlocks(file) {
  const lines = readDoc(file).split('\n');
  /** @type {Block[]} */
  const blocks = [];
  /** @type {number[]} */
  const strayMarks = [];
  /** @type {{ line: number, reason: string } | null} */
  let mark = null;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    const open = /^(`{3,})(.*)$/.exec(text);
    if (open) {
      const fence = open[1] ?? '```';
      const start = i;
      const body = [];
      for (i++; i < lines.length && !(lines[i] ?? '').startsWith(fence); i++) body.push(lines[i]);
      blocks.push({ file, line: start + 1, lang: (open[2] ?? '').trim().split(/\s+/)[0] ?? '', body: body.join('\n') + '\n', notRun: mark?.reason ?? null });
      mark = null;
      continue;
    }
    const m = NOT_RUN.exec(text.trim());
    if (m) {
      if (mark) strayMarks.push(mark.line);
      mark = { line: i + 1, reason: m[1] ?? '' };
    } else if (mark && text.trim() !== '') {
      strayMarks.push(mark.line);
      mark = null;
    }
  }
  if (mark) strayMarks.push(mark.line);
  return { blocks, strayMarks };
}

/**
 * The text each `# prints: TEXT` (shell) or `// prints: TEXT` (JavaScript)
 * line of a block says the output contains, in order.
 * @param {Block} block
 */
export function expectedOutput(block) {
  const marker = block.lang === 'js' ? '// prints: ' : '# prints: ';
  return block.body.split('\n').map((l) => l.trimStart()).filter((l) => l.startsWith(marker)).map((l) => l.slice(marker.length));
}

/**
 * A heading's anchor as GitHub makes it: lower case, punctuation dropped,
 * spaces to hyphens.
 * @param {string} heading
 */
export function slug(heading) {
  return heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/**
 * A file's headings (outside fenced blocks) and their anchors; a repeated
 * anchor gets -1, -2, … as on GitHub.
 * @param {string} file
 */
export function headings(file) {
  /** @type {string[]} */
  const titles = [];
  let fence = '';
  for (const line of readDoc(file).split('\n')) {
    const f = /^(`{3,})/.exec(line);
    if (f) {
      if (!fence) fence = f[1] ?? '';
      else if (line.startsWith(fence)) fence = '';
      continue;
    }
    if (fence) continue;
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) titles.push(h[1] ?? '');
  }
  /** @type {Map<string, number>} */
  const seen = new Map();
  const anchors = titles.map((t) => {
    const s = slug(t);
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    return n === 0 ? s : `${s}-${n}`;
  });
  return { titles, anchors };
}

/**
 * The relative links of a file, outside fenced blocks and code spans:
 * `[text](target)` and `![alt](target)`, without http(s) and mailto links.
 * @param {string} file
 * @returns {{ line: number, target: string }[]}
 */
export function relativeLinks(file) {
  /** @type {{ line: number, target: string }[]} */
  const out = [];
  let fence = '';
  readDoc(file).split('\n').forEach((line, i) => {
    const f = /^(`{3,})/.exec(line);
    if (f) {
      if (!fence) fence = f[1] ?? '';
      else if (line.startsWith(fence)) fence = '';
      return;
    }
    if (fence) return;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1] ?? '';
      if (!/^(https?:|mailto:)/.test(target)) out.push({ line: i + 1, target });
    }
  });
  return out;
}
