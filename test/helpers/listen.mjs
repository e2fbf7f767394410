// @ts-check
// Socket servers, native or under tswasi, given their listening sockets as
// fds 3.. — the one launcher for test/sockets.test.mjs and bench/http.mjs.
//
//   buildSockProgram(target, name)  -> the native binary or the .wasm of test/c/<name>.c, or null (skip)
//   startServer({ target, program, args, listeners, runArgs })  -> Server
//   freePort()                      -> a port nothing listens on now
//
// The sockets are made here (Node: 127.0.0.1, an ephemeral port each) and
// passed in the child's stdio slots 3, 4, ...; this process closes its
// copies as soon as the child has them, so the child's are the only ones
// (when it ends, nothing is left listening) and no connection is ever
// accepted here: clients connect only after startServer returns.
//   native: the binary runs with the listeners at fds 3.. directly;
//   tswasi: `tswasi run --listenfd` (systemd socket activation). LISTEN_PID
//           must be the pid of the process that reads it, which only the
//           child knows: `sh -c 'LISTEN_PID=$$ exec node tswasi.js run …'`
//           sets it and execs, keeping the pid.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { CLI } from './paths.mjs';
import { compileC } from './wasm.mjs';
import { compileNative } from './native.mjs';

/** @typedef {'native' | 'tswasi'} Target */

/** Targets to run the socket tests on (TSWASI_SOCK_TARGETS=native,tswasi by default). */
/** @type {readonly Target[]} */
export const TARGETS = /** @type {Target[]} */ ((process.env.TSWASI_SOCK_TARGETS ?? 'native,tswasi').split(',').filter((t) => t === 'native' || t === 'tswasi'));

/**
 * The socket programs' wasm link flags: wasi-libc's poll() puts two
 * subscriptions and events per fd on the stack (80 bytes a fd), more than
 * wasm-ld's default 64 KiB stack holds for a server with a thousand
 * connections.
 */
export const SOCK_WASM_FLAGS = ['-Wl,-z,stack-size=1048576'];

/**
 * test/c/<name>.c built for `target`: the native binary or the .wasm; null
 * when the compiler is missing (outside CI).
 * @param {Target} target
 * @param {string} name
 */
export function buildSockProgram(target, name) {
  return target === 'native' ? compileNative(name) : compileC(name, SOCK_WASM_FLAGS);
}

/**
 * `count` listening TCP sockets on `host`, ephemeral ports.
 * @param {number} count
 * @param {string} [host]
 * @returns {Promise<{ servers: net.Server[], fds: number[], ports: number[] }>}
 */
async function listeningSockets(count, host = '127.0.0.1') {
  /** @type {net.Server[]} */
  const servers = [];
  for (let i = 0; i < count; i++) {
    const s = net.createServer();
    await new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen({ port: 0, host, backlog: 1024 }, () => resolve(undefined));
    });
    servers.push(s);
  }
  // The listening socket's own fd: Node has no public way to hand a server to a child's fd slot.
  const fds = servers.map((s) => /** @type {{ _handle: { fd: number } }} */ (/** @type {unknown} */ (s))._handle.fd);
  if (fds.some((fd) => !(fd >= 0))) throw new Error('no fd for a listening socket (not on Unix?)');
  const ports = servers.map((s) => /** @type {net.AddressInfo} */ (s.address()).port);
  return { servers, fds, ports };
}

/**
 * A port on 127.0.0.1 nothing listens on now, below the kernel's range of
 * ephemeral ports: no port another test got by binding port 0 (freePort)
 * is one of these, so no other test's client — one that checks its own
 * server's old port refuses connections, say — can reach a listener on it.
 * For a test whose guest serves the first connection that comes.
 */
export async function quietPort() {
  const [low] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const top = Math.min(low ?? 32768, 32768);
  // Above the well-known and most registered ports where the ephemeral range leaves room (Linux's default starts at 32768).
  const bottom = top > 11000 ? 10000 : 1024;
  for (let i = 0; ; i++) {
    const port = bottom + Math.floor(Math.random() * (top - bottom));
    const s = net.createServer();
    const bound = await new Promise((resolve) => {
      s.once('error', () => resolve(false));
      s.listen({ port, host: '127.0.0.1' }, () => resolve(true));
    });
    if (bound) {
      await new Promise((resolve) => s.close(() => resolve(undefined)));
      return port;
    }
    if (i === 50) throw new Error(`no free port below ${top}`);
  }
}

/**
 * A port on `host` nothing listens on now (a probe socket's; another process could take it before it is used).
 * @param {string} [host]
 */
