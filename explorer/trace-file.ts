/** Opening a trace file in the page. */
import type { TracedCall } from '../src/trace/record.js';

/** Read `tswasi run --trace=json --trace-file F` output: one TracedCall per line. */
export function parseTrace(text: string): TracedCall[] {
  const out: TracedCall[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let v: unknown;
    try { v = JSON.parse(line); } catch { throw new Error(`Not a tswasi --trace=json file: line ${i + 1} is not JSON`); }
    const c = v as Partial<TracedCall>;
    if (typeof c !== 'object' || c === null || typeof c.name !== 'string' || typeof c.errno !== 'string' || typeof c.ts !== 'number' || typeof c.us !== 'number' || typeof c.args !== 'object') {
      throw new Error(`Not a tswasi --trace=json file: line ${i + 1} is not a traced call`);
    }
    out.push({ ts: c.ts, name: c.name, args: c.args ?? {}, errno: c.errno, result: c.result ?? {}, us: c.us });
  }
  if (out.length === 0) throw new Error('Not a tswasi --trace=json file: it holds no calls');
  return out;
}
