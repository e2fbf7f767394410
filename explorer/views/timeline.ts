/** The timeline: calls by group (LANES of src/trace/filters.ts) against time. */
import { isErrorCall } from '../../src/trace/record.js';
import { LANES, laneOf } from '../../src/trace/filters.js';
import type { ExplorerCall } from '../protocol.js';

const LANE_COLORS: Record<string, string> = { args: '#8e6fd8', env: '#b07bd0', clock: '#2f9e8f', random: '#c9a227', fs: '#2f6fde', io: '#3a9d4a', poll: '#e07b39', proc: '#d04a6a', sock: '#777' };

/**
 * Draw every call as a bar in its group's lane, x by time (by order for a
 * recording's calls, which have no times); errors red, the selected call boxed.
 */
export function drawTimeline(canvas: HTMLCanvasElement, calls: readonly ExplorerCall[], selected: number): void {
  const w = canvas.clientWidth || 600;
  const h = canvas.clientHeight || 200;
  canvas.width = w * devicePixelRatio;
  canvas.height = h * devicePixelRatio;
  const g = canvas.getContext('2d');
  if (!g) return;
  g.scale(devicePixelRatio, devicePixelRatio);
  g.clearRect(0, 0, w, h);
  const left = 56;
  const laneH = (h - 16) / LANES.length;
  const ordered = calls[0]?.untimed === true;
  const start = (c: ExplorerCall, i: number): number => (ordered ? i : c.ts);
  const span = (c: ExplorerCall): number => (ordered ? 1 : c.us / 1000);
  const end = (ordered ? calls.length : calls.reduce((m, c) => Math.max(m, c.ts + c.us / 1000), 0)) || 1;
  const x = (ms: number): number => left + ((w - left - 6) * ms) / end;
  g.font = '11px system-ui, sans-serif';
  LANES.forEach((lane, i) => {
    g.fillStyle = i % 2 ? '#fafbfc' : '#f1f3f6';
    g.fillRect(left, i * laneH, w - left, laneH);
    g.fillStyle = '#667085';
    g.fillText(lane, 4, i * laneH + laneH / 2 + 4);
  });
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    const lane = LANES.indexOf(laneOf(c.name));
    g.fillStyle = isErrorCall(c) ? '#c62828' : LANE_COLORS[laneOf(c.name)] ?? '#555';
    const x0 = x(start(c, i));
    g.fillRect(x0, lane * laneH + 2, Math.max(1.5, x(start(c, i) + span(c)) - x0), laneH - 4);
    if (i === selected) { g.strokeStyle = '#000'; g.strokeRect(x0 - 2, lane * laneH + 1, 5, laneH - 2); }
  }
  g.fillStyle = '#667085';
  g.fillText(ordered ? 'call 1' : '0 ms', left, h - 3);
  const endLabel = ordered ? `call ${calls.length}` : `${end.toFixed(1)} ms`;
  g.fillText(endLabel, w - 6 - g.measureText(endLabel).width, h - 3);
}
