/**
 * One guest, run once, on one plain worker thread: what `tswasi run` needs.
 * A piscina pool costs its own modules and its worker wrapper; a bare Worker
 * on a small bundled file is the cheapest thread Node starts (~20 ms, a
 * second Node environment). `prestartWorker()` starts it as soon as the
 * process knows it will run a guest, so that boot overlaps loading the CLI,
 * parsing arguments and compiling the module on this thread.
 */
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import type { TaskRunner } from './pool.js';
import type { GuestResult, GuestTask } from './task.js';

/** The worker's CommonJS launcher (written by scripts/bundle.mjs): no ES module loader to set up in the thread. */
const WORKER = new URL('./one-shot-worker.cjs', import.meta.url);

/** node:worker_threads is loaded when a worker starts: `tswasi --version` does not load it. */
const startWorker = (): Worker =>
  new (createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads')).Worker(WORKER);

let prestarted: Worker | null = null;

/** How long a worker that answered may take to end by itself before it is stopped. */
const EXIT_GRACE_MS = 1000;

/**
 * Start the worker thread now; the next `oneShotRunner()` takes it. Until
 * then it does not keep the process alive, so a command that fails before
 * running the guest still exits.
 */
export function prestartWorker(): void {
  if (prestarted !== null) return;
  prestarted = startWorker();
  prestarted.unref();
}

export function oneShotRunner(): TaskRunner {
  const worker = prestarted ?? startWorker();
  prestarted = null;
  worker.ref();
  return new OneShotRunner(worker);
}

class OneShotRunner implements TaskRunner {
  private used = false;
  /** Once the worker has answered it ends by itself (./one-shot-worker.ts). */
  private answered = false;
  private readonly exited: Promise<unknown>;

  constructor(private readonly worker: Worker) {
    this.exited = new Promise((done) => worker.once('exit', done));
  }

  get queueSize(): number {
    return 0;
  }

  get threads(): ArrayLike<unknown> {
    return this.used ? [] : [this.worker];
  }

  run(task: GuestTask, { signal }: Parameters<TaskRunner['run']>[1]): Promise<GuestResult> {
    if (this.used) return Promise.reject(new Error('tswasi: a one-shot worker runs one task'));
    this.used = true;
    const w = this.worker;
    return new Promise<GuestResult>((resolve, reject) => {
      const settle = (f: () => void): void => {
        w.off('message', onMessage).off('error', onError).off('exit', onExit);
        signal.removeEventListener('abort', onAbort);
        f();
      };
      const onMessage = (r: GuestResult): void => settle(() => {
        this.answered = true;
        resolve(r);
      });
      const onError = (e: Error): void => settle(() => reject(e));
      const onExit = (code: number): void => settle(() => reject(new Error(`the worker thread exited (${code}) before the guest finished`)));
      const onAbort = (): void => settle(() => {
        void w.terminate();
        reject(Object.assign(new Error('the guest was aborted'), { name: 'AbortError' }));
      });
      if (signal.aborted) { onAbort(); return; }
      w.on('message', onMessage).on('error', onError).on('exit', onExit);
      signal.addEventListener('abort', onAbort, { once: true });
      w.postMessage(task);
    });
  }

  async destroy(): Promise<void> {
    this.used = true;
    if (!this.answered) {
      await this.worker.terminate();
      return;
    }
    // It ends by itself; something the guest left open (it should not) must not keep this process.
    const stop = setTimeout(() => void this.worker.terminate(), EXIT_GRACE_MS);
    await this.exited;
    clearTimeout(stop);
  }
}
