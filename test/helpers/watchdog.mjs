// @ts-check
// A guest runs synchronously on the test's thread, so a hung guest or a host
// call that blocks forever cannot be stopped by node:test's timeouts. This
// watchdog thread kills the whole test process instead, after printing what
// hung: the test file then fails rather than hanging CI.
//
//   await armWatchdog(label)   before the synchronous run (the first call starts
//                              the thread; later calls set the deadline at once)
//   disarmWatchdog()           after it
//
// TSWASI_RUN_TIMEOUT_MS (or the older ATTACK_RUN_TIMEOUT_MS): the limit, default 60000.
import { Worker } from 'node:worker_threads';

export const RUN_TIMEOUT_MS = Number(process.env.TSWASI_RUN_TIMEOUT_MS || process.env.ATTACK_RUN_TIMEOUT_MS || 60_000);
const LABEL_BYTES = 256;
const monotonicMs = () => Number(process.hrtime.bigint() / 1000000n);

/** @type {{ deadline: Float64Array, labelLen: Int32Array, label: Uint8Array } | undefined} */
let dog;
/** @type {Promise<void> | undefined} */
let starting;

function start() {
  starting ??= (async () => {
    const sab = new SharedArrayBuffer(8 + 4 + LABEL_BYTES);
    const w = new Worker(`
      const { workerData } = require('node:worker_threads');
      const fs = require('node:fs');
      const d = new Float64Array(workerData.sab, 0, 1), n = new Int32Array(workerData.sab, 8, 1), b = new Uint8Array(workerData.sab, 12, ${LABEL_BYTES});
      const now = () => Number(process.hrtime.bigint() / 1000000n);
      if (process.env.TSWASI_TRACE_RUNS) fs.writeSync(2, '[watchdog] up\\n');
      // One read of the deadline: between two reads the test's thread may finish its run and disarm it (0).
      setInterval(() => {
        const deadline = d[0];
        if (deadline > 0 && now() > deadline) {
          fs.writeSync(2, '\\n[tswasi test watchdog] no return within the limit from: ' + Buffer.from(b.slice(0, n[0])).toString() + '; killing the test process\\n');
          process.kill(process.pid, 'SIGKILL');
        }
      }, 200);`, { eval: true, workerData: { sab } });
    // Its thread must be running before the guest can block this one.
    await new Promise((resolve, reject) => {
      w.once('online', resolve);
      w.once('error', reject);
    });
    w.on('error', (e) => process.stderr.write(`[tswasi test watchdog] failed: ${e?.stack ?? e}\n`));
    w.unref(); // only now: an unref'd worker would let the event loop end first
    dog = { deadline: new Float64Array(sab, 0, 1), labelLen: new Int32Array(sab, 8, 1), label: new Uint8Array(sab, 12, LABEL_BYTES) };
  })();
  return starting;
}

/**
 * Kill this process unless disarmWatchdog() comes within `ms`. Once the
 * thread runs (after the first awaited call) it sets the deadline
 * synchronously, so a hot loop may call it without awaiting.
 * @param {string} label what is about to run, for the kill message
 * @param {number} [ms]
 */
export async function armWatchdog(label, ms = RUN_TIMEOUT_MS) {
  if (!dog) await start();
  const d = /** @type {NonNullable<typeof dog>} */ (dog);
  const bytes = Buffer.from(label).subarray(0, LABEL_BYTES);
  d.label.set(bytes);
  d.labelLen[0] = bytes.length;
  // The monotonic clock, as the watchdog reads it: a step of the wall clock (this VM's is
  // synchronised with its host's) must not look like a hang.
  d.deadline[0] = monotonicMs() + ms;
}

export function disarmWatchdog() {
  if (dog) dog.deadline[0] = 0;
}

/**
 * `wasi.start(instance)` under the watchdog: the exit code, or what start() threw.
 * @param {{ start(instance: WebAssembly.Instance): number | undefined }} wasi
 * @param {WebAssembly.Instance} instance
 * @param {string} label what runs, for the kill message
 * @returns {Promise<{ code: number | undefined, error?: unknown }>}
 */
export async function watchedStart(wasi, instance, label) {
  await armWatchdog(label);
  try {
    return { code: wasi.start(instance) };
  } catch (error) {
    return { code: undefined, error };
  } finally {
    disarmWatchdog();
  }
}
