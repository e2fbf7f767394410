/** The setup panel: the chosen program, and the files the guest starts with. */
import { el } from '../dom.js';
import { ui } from '../elements.js';
import type { RunState } from '../run-state.js';

export function showProgram(state: RunState): void {
  const p = state.program;
  ui.program.textContent = p ? `${p.name} (${p.bytes.length.toLocaleString()} bytes)` : 'No program chosen.';
  ui.run.disabled = p === null;
}

export function renderSetupFiles(state: RunState): void {
  ui.setupFiles.replaceChildren(...[...state.setupFiles].sort((a, b) => a.path.localeCompare(b.path)).map((f) => {
    const li = el('li', `${f.path} (${f.size} bytes)`);
    const del = el('button', '×');
    del.title = `remove ${f.path}`;
    del.onclick = () => {
      state.setupFiles = state.setupFiles.filter((x) => x !== f);
      renderSetupFiles(state);
    };
    li.append(del);
    return li;
  }));
}
