/**
 * Opening a recording: read it (recording-file.ts), show its calls in the
 * page's call views and the stepper, and have the worker replay it to decode
 * each call with the run's decoder. Calls the replay does not reach (it
 * stopped, or the run used --invoke) are shown as recorded.
 */
import { RecordingError } from '../src/record/format.js';
import { ui } from './elements.js';
import type { WorkerMessage } from './protocol.js';
import { undecodedCall, writtenRegions } from './recorded-call.js';
import { readRecordingFile } from './recording-file.js';
import type { OpenRecording, RunState } from './run-state.js';
import { finish, showCalls, startWorker } from './runner.js';
import { renderDetail } from './views/detail.js';
import { renderRecording } from './views/recording.js';
import { status } from './views/status.js';
import { appendOutput } from './views/terminal.js';

/** A file starts like a recording (gzip): the drop zones tell recordings from modules by this. */
export async function looksLikeRecording(file: Blob): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  return head[0] === 0x1f && head[1] === 0x8b;
}

export async function openRecording(state: RunState, file: File): Promise<void> {
  let open: OpenRecording;
  try {
    open = { name: file.name, rec: await readRecordingFile(file), step: 0, decoded: 0 };
  } catch (e) {
    status(e instanceof RecordingError ? `Recording ${file.name} ${e.message}.` : `Could not open ${file.name}: ${(e as Error).message}`, true);
    return;
  }
  showCalls(state, []);
  state.recording = open;
  state.selected = 0;
  const n = open.rec.calls.length;
  status(`Opened recording ${file.name}: ${n} calls; decoding them by replaying its module…`);
  const w = startWorker(state, (m) => onReplayMessage(state, open, m));
  w.postMessage({ type: 'replay', recording: open.rec });
  ui.stop.disabled = true;
  renderRecording(state);
}

function onReplayMessage(state: RunState, open: OpenRecording, m: WorkerMessage): void {
  if (state.recording !== open) return;
  const { rec } = open;
  if (m.type === 'batch') {
    for (const item of m.items) {
      if (item.kind === 'output') appendOutput(item.fd, item.text);
      else if (state.calls.length < rec.calls.length) {
        // The replay's times are not the recorded run's (a recording holds none).
        state.addCall({ ...item.call, ts: 0, us: 0, untimed: true, memory: writtenRegions(rec.calls[state.calls.length]!) });
        open.decoded = state.calls.length;
      }
    }
  } else if (m.type === 'exit' || m.type === 'error') {
    for (let i = state.calls.length; i < rec.calls.length; i++) state.addCall(undecodedCall(rec.calls[i]!));
    finish(state);
    const end = rec.end === undefined ? `the recording stops early (${rec.truncated ?? 'no end'})` : `the run exited with code ${rec.end.exitCode}`;
    const undecoded = rec.calls.length - open.decoded;
    const problem = m.type === 'error' ? ` ${m.message}${undecoded > 0 ? ` Calls from #${open.decoded + 1} are shown as recorded.` : ''}` : '';
    status(`Opened recording ${open.name}: ${rec.calls.length} calls; ${end}.${problem}`, m.type === 'error' && undecoded > 0);
    ui.status.dataset['recording'] = 'ready';
    renderDetail(state.calls, state.selected);
    renderRecording(state);
  }
  state.dirty = true;
}

/** Show call `i` of the open recording (clamped to its calls). */
export function setStep(state: RunState, i: number): void {
  const open = state.recording;
  if (open === null || open.rec.calls.length === 0 || Number.isNaN(i)) return;
  open.step = Math.max(0, Math.min(open.rec.calls.length - 1, Math.trunc(i)));
  state.selected = open.step;
  renderDetail(state.calls, open.step);
  renderRecording(state);
  state.dirty = true;
}
