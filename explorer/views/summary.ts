/** The summary table: calls, errors and time per function. */
import type { CallSummary } from '../../src/trace/record.js';
import { el } from '../dom.js';
import { ui } from '../elements.js';

export function renderSummary(summary: CallSummary): void {
  const rows = summary.rows();
  const total = rows.reduce((n, s) => n + s.us, 0) || 1;
  ui.summaryRows.replaceChildren(...rows.map((s) => {
    const tr = el('tr');
    tr.dataset['name'] = s.name;
    tr.append(el('td', s.name), el('td', String(s.calls)), el('td', String(s.errors)), el('td', s.us.toFixed(0)), el('td', ((100 * s.us) / total).toFixed(1)));
    if (s.errors > 0) tr.className = 'err';
    return tr;
  }));
}