export async function freePort(host = '127.0.0.1') {
  const s = net.createServer();
  await new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen({ port: 0, host }, () => resolve(undefined));
  });
  const { port } = /** @type {net.AddressInfo} */ (s.address());
  await new Promise((resolve) => s.close(() => resolve(undefined)));
  return port;
}

/**
 * @typedef {object} ServerOptions
 * @property {Target} target
 * @property {string} program the native binary or the .wasm (buildSockProgram)
 * @property {readonly string[]} [args] the program's arguments
 * @property {number} [listeners] listening sockets made here, at fds 3.. (default 1; 0: none, as with only --tcplisten)
 * @property {readonly string[]} [runArgs] more `tswasi run` flags (--dir, --tcplisten ...), tswasi only
 * @property {boolean} [stdin] keep the child's stdin open (a pipe: child.stdin) instead of empty
 * @property {readonly string[]} [listenfdFlag] how tswasi is told to take them (default --listenfd; wasmtime's: -S listenfd)
 */

/** @typedef {{ code: number | null, signal: NodeJS.Signals | null }} Exit */

/** A started server: its process, its ports, what it printed. */
export class Server {
  stdout = '';
  stderr = '';
  /** @type {Exit | null} */
  exit = null;

  /**
   * @param {import('node:child_process').ChildProcess} child
   * @param {number[]} ports
   * @param {string} label
   */
  constructor(child, ports, label) {
    this.child = child;
    this.ports = ports;
    this.label = label;
    /** @type {Promise<Exit>} */
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    child.stdout?.setEncoding('utf8').on('data', (c) => { this.stdout += c; });
    child.stderr?.setEncoding('utf8').on('data', (c) => { this.stderr += c; });
  }

  get pid() {
    if (this.child.pid === undefined) throw new Error(`${this.label} did not start`);
    return this.child.pid;
  }

  /** What it printed and how it ended, for assertion messages. */
  describe() {
    return `${this.label}: ${this.exit ? `exited ${JSON.stringify(this.exit)}` : 'running'}\n--- stdout ---\n${this.stdout}--- stderr ---\n${this.stderr}`;
  }

  /**
   * Resolves when stdout matches `re` (already or later); rejects when the
   * process ends first or after `timeoutMs`.
   * @param {RegExp} re
   * @param {number} [timeoutMs]
   */
  async waitForOutput(re, timeoutMs = 20_000) {
    const end = Date.now() + timeoutMs;
    while (!re.test(this.stdout)) {
      if (this.exit) throw new Error(`waiting for ${re}: ${this.describe()}`);
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${re}: ${this.describe()}`);
      await new Promise((resolve) => {
        const t = setTimeout(resolve, 20);
        this.child.stdout?.once('data', () => { clearTimeout(t); resolve(undefined); });
      });
    }
  }

  /**
   * Its exit, within `timeoutMs` (then SIGKILL and throw).
   * @param {number} [timeoutMs]
   */
  async waitExit(timeoutMs = 20_000) {
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    const timedOut = new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs, null); });
    const r = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (r) return /** @type {Exit} */ (r);
    this.child.kill('SIGKILL');
    await this.exited;
    throw new Error(`no exit within ${timeoutMs} ms: ${this.describe()}`);
  }

  /** SIGTERM unless it has ended; its exit. */
  async stop() {
    if (!this.exit) this.child.kill('SIGTERM');
    return this.waitExit();
  }
}

/**
 * Start a socket program with fresh listeners at fds 3..
 * @param {ServerOptions} options
 * @returns {Promise<Server>}
 */
export async function startServer({ target, program, args = [], listeners = 1, runArgs = [], stdin = false, listenfdFlag = ['--listenfd'] }) {
  const { servers, fds, ports } = await listeningSockets(listeners);
  /** @type {import('node:child_process').StdioOptions} */
  const stdio = [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', ...fds];
  let child;
  try {
    if (target === 'native') {
      child = spawn(program, args, { stdio });
    } else {
      if (!fs.existsSync(CLI)) throw new Error('dist/src/cli/tswasi.js is missing: run `npm run build` first');
      const env = { ...process.env };
      delete env.LISTEN_PID;
      delete env.LISTEN_FDS;
      const flags = listeners > 0 ? listenfdFlag : [];
      if (listeners > 0) env.LISTEN_FDS = String(listeners);
      child = spawn('/bin/sh', ['-c', 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"', process.execPath, CLI, 'run', ...flags, ...runArgs, program, ...args], { stdio, env });
    }
  } finally {
    // The child has its copies (spawn returns after the fork): close ours, accepting nothing.
    for (const s of servers) s.close();
  }
  const server = new Server(child, ports, `${target} ${program.split('/').pop()} ${args.join(' ')}`);
  child.on('error', (e) => { server.stderr += `spawn failed: ${e.message}\n`; });
  return server;
}
