/** The fd table and files panel of a run: as they were after the selected call, or now. */
import { el } from '../dom.js';
import { ui } from '../elements.js';
import type { RunState } from '../run-state.js';

export function renderState(state: RunState): void {
  const { selected } = state;
  const st = selected >= 0 ? state.stateAt(selected) ?? state.latestState : state.latestState;
  ui.stateAt.textContent = state.recording ? '(a recording: see the Recording panel)' : selected >= 0 ? `after call #${selected + 1}` : 'now';
  ui.fdRows.replaceChildren(...(st?.fds ?? []).map((f) => {
    const tr = el('tr');
    tr.append(el('td', String(f.fd)), el('td', f.label), el('td', f.filetype), el('td', f.rights));
    return tr;
  }));
  ui.files.replaceChildren(...(st?.files ?? []).map((f) => {
    const depth = f.path.split('/').length - 2;
    const li = el('li', `${'  '.repeat(depth)}${f.path.slice(f.path.lastIndexOf('/') + 1)}${f.kind === 'dir' ? '/' : f.kind === 'symlink' ? ' →' : ` (${f.size} bytes)`}`);
    li.style.paddingLeft = `${depth * 14}px`;
    li.dataset['path'] = f.path;
    if (!state.initialPaths.has(f.path) && f.kind !== 'dir') li.className = 'new';
    return li;
  }));
}
