/**
 * `kill ID [SIGNAL]`: runc's. Where runc's files make it plain — a created
 * or running container with a PID namespace of its own, one known signal,
 * no --all — its init is signalled here, which is all `runc kill` does
 * then (libcontainer's Signal); anything else goes to the native runtime
 * as it came, and it answers in its own words.
 */
import { constants } from 'node:os';
import type { Invocation } from '../argv.js';
import type { Context } from '../context.js';
import { readRuncContainer } from '../runc-state.js';

/** runc's parseSignal for the signals this side sends: a number 1–64, or a name with or without SIG, any case. */
function signalOf(raw: string): number | undefined {
  if (/^[1-9]\d?$/.test(raw)) return Number(raw) <= 64 ? Number(raw) : undefined;
  const upper = raw.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return Object.hasOwn(constants.signals, name) ? (constants.signals as Record<string, number>)[name] : undefined;
}

export function main(ctx: Context, inv: Invocation): number {
  const root = ctx.runcRoot();
  const signal = inv.operands.length <= 1 ? signalOf(inv.operands[0] ?? 'SIGTERM') : undefined;
  if (root !== undefined && signal !== undefined && !inv.options.flag('all')) {
    const c = readRuncContainer(root, inv.id!);
    if (c !== undefined && c.ownPidNamespace && (c.state.status === 'created' || c.state.status === 'running')) {
      try {
        process.kill(c.state.pid!, signal);
        return 0;
      } catch { /* gone in between: runc says so, in its words */ }
    }
  }
  return ctx.delegate();
}
