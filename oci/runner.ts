/**
 * The container runner: what runc's container init executes in a Wasm
 * container (see rewrite.ts), as the container's process — inside its
 * namespaces, cgroup, capabilities and seccomp filter.
 *
 *   [/tswasi/init --] /tswasi/node [--disable-sigusr1] /tswasi/pkg/dist/oci/runner.cjs <guest-fd> [<guest-root>]
 *   (the bundled runner.ts, from V8's code cache; the init and the flag as below)
 *
 * Its environment is empty and its argv fixed by tswasi-oci; the guest's
 * argv, env and cwd come on <guest-fd> (guest.ts). <guest-root> is the
 * guest's "/": GUEST_ROOT (/rootfs) in a container, where tswasi-oci never
 * passes it; the build's training run (scripts/bundle.mjs) passes a directory
 * of its own, so that the runner's V8 code caches hold the code its run uses.
 *
 * Where the guest runs depends on what answers the container's signals:
 * - Under an init (the container's pid 1 is catatonit, runner-root.ts), with
 *   Node's inspector signal turned off (--disable-sigusr1, which tswasi-oci
 *   passes where the Node has it): on this thread. No handler is installed,
 *   so every signal takes its default action, as for a native process:
 *   SIGTERM ends the runner at once even while the guest spins, and the init
 *   exits with 128+n. Output is written as the guest writes it, so a signal
 *   loses nothing. No worker thread to start: ~40 ms less per container.
 * - As pid 1 (no init on the host), or on a Node without --disable-sigusr1
 *   (Node 20): on a worker thread, so that this thread stays free for
 *   signals: pid 1 of a pid namespace gets only the signals it has a handler
 *   for, Node runs handlers on this thread's event loop, and a spinning guest
 *   must still end on SIGTERM. Its stdout, gathered into a shared ring when it
 *   is not a terminal, is written out by this thread — on a short timer, and
 *   before the runner ends on a signal — so a guest that prints and then
 *   computes, or is stopped, loses nothing it wrote.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { writeAll } from '../wasi/host-stdio.js';
import { isatty } from '../wasi/isatty.js';
import { createOutputRing, SharedOutputReader } from '../wasi/shared-output.js';
import { readGuestFd, type GuestProcess } from './guest.js';
import { failureLine } from '../src/errors.js';
import { writeErr } from '../src/stdio.js';
import { GUEST_ROOT, NO_SIGUSR1_FLAG } from './runner-root.js';

/** Signals whose default action ends a process: the runner ends with 128+n, as if it had no handler. */
const ENDING_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGUSR1: 10, SIGUSR2: 12, SIGALRM: 14, SIGTERM: 15 } as const;

function main(): void {
  const onOwnThread = process.pid !== 1 && process.execArgv.includes(NO_SIGUSR1_FLAG);
  // As pid 1, handlers before anything else: SIGUSR1 would otherwise start Node's inspector.
  const output = onOwnThread ? null : handleSignals();
  let guest: GuestProcess;
  const fd = Number(process.argv[2]);
  const root = process.argv[3];
  try {
    if (!Number.isInteger(fd) || fd < 3 || process.argv.length > 4 || (root !== undefined && !root.startsWith('/'))) {
      throw new Error('usage: runner.js <guest-fd> [<guest-root>]');
    }
    guest = readGuestFd(fd);
  } catch (e) {
    writeErr(`tswasi-oci runner: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const traceFd = guest.trace !== undefined ? fd + 1 : undefined;
  if (output === null) runHere(guest, root ?? GUEST_ROOT, traceFd);
  else runOnWorker(guest, root, traceFd, output);
}

/** The guest on this thread; signals take their default action. */
function runHere(guest: GuestProcess, root: string, traceFd: number | undefined): void {
  // The guest's code is a bundle of its own (scripts/bundle.mjs), run from its V8 code cache:
  // a runner that starts a worker instead does not read or compile it.
  const { exitWithContainerGuest } = createRequire(import.meta.url)('./container-guest.cjs') as typeof import('./container-guest.js');
  exitWithContainerGuest(guest, root, traceFd, undefined);
}

interface GatheredOutput {
  ring: SharedArrayBuffer | undefined;
  reader: SharedOutputReader | null;
}

/** The ending signals' handlers, which write out what the guest's thread gathered of its stdout and exit with 128+n. */
function handleSignals(): GatheredOutput {
  const ring = isatty(1) ? undefined : createOutputRing();
  // Gathered output whose reader has gone (EPIPE) is dropped: the guest's
  // writes already succeeded, and the runner must not die of its stdout.
  let stdoutGone = false;
  const reader = ring === undefined ? null : new SharedOutputReader(ring, (buf, off, len) => {
    if (stdoutGone) return;
    try { writeAll(1, buf, off, len); } catch { stdoutGone = true; }
  });
  for (const [name, n] of Object.entries(ENDING_SIGNALS)) {
    process.on(name, () => {
      reader?.drain(1000);
      process.exit(128 + n);
    });
  }
  return { ring, reader };
}

/** The guest on a worker thread (runner-guest.ts), its stdout gathered in `output`. */
function runOnWorker(guest: GuestProcess, root: string | undefined, traceFd: number | undefined, { ring, reader }: GatheredOutput): void {
  // The CommonJS launcher (scripts/bundle.mjs), as `tswasi run` starts its worker: the thread
  // starts without Node's ESM loader (~4 ms less on Node 26) and runs the bundle from V8's code cache.
  const worker = new Worker(new URL('./runner-guest.cjs', import.meta.url), {
    workerData: { guest, traceFd, ring, root },
    stdin: false, stdout: false, stderr: false,
  });
  worker.on('error', (e) => {
    writeErr(failureLine(e) + '\n');
    process.exit(70);
  });
  worker.on('exit', (code) => {
    reader?.close();
    process.exit(code);
  });
}

main();
