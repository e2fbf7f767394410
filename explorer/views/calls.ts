/** The calls table: one row per kept call, filtered by group, name and errors. */
import { type TracedCall, argsText, isErrorCall, resultText } from '../../src/trace/record.js';
import { GROUPS } from '../../src/trace/filters.js';
import { el } from '../dom.js';
import { ui } from '../elements.js';
import type { RunState } from '../run-state.js';

const MAX_ROWS = 5000;

function filterFn(): (c: TracedCall) => boolean {
  const group = GROUPS[ui.groupFilter.value] ?? GROUPS['all']!;
  const names = ui.fnFilter.value.split(',').map((s) => s.trim()).filter(Boolean);
  const errorsOnly = ui.errorsOnly.checked;
  return (c) => group(c.name) && (names.length === 0 || names.some((n) => c.name.includes(n))) && (!errorsOnly || isErrorCall(c));
}

export function fillGroupFilter(): void {
  for (const g of Object.keys(GROUPS)) ui.groupFilter.append(new Option(g === 'all' ? 'all groups' : g, g));
}

/** The index of the call whose row holds `target`, or null. */
export function rowIndex(target: EventTarget | null): number | null {
  const tr = target instanceof Element ? target.closest('tr') : null;
  const i = tr instanceof HTMLTableRowElement ? tr.dataset['index'] : undefined;
  return i === undefined ? null : Number(i);
}

export function renderCalls(state: RunState): void {
  const keep = filterFn();
  const { calls, selected, dropped } = state;
  const rows: HTMLTableRowElement[] = [];
  let shown = 0;
  let matching = 0;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    if (!keep(c)) continue;
    matching++;
    if (shown >= MAX_ROWS) continue;
    shown++;
    const tr = el('tr');
    tr.dataset['index'] = String(i);
    tr.dataset['name'] = c.name;
    if (isErrorCall(c)) tr.className = 'err';
    if (i === selected) tr.classList.add('sel');
    tr.append(el('td', String(i + 1)), el('td', c.untimed ? '' : c.ts.toFixed(2)), el('td', argsText(c)), el('td', c.errno), el('td', resultText(c)), el('td', c.untimed ? '' : c.us.toFixed(1)));
    rows.push(tr);
  }
  ui.callRows.replaceChildren(...rows);
  ui.callCount.textContent = String(state.total);
  ui.callCount.dataset['count'] = String(state.total);
  const notes: string[] = [];
  if (matching !== calls.length) notes.push(`${matching} of ${calls.length} calls match the filter`);
  if (matching > shown) notes.push(`showing the first ${shown}`);
  if (dropped > 0) notes.push(`${dropped} later calls were counted but not kept`);
  ui.callsNote.textContent = notes.join('; ');
}
