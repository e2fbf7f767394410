// @ts-check
// Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven
// by playwright-core (no browser download), a fresh profile per launch, no
// network chatter. Under CI=true a missing chromium is a failure, not a skip.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from '../helpers/paths.mjs';

export const CHROMIUM = process.env.TSWASI_CHROMIUM || '/usr/bin/chromium';
/** The built explorer page. */
export const EXPLORER = path.join(ROOT, 'dist/explorer/index.html');

/** Why the browser tests cannot run here, or null. */
export function chromiumProblem() {
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} not found (apt-get install chromium, or scripts/install-deps.sh)`;
  return null;
}

/**
 * Skip (or, in CI, fail) when chromium is missing; returns true when the test may go on.
 * @param {import('node:test').TestContext} t
 */
export function needChromium(t) {
  const problem = chromiumProblem();
  if (!problem) return true;
  if (process.env.CI === 'true') throw new Error(`chromium is required in CI: ${problem}`);
  t.skip(problem);
  return false;
}

/**
 * A test file's set-up: false when chromium is missing (a failure under
 * CI=true, else the file's tests skip); true when the page is built and
 * the tests may launch it.
 */
export function explorerReady() {
  const problem = chromiumProblem();
  if (problem) {
    if (process.env.CI === 'true') throw new Error(`chromium is required in CI: ${problem}`);
    return false;
  }
  if (!fs.existsSync(EXPLORER)) throw new Error('dist/explorer is missing: run npm run build');
  return true;
}

/**
 * Launch Chromium with a fresh profile (playwright passes it as
 * --user-data-dir); close() also removes the profile. Returns the context.
 */
export async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
