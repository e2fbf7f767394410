/** Where tracing is switched on: explicit options, or the `debug` namespaces. */
import createDebug from 'debug';
import { Tracer, parseTraceSpec } from './tracer.js';

/** Trace settings that can cross to a worker thread. */
export interface TraceSpec {
  /** `--trace` text: formats and filter, e.g. "fs", "json,path_open". */
  spec: string;
  /** Write here (a path); otherwise stderr, or collected when `collect`. */
  file?: string | undefined;
  summary?: boolean | undefined;
  /** Collect the text lines and return them (pool.run's `trace`). */
  collect?: boolean | undefined;
}

const debugWasi = createDebug('tswasi:wasi');
const debugFs = createDebug('tswasi:fs');

/** A tracer for this run, or null when nothing asks for one (then nothing is wrapped). */
export function tracerFor(t: TraceSpec | undefined, lines?: string[]): Tracer | null {
  if (t !== undefined) {
    const { format, filter } = parseTraceSpec(t.spec);
    return new Tracer({
      format,
      filter,
      output: t.collect && lines ? (line) => { lines.push(line); } : t.file,
      summary: t.summary ?? false,
      quiet: t.spec === 'summary-only',
    });
  }
  // DEBUG=tswasi:wasi (every call) or DEBUG=tswasi:fs (filesystem calls) — the usual way for services.
  if (debugWasi.enabled) return new Tracer({ filter: 'all', output: (line) => debugWasi(line) });
  if (debugFs.enabled) return new Tracer({ filter: 'fs', output: (line) => debugFs(line) });
  return null;
}
