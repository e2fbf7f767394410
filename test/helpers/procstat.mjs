// @ts-check
// What a running process costs, from /proc (Linux): the CPU time of all its
// threads and its memory — for the socket tests' bounds and bench/http.mjs.
import fs from 'node:fs';

/**
 * CPU time of every thread of `pid` so far, in ms, from each thread's
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds on a CPU: finer than the
 * 10 ms ticks of /proc/<pid>/stat). A thread that ends between the listing
 * and its read counts nothing.
 * @param {number} pid
 */
export function cpuMs(pid) {
  let ns = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {}
  }
  return ns / 1e6;
}

/**
 * CPU ms `pid` used over the next `ms` of wall time.
 * @param {number} pid
 * @param {number} ms
 */
export async function cpuOver(pid, ms) {
  const before = cpuMs(pid);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return cpuMs(pid) - before;
}

/**
 * Resident memory of `pid` in KiB: rss (VmRSS) and pss (its proportional
 * share, shared pages divided among their users; /proc/<pid>/smaps_rollup).
 * @param {number} pid
 * @returns {{ rss: number, pss: number }}
 */
export function memoryKiB(pid) {
  /** @param {string} text @param {string} key */
  const field = (text, key) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!m) throw new Error(`no ${key} for process ${pid}`);
    return Number(m[1]);
  };
  return {
    rss: field(fs.readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS'),
    pss: field(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss'),
  };
}
