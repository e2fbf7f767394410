/** The call panel: one call's arguments, results, errno meaning and the guest memory it used. */
import { errnoMeaning } from '../../src/trace/errno-text.js';
import { isErrorCall } from '../../src/trace/record.js';
import { el } from '../dom.js';
import { ui } from '../elements.js';
import { hexDump } from '../hexdump.js';
import type { ExplorerCall, MemRegion } from '../protocol.js';

const HINT = 'Click a call to see its arguments, result, errno and the guest memory it used.';

export function clearDetail(): void {
  ui.detail.textContent = HINT;
  delete ui.detail.dataset['name'];
}

/** Call `index` (0-based) into `box`: the call panel, or any other box that shows one call. */
export function renderCallInto(box: HTMLElement, c: ExplorerCall, index: number): void {
  box.replaceChildren();
  const dl = el('dl');
  const row = (k: string, v: string, cls?: string): void => { dl.append(el('dt', k), el('dd', v, cls)); };
  row('call', `#${index + 1} ${c.name}`);
  if (!c.untimed) row('at', `${c.ts.toFixed(3)} ms, took ${c.us.toFixed(1)} µs`);
  for (const [k, v] of Object.entries(c.args)) row(k, v);
  for (const [k, v] of Object.entries(c.result)) row(`→ ${k}`, v);
  row('errno', `${c.errno}: ${errnoMeaning(c.errno)}`, isErrorCall(c) ? 'errtext' : undefined);
  box.append(dl);
  appendMemory(box, c.memory ?? []);
  box.dataset['name'] = c.name;
}

/** Each region as a heading (parameter, size, read or written, address) and its hex dump. */
export function appendMemory(box: HTMLElement, regions: readonly MemRegion[]): void {
  for (const r of regions) {
    box.append(el('h3', `${r.param}: ${r.len} bytes ${r.access} at 0x${r.ptr.toString(16)}`), el('div', hexDump(r), 'hex'));
  }
}

export function renderDetail(calls: readonly ExplorerCall[], selected: number): void {
  const c = calls[selected];
  if (c) renderCallInto(ui.detail, c, selected);
}
