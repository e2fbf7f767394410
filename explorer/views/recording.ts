/**
 * The recording panel: the stepper, and at the step it shows, the call
 * (decoded by the replay, or as recorded), the memory it wrote, the fd table
 * and the files the guest had seen (recording-model.ts).
 */
import { el } from '../dom.js';
import { ui } from '../elements.js';
import { undecodedCall, writtenRegions } from '../recorded-call.js';
import { stateAfter } from '../recording-model.js';
import type { RunState } from '../run-state.js';
import { appendMemory, renderCallInto } from './detail.js';

const STEPPERS = () => [ui.stepFirst, ui.stepBack, ui.stepForward, ui.stepLast, ui.stepSlider, ui.stepIndex];

export function renderRecording(state: RunState): void {
  const open = state.recording;
  const panel = ui.recordingPanel;
  if (open === null || open.rec.calls.length === 0) {
    for (const b of STEPPERS()) b.disabled = true;
    ui.recordingName.textContent = open === null ? 'none open' : `${open.name}: no calls`;
    ui.stepOf.textContent = '';
    ui.stepAt.textContent = '';
    ui.stepCall.textContent = open === null ? 'Open a recording to step through its calls.' : 'The recording holds no calls.';
    ui.stepMemory.replaceChildren();
    ui.stepFdRows.replaceChildren();
    ui.stepFiles.replaceChildren();
    delete panel.dataset['step'];
    return;
  }
  const { rec, step } = open;
  const n = rec.calls.length;
  const recorded = rec.calls[step]!;
  ui.recordingName.textContent = `${open.name}: ${rec.header.args.join(' ')}`;
  for (const b of STEPPERS()) b.disabled = false;
  ui.stepFirst.disabled = ui.stepBack.disabled = step === 0;
  ui.stepForward.disabled = ui.stepLast.disabled = step === n - 1;
  ui.stepSlider.max = ui.stepIndex.max = String(n);
  ui.stepSlider.value = ui.stepIndex.value = String(step + 1);
  ui.stepOf.textContent = `of ${n}${rec.truncated !== undefined ? ' (the recording stops early)' : ''}`;
  panel.dataset['step'] = String(step + 1);

  const decoded = state.calls[step];
  renderCallInto(ui.stepCall, { ...(decoded ?? undecodedCall(recorded)), memory: [] }, step);
  ui.stepCall.dataset['decoded'] = String(step < open.decoded);
  const regions = writtenRegions(recorded);
  ui.stepMemory.replaceChildren(...(regions.length === 0 ? [el('div', 'nothing', 'note')] : []));
  appendMemory(ui.stepMemory, regions);

  const st = stateAfter(rec.calls, step);
  ui.stepAt.textContent = `after call #${step + 1}`;
  ui.stepFdRows.replaceChildren(...st.fds.map((f) => {
    const tr = el('tr');
    tr.dataset['fd'] = String(f.fd);
    tr.append(el('td', String(f.fd)), el('td', f.label), el('td', f.kind), el('td', String(f.read)), el('td', String(f.written)));
    return tr;
  }));
  ui.stepFiles.replaceChildren(...st.paths.map((p) => {
    const li = el('li', p.path);
    li.dataset['path'] = p.path;
    li.dataset['read'] = String(p.read);
    li.dataset['written'] = String(p.written);
    const bytes = [p.read > 0 ? `read ${p.read} bytes` : '', p.written > 0 ? `wrote ${p.written} bytes` : ''].filter(Boolean);
    li.append(el('span', `  ${[...p.seen, ...bytes].join('; ')}`, 'seen'));
    return li;
  }));
}
