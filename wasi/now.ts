/**
 * A monotonic clock in milliseconds for the caches' freshness rules. Under
 * Node it is process.uptime() (libuv's monotonic clock, less the process's
 * start): Node's global `performance` is a lazy accessor whose first read
 * loads perf_hooks' modules (1–2 ms, on the path of every run that resolves
 * a path, a container's runner among them). A browser has `performance`.
 */
const uptime = typeof process !== 'undefined' && typeof process.uptime === 'function' ? (): number => process.uptime() : undefined;
let clock: Performance | undefined;

export function nowMs(): number {
  return uptime !== undefined ? uptime() * 1000 : (clock ??= globalThis.performance).now();
}
