// @ts-check
// The test tiers, by cost. Test files are grouped by subject (a file a
// subject; a folder where a subject has a kit of its own: attack, oci, cri,
// shim, browser, package); a tier is a list of files here, read by
// scripts/test.mjs, and, inside a file that mixes costs, a tag on its tests.
//   quick:      the edit loop (`node scripts/test.mjs --quick`), under a minute;
//   containers: quick plus the container end-to-end tests (`--quick --containers`);
//   full:       everything (`npm test`, or node --test on any file).

/** Paths relative to the repository root; a path ending in / is every test file below it. */
export const TIERS = {
  quick: ['test/*.test.mjs', 'test/attack/escape.test.mjs'],
  containers: ['test/oci/', 'test/cri/', 'test/package/'],
};

/** scripts/test.mjs tells the files which tier runs them. */
export const TIER_ENV = 'TSWASI_TEST_TIER';

/** @typedef {'quick' | 'containers' | 'full'} Tier */

/**
 * Does this run include tests tagged `tier`? A run names its tier in
 * TSWASI_TEST_TIER; without it (npm test, node --test) every tier runs.
 * @param {Tier} tier
 */
export function inTier(tier) {
  const run = process.env[TIER_ENV] ?? 'full';
  const order = ['quick', 'containers', 'full'];
  return order.indexOf(tier) <= order.indexOf(run);
}

/**
 * Is `file` (relative to the root, with /) in one of `tiers`' lists?
 * @param {string} file
 * @param {readonly ('quick' | 'containers')[]} tiers
 */
export function listed(file, tiers) {
  return tiers.some((t) => TIERS[t].some((p) => (p.endsWith('/') ? file.startsWith(p)
    : p.includes('*') ? new RegExp(`^${p.replace(/[.]/g, '\\.').replace('*', '[^/]*')}$`).test(file) : file === p)));
}
