// @ts-check
// Waiting without hanging: a plain sleep, and a deadline-bounded poll that
// fails with what it waited for (never wait for an event that may already
// have fired: poll the state instead).
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/**
 * Call `check()` until it returns something truthy (returned), else throw
 * after `timeoutMs` naming `what` and the last value or error seen.
 * @template T
 * @param {string} what
 * @param {() => T | Promise<T>} check
 * @param {{ timeoutMs?: number, everyMs?: number }} [options]
 * @returns {Promise<Exclude<T, false | null | undefined | 0 | ''>>}
 */
export async function waitFor(what, check, { timeoutMs = 20_000, everyMs = 20 } = {}) {
  const end = Date.now() + timeoutMs;
  /** @type {unknown} */
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return /** @type {Exclude<T, false | null | undefined | 0 | ''>} */ (v);
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await sleep(everyMs);
  }
}
