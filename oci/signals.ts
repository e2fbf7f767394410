/** Signal names and numbers as `kill` takes them: 9, KILL, SIGKILL. */
import { constants } from 'node:os';

const SIGNALS = constants.signals as Record<string, number>;

export function parseSignal(text: string | undefined): number {
  if (text === undefined || text === '') return SIGNALS['SIGTERM']!;
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    // 0 probes for life without signalling, as `runc kill ID 0` does.
    if (n >= 0 && n <= 64) return n;
    throw new Error(`unknown signal: ${text}`);
  }
  const name = text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : 'SIG' + text.toUpperCase();
  const n = SIGNALS[name];
  if (n === undefined) throw new Error(`unknown signal: ${text}`);
  return n;
}
