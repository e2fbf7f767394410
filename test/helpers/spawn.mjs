// @ts-check
// Running a command and collecting what it printed, with a time limit: the
// one way the tests spawn tswasi, tswasi-oci, podman, runc and the rest.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, OCI_BIN, ROOT } from './paths.mjs';

/**
 * @typedef {object} RunOptions
 * @property {number} [timeout] kill (SIGKILL) after this many ms; default 60000
 * @property {string | Uint8Array} [input] stdin (default: empty)
 * @property {NodeJS.ProcessEnv} [env]
 * @property {string} [cwd] default: the repository
 * @property {BufferEncoding} [stdoutEncoding] default utf8 (latin1 keeps every byte)
 *
 * @typedef {object} RunResult
 * @property {number | null} code
 * @property {NodeJS.Signals | null} signal
 * @property {string} stdout
 * @property {string} stderr
 * @property {number} ms wall time until exit
 * @property {boolean} timedOut killed by the time limit
 */

/** How long output may still come after the process exited (see run). */
const CLOSE_GRACE_MS = 50;

/**
 * Run `cmd args`; resolves when it has exited and its output is read.
 * @param {string} cmd
 * @param {readonly string[]} args
 * @param {RunOptions} [options]
 * @returns {Promise<RunResult>}
 */
export function run(cmd, args, { timeout = 60_000, input = '', env = process.env, cwd = ROOT, stdoutEncoding = 'utf8' } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env, cwd });
    /** @type {Buffer[]} */
    const out = [];
    /** @type {Buffer[]} */
    const err = [];
    let timedOut = false;
    let ms = 0;
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout);
    /** @type {NodeJS.Timeout | undefined} */
    let grace;
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // After `create` the container process keeps our stdio pipes open (as a
    // runc container keeps conmon's), so they may never close: after exit,
    // read what is there and then stop waiting for the pipes.
    child.on('exit', () => {
      ms = Date.now() - started;
      clearTimeout(timer);
      grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, CLOSE_GRACE_MS);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(grace);
      resolve({ code, signal, timedOut, ms: ms || Date.now() - started, stdout: Buffer.concat(out).toString(stdoutEncoding), stderr: Buffer.concat(err).toString() });
    });
    // A command that exits before reading its stdin closes the pipe: EPIPE is not a failure.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** @param {string} bin */
function requireBuilt(bin) {
  if (!fs.existsSync(bin)) throw new Error(`${path.relative(ROOT, bin)} is missing: run \`npm run build\` first`);
}

/**
 * `node dist/src/cli/tswasi.js ...args`.
 * @param {readonly string[]} args
 * @param {RunOptions} [options]
 */
export async function runCli(args, options) {
  requireBuilt(CLI);
  return run(process.execPath, [CLI, ...args], options);
}

/**
 * `node dist/oci/tswasi-oci.js --root <root> ...args`.
 * @param {string} root the state root
 * @param {readonly string[]} args
 * @param {RunOptions} [options]
 */
export async function runOci(root, args, options) {
  requireBuilt(OCI_BIN);
  return run(process.execPath, [OCI_BIN, '--root', root, ...args], options);
}
