/** The status line under the setup panel: what happened last, an error in red. */
import { ui } from '../elements.js';

export function status(text: string, error = false): void {
  const s = ui.status;
  delete s.dataset['exit'];
  delete s.dataset['stopped'];
  delete s.dataset['recording'];
  s.textContent = text;
  s.className = error ? 'status error' : 'status';
  s.dataset['kind'] = error ? 'error' : 'info';
}
