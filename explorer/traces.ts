/** Opening a `--trace=json` file in the page, and exporting the calls as a Chrome trace. */
import { chromeEvent, chromeTrace } from '../src/trace/record.js';
import { el } from './dom.js';
import type { RunState } from './run-state.js';
import { showCalls } from './runner.js';
import { parseTrace } from './trace-file.js';
import { status } from './views/status.js';

export async function openTrace(state: RunState, file: File): Promise<void> {
  try {
    const list = parseTrace(await file.text());
    showCalls(state, list);
    status(`Opened trace ${file.name}: ${list.length} calls (no files or fd table: a trace does not record them).`);
  } catch (e) {
    status((e as Error).message, true);
  }
}

export function exportTrace(state: RunState): void {
  const blob = new Blob([chromeTrace(state.calls.map(chromeEvent))], { type: 'application/json' });
  const a = el('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${(state.program?.name ?? 'trace').replace(/\.wasm$/, '')}.chrome-trace.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
