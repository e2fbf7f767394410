// @ts-check
// Temp dirs that go away when the test process exits (TSWASI_KEEP_TMP=1 keeps them).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** @type {string[]} */
const tempRoots = [];
process.on('exit', () => {
  if (process.env.TSWASI_KEEP_TMP) return;
  for (const d of tempRoots) {
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {}
  }
});

/** A fresh temp dir, removed when the process exits. */
export function tempDir(prefix = 'tswasi-test-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempRoots.push(d);
  return d;
}
