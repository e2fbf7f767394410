/**
 * Tracing every WASI call: a wrapper around each import (never sprinkled
 * through the calls), and sinks that print strace-style text, JSON lines or
 * Chrome Trace Events, and a per-function summary at exit.
 */
import fs from 'node:fs';
import type { CallContext, WasiFunction } from '../../wasi/index.js';
import { arity, errnoName, showInput, showOutput } from './decode.js';
import { SIGNATURES, traceFilter } from './signatures.js';

export type TraceFormat = 'text' | 'json' | 'chrome';

export interface TraceOptions {
  format?: TraceFormat;
  /** "all", a group ("fs", "clock", …) or function names, comma-separated. */
  filter?: string;
  /** Where lines go: a file path, or a function (default: stderr). */
  output?: string | ((line: string) => void);
  /** Keep per-function counts and times for summary(). */
  summary?: boolean;
  /** Skip printing the calls (summary only). */
  quiet?: boolean;
}

export interface TracedCall {
  /** ms since the tracer started */
  ts: number;
  name: string;
  args: Record<string, string>;
  errno: string;
  result: Record<string, string>;
  /** µs the call took */
  us: number;
}

interface Stat { calls: number; errors: number; us: number }

export class Tracer {
  private readonly format: TraceFormat;
  private readonly accept: (name: string) => boolean;
  private readonly write: (line: string) => void;
  private readonly fd: number | null = null;
  private readonly chrome: object[] = [];
  private readonly stats = new Map<string, Stat>();
  private readonly started = performance.now();
  private closed = false;
  /**
   * The summary table goes into the trace file when the file is text (it
   * would break a JSON-lines or Chrome file): close() writes it there, and
   * whoever asked for the summary need not print it.
   */
  readonly summaryInFile: boolean;

  constructor(private readonly o: TraceOptions = {}) {
    this.format = o.format ?? 'text';
    this.accept = traceFilter(o.filter ?? 'all');
    if (typeof o.output === 'function') {
      this.write = o.output;
    } else if (typeof o.output === 'string') {
      const fd = fs.openSync(o.output, 'w');
      this.fd = fd;
      this.write = (line) => { fs.writeSync(fd, line + '\n'); };
    } else {
      this.write = (line) => { fs.writeSync(2, line + '\n'); };
    }
    this.summaryInFile = (o.summary ?? false) && this.fd !== null && this.format === 'text';
  }

  /** For WASIOptions.wrapImport. */
  readonly wrap = (name: string, fn: WasiFunction, ctx: CallContext): WasiFunction => {
    const sig = SIGNATURES[name];
    if (sig === undefined || !this.accept(name)) return fn;
    const call = fn as (...a: unknown[]) => unknown;
    return ((...raw: unknown[]) => {
      const t0 = performance.now();
      const args: Record<string, string> = {};
      const outs: Array<[string, (typeof sig)[number][1], number, unknown]> = [];
      let i = 0;
      for (const [pname, kind] of sig) {
        const shown = showInput(ctx, kind, raw[i], raw[i + 1]);
        if (shown === null) outs.push([pname, kind, raw[i] as number, raw[i + 1]]);
        else args[pname] = shown;
        i += arity(kind);
      }
      let ret: unknown;
      try {
        ret = call(...raw);
      } catch (e) {
        // proc_exit unwinds: record it first.
        this.emit(name, args, 'exit', {}, t0);
        throw e;
      }
      const result: Record<string, string> = {};
      if (ret === 0) {
        for (const [pname, kind, ptr, extra] of outs) {
          const shown = showOutput(ctx, kind, ptr, extra);
          if (shown !== null) result[pname] = shown;
        }
      }
      this.emit(name, args, errnoName(ret), result, t0);
      return ret;
    }) as WasiFunction;
  };

  private emit(name: string, args: Record<string, string>, errno: string, result: Record<string, string>, t0: number): void {
    if (this.closed) return;
    const us = (performance.now() - t0) * 1000;
    if (this.o.summary) {
      const s = this.stats.get(name) ?? { calls: 0, errors: 0, us: 0 };
      s.calls++;
      s.us += us;
      if (errno !== 'SUCCESS' && errno !== 'exit') s.errors++;
      this.stats.set(name, s);
    }
    if (this.o.quiet) return;
    const ts = t0 - this.started;
    if (this.format === 'text') {
      const a = Object.entries(args).map(([k, v]) => `${k}=${v}`).join(', ');
      const r = Object.entries(result).map(([k, v]) => `${k}=${v}`).join(', ');
      this.write(`${name}(${a}) = ${errno}${r ? ` → ${r}` : ''} <${us.toFixed(1)}µs>`);
    } else if (this.format === 'json') {
      const rec: TracedCall = { ts: Number(ts.toFixed(3)), name, args, errno, result, us: Number(us.toFixed(1)) };
      this.write(JSON.stringify(rec));
    } else {
      this.chrome.push({ name, cat: 'wasi', ph: 'X', ts: Math.round(ts * 1000), dur: Math.max(1, Math.round(us)), pid: 1, tid: 1, args: { ...args, errno, ...result } });
    }
  }

  /** `strace -c`-style table: calls, errors and time per function, by time. */
  summary(): string {
    const rows = [...this.stats].sort((a, b) => b[1].us - a[1].us);
    const total = rows.reduce((n, [, s]) => n + s.us, 0) || 1;
    const lines = ['% time     total µs    calls   errors  µs/call  function', '------ ------------ -------- -------- -------- ----------------------'];
    for (const [name, s] of rows) {
      lines.push(`${((100 * s.us) / total).toFixed(2).padStart(6)} ${s.us.toFixed(0).padStart(12)} ${String(s.calls).padStart(8)} ${String(s.errors).padStart(8)} ${(s.us / s.calls).toFixed(2).padStart(8)}  ${name}`);
    }
    const calls = rows.reduce((n, [, s]) => n + s.calls, 0);
    const errors = rows.reduce((n, [, s]) => n + s.errors, 0);
    lines.push('------ ------------ -------- -------- -------- ----------------------');
    lines.push(`100.00 ${total.toFixed(0).padStart(12)} ${String(calls).padStart(8)} ${String(errors).padStart(8)} ${''.padStart(8)}  total`);
    return lines.join('\n');
  }

  /** Finish: the Chrome trace file is written now; files are closed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.format === 'chrome') {
      const json = JSON.stringify({ traceEvents: this.chrome, displayTimeUnit: 'ns', otherData: { producer: 'tswasi' } });
      if (this.fd !== null) fs.writeSync(this.fd, json);
      else this.write(json);
    }
    if (this.summaryInFile) this.write(this.summary());
    if (this.fd !== null) fs.closeSync(this.fd);
  }
}

/** Parse `--trace` / TSWASI_TRACE text: format words (text, json, chrome) and a filter. */
export function parseTraceSpec(spec: string | true): { format: TraceFormat; filter: string } {
  if (spec === true || spec === '' || spec === 'summary-only') return { format: 'text', filter: 'all' };
  const parts = spec.split(',').map((s) => s.trim()).filter(Boolean);
  const formats = parts.filter((p): p is TraceFormat => p === 'text' || p === 'json' || p === 'chrome');
  const filter = parts.filter((p) => !formats.includes(p as TraceFormat)).join(',') || 'all';
  traceFilter(filter); // reject unknown names now, with a clear message
  return { format: formats[formats.length - 1] ?? 'text', filter };
}
