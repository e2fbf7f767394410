/** The terminal: the guest's stdout and stderr, and the stdin line typed while it runs. */
import { el } from '../dom.js';
import { ui } from '../elements.js';

/** The terminal keeps the last this many characters (a chatty guest must not exhaust the page). */
const MAX_TERMINAL = 200_000;

/** fd 0: what the user typed, echoed as a terminal does. */
export function appendOutput(fd: 0 | 1 | 2, text: string): void {
  const t = ui.terminal;
  delete t.dataset['waiting'];
  t.append(el('span', text, fd === 2 ? 'stderr' : fd === 0 ? 'stdin' : 'stdout'));
  if (t.childElementCount > 2000 || (t.textContent?.length ?? 0) > MAX_TERMINAL) {
    const all = t.textContent ?? '';
    const keep = all.length > MAX_TERMINAL / 2 ? `[earlier output dropped]\n${all.slice(-MAX_TERMINAL / 2)}` : all;
    t.replaceChildren(el('span', keep, 'stdout'));
  }
  t.scrollTop = t.scrollHeight;
}

export function clearTerminal(): void {
  ui.terminal.replaceChildren();
}

/** The guest waits for stdin and nothing typed is left: put the cursor on the line. */
export function showWaiting(): void {
  ui.stdinLine.focus();
  ui.terminal.dataset['waiting'] = 'true';
}

/** The input line: usable while a guest runs with typed stdin. */
export function setTyping(on: boolean): void {
  ui.stdinLine.disabled = !on;
  ui.stdinSend.disabled = !on;
  ui.stdinEof.disabled = !on;
}
