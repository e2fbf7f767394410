/**
 * The few `process` members the WASI core and memfs use, for the browser
 * build (esbuild injects this as the global `process`; Node never loads it).
 * Monotonic time comes from performance.now(), which browsers coarsen to
 * 5-100 µs: clock_res_get still answers 1 ns, as there is no way to ask.
 */
const origin = BigInt(Math.round(performance.timeOrigin * 1e6));

function hrtimeBigint(): bigint {
  return origin + BigInt(Math.round(performance.now() * 1e6));
}

export const process = {
  hrtime: Object.assign((): [number, number] => {
    const ns = hrtimeBigint();
    return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
  }, { bigint: hrtimeBigint }),
  /** A page has no CPU-time clock: wall time since the page started is the closest honest answer. */
  cpuUsage: (): { user: number; system: number } => ({ user: Math.round(performance.now() * 1000), system: 0 }),
  env: {} as Record<string, string | undefined>,
  argv: [] as string[],
  platform: 'browser',
  version: '',
  versions: {} as Record<string, string>,
  cwd: (): string => '/',
  nextTick: (fn: (...a: unknown[]) => void, ...args: unknown[]): void => { queueMicrotask(() => fn(...args)); },
  emitWarning: (message: string): void => { console.warn(message); },
  exit: (code?: number): never => { throw new Error(`process.exit(${code ?? 0}) is not available in a browser`); },
};
