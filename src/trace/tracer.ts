/**
 * Tracing every WASI call: a wrapper around each import (never sprinkled
 * through the calls), and sinks that print strace-style text, JSON lines or
 * Chrome Trace Events, and a per-function summary at exit. The decoding is
 * record.ts's (shared with the browser explorer); this file adds the output.
 */
import fs from 'node:fs';
import type { CallContext, WasiFunction } from '../../wasi/index.js';
import { CallSummary, type TracedCall, callDecoder, callText, chromeEvent, chromeTrace } from './record.js';
import { traceFilter } from './filters.js';

export type { TracedCall } from './record.js';

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

export class Tracer {
  private readonly format: TraceFormat;
  private readonly write: (line: string) => void;
  private readonly fd: number | null = null;
  private readonly chrome: object[] = [];
  private readonly stats = new CallSummary();
  private closed = false;
  /**
   * The summary table goes into the trace file when the file is text (it
   * would break a JSON-lines or Chrome file): close() writes it there, and
   * whoever asked for the summary need not print it.
   */
  readonly summaryInFile: boolean;

  /** For WASIOptions.wrapImport. */
  readonly wrap: (name: string, fn: WasiFunction, ctx: CallContext) => WasiFunction;

  constructor(private readonly o: TraceOptions = {}) {
    this.format = o.format ?? 'text';
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
    this.wrap = callDecoder(traceFilter(o.filter ?? 'all'), (c) => this.emit(c));
  }

  private emit(c: TracedCall): void {
    if (this.closed) return;
    if (this.o.summary) this.stats.add(c);
    if (this.o.quiet) return;
    if (this.format === 'text') this.write(callText(c));
    else if (this.format === 'json') this.write(JSON.stringify(c));
    else this.chrome.push(chromeEvent(c));
  }

  /** `strace -c`-style table: calls, errors and time per function, by time. */
  summary(): string {
    return this.stats.table();
  }

  /** Finish: the Chrome trace file is written now; files are closed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.format === 'chrome') {
      const json = chromeTrace(this.chrome);
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
