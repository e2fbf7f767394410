/**
 * node:worker_threads, loaded when a guest is first given a socket: a
 * `tswasi run` without listeners never loads it (start-up; see
 * test/startup.test.mjs).
 */
import { createRequire } from 'node:module';

let threads: typeof import('node:worker_threads') | undefined;

export function workerThreads(): typeof import('node:worker_threads') {
  return (threads ??= createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads'));
}
