/**
 * performance.now() for the caches' freshness rules. Node's global
 * `performance` is a lazy accessor that runs on every read, and its first
 * read loads perf_hooks' modules (~1 ms on Node 26): so it is read once,
 * on first use — a run that never resolves a path never pays it.
 */
let clock: Performance | undefined;

export function nowMs(): number {
  return (clock ??= globalThis.performance).now();
}
