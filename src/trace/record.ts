/**
 * The pure part of tracing, shared by the CLI's `--trace` (tracer.ts) and the
 * browser explorer: a wrapper that decodes each WASI call into a TracedCall,
 * the per-function summary, and the text / Chrome Trace Event forms of a
 * call. Nothing here touches node:* (the explorer bundles it for the browser).
 */
import type { CallContext, WasiFunction } from '../../wasi/calls/context.js';
import { WASI_FUNCTIONS, arity, type Param } from '../../wasi/functions.js';
import { errnoName, showInput, showOutput } from './decode.js';

/** One call as `--trace=json` writes it (one JSON object per line). */
export interface TracedCall {
  /** ms since the tracer started */
  ts: number;
  name: string;
  args: Record<string, string>;
  /** errno name, or "exit" for proc_exit (and a trap's unwinding) */
  errno: string;
  result: Record<string, string>;
  /** µs the call took */
  us: number;
}

/** The wrapper for WASIOptions.wrapImport that reports each decoded call to `emit`. */
export function callDecoder(
  accept: (name: string) => boolean,
  emit: (call: TracedCall) => void,
  started: number = performance.now(),
): (name: string, fn: WasiFunction, ctx: CallContext) => WasiFunction {
  return (name, fn, ctx) => {
    const sig = WASI_FUNCTIONS[name]?.params;
    if (sig === undefined || !accept(name)) return fn;
    const call = fn as (...a: unknown[]) => unknown;
    return ((...raw: unknown[]) => {
      const t0 = performance.now();
      const args: Record<string, string> = {};
      const outs: Array<[string, Param[1], number, unknown]> = [];
      const sibling = (wanted: string): unknown => {
        let j = 0;
        for (const [pname, kind] of sig) {
          if (pname === wanted) return raw[j];
          j += arity(kind);
        }
        return undefined;
      };
      let i = 0;
      for (const [pname, kind] of sig) {
        const shown = showInput(ctx, kind, raw[i], raw[i + 1], sibling);
        if (shown === null) outs.push([pname, kind, raw[i] as number, raw[i + 1]]);
        else args[pname] = shown;
        i += arity(kind);
      }
      const done = (errno: string, result: Record<string, string>): void => {
        const t1 = performance.now();
        emit({ ts: Number((t0 - started).toFixed(3)), name, args, errno, result, us: Number(((t1 - t0) * 1000).toFixed(1)) });
      };
      let ret: unknown;
      try {
        ret = call(...raw);
      } catch (e) {
        // proc_exit unwinds: record it first.
        done('exit', {});
        throw e;
      }
      const result: Record<string, string> = {};
      if (ret === 0) {
        for (const [pname, kind, ptr, extra] of outs) {
          const shown = showOutput(ctx, kind, ptr, extra, sibling);
          if (shown !== null) result[pname] = shown;
        }
      }
      done(errnoName(ret), result);
      return ret;
    }) as WasiFunction;
  };
}

/** `path_open(fd=3<.>, path="a", …)`: the call with its decoded inputs. */
export function argsText(c: TracedCall): string {
  return `${c.name}(${Object.entries(c.args).map(([k, v]) => `${k}=${v}`).join(', ')})`;
}

/** `opened_fd=4<./a>`: what a successful call returned. */
export function resultText(c: TracedCall): string {
  return Object.entries(c.result).map(([k, v]) => `${k}=${v}`).join(', ');
}

/** A call that failed (proc_exit's unwinding is not a failure). */
export function isErrorCall(c: TracedCall): boolean {
  return c.errno !== 'SUCCESS' && c.errno !== 'exit';
}

/** strace-style: `path_open(fd=3<.>, path="a") = SUCCESS → opened_fd=4 <1.2µs>`. */
export function callText(c: TracedCall): string {
  const r = resultText(c);
  return `${argsText(c)} = ${c.errno}${r ? ` → ${r}` : ''} <${c.us.toFixed(1)}µs>`;
}

/** A Chrome Trace Event ("X": complete event, µs) for Perfetto / chrome://tracing. */
export function chromeEvent(c: TracedCall): object {
  return { name: c.name, cat: 'wasi', ph: 'X', ts: Math.round(c.ts * 1000), dur: Math.max(1, Math.round(c.us)), pid: 1, tid: 1, args: { ...c.args, errno: c.errno, ...c.result } };
}

/** A whole Chrome trace file. */
export function chromeTrace(events: readonly object[]): string {
  return JSON.stringify({ traceEvents: events, displayTimeUnit: 'ns', otherData: { producer: 'tswasi' } });
}

export interface SummaryRow { name: string; calls: number; errors: number; us: number }

/** Per-function counts and times (`strace -c`). */
export class CallSummary {
  private readonly stats = new Map<string, SummaryRow>();

  add(c: TracedCall): void {
    const s = this.stats.get(c.name) ?? { name: c.name, calls: 0, errors: 0, us: 0 };
    s.calls++;
    s.us += c.us;
    if (isErrorCall(c)) s.errors++;
    this.stats.set(c.name, s);
  }

  /** Rows by time spent, most first. */
  rows(): SummaryRow[] {
    return [...this.stats.values()].sort((a, b) => b.us - a.us);
  }

  /** The table `--trace-summary` prints. */
  table(): string {
    const rows = this.rows();
    const total = rows.reduce((n, s) => n + s.us, 0) || 1;
    const lines = ['% time     total µs    calls   errors  µs/call  function', '------ ------------ -------- -------- -------- ----------------------'];
    for (const s of rows) {
      lines.push(`${((100 * s.us) / total).toFixed(2).padStart(6)} ${s.us.toFixed(0).padStart(12)} ${String(s.calls).padStart(8)} ${String(s.errors).padStart(8)} ${(s.us / s.calls).toFixed(2).padStart(8)}  ${s.name}`);
    }
    const calls = rows.reduce((n, s) => n + s.calls, 0);
    const errors = rows.reduce((n, s) => n + s.errors, 0);
    lines.push('------ ------------ -------- -------- -------- ----------------------');
    lines.push(`100.00 ${total.toFixed(0).padStart(12)} ${String(calls).padStart(8)} ${String(errors).padStart(8)} ${''.padStart(8)}  total`);
    return lines.join('\n');
  }
}
