/**
 * Everything the page knows about the program it runs (or the trace it
 * opened) in one object: the views read it, the runner and the page's
 * handlers change it and set `dirty` so the next frame redraws.
 */
import type { Recording } from '../src/record/parse.js';
import { CallSummary } from '../src/trace/record.js';
import type { ExplorerCall, GuestState, TreeEntry } from './protocol.js';
import type { StdinWriter } from './stdin-channel.js';

/** A recording opened in the page, and the call (0-based) its stepper shows. */
export interface OpenRecording {
  name: string;
  rec: Recording;
  step: number;
  /** How many of its calls (from the first) the replay decoded; the rest are shown as recorded. */
  decoded: number;
}

export class RunState {
  program: { name: string; bytes: Uint8Array } | null = null;
  /** The files the guest starts with (the setup panel's list). */
  setupFiles: TreeEntry[] = [];
  calls: ExplorerCall[] = [];
  /** Calls the worker counted but did not keep (beyond its limit). */
  dropped = 0;
  summary = new CallSummary();
  /** The fd table and files as the worker last reported them. */
  latestState: GuestState | null = null;
  /** Paths that existed before the run (files not among them are shown as new). */
  initialPaths = new Set<string>();
  worker: Worker | null = null;
  /** The call shown in the detail panel, or -1. */
  selected = -1;
  /** Something changed since the last frame drew. */
  dirty = false;
  runStarted = 0;
  /** Typed stdin for the running guest (null: not cross-origin isolated, stdin is the box's text). */
  stdinWriter: StdinWriter | null = null;
  /** Set while the calls shown are a recording's (the calls list holds them decoded, in order). */
  recording: OpenRecording | null = null;

  /** Calls made, kept or not. */
  get total(): number {
    return this.calls.length + this.dropped;
  }

  /** Forget the last run's calls (not the program or its setup). */
  clearCalls(): void {
    this.calls = [];
    this.dropped = 0;
    this.summary = new CallSummary();
    this.selected = -1;
    this.latestState = null;
    this.recording = null;
    this.dirty = true;
  }

  addCall(c: ExplorerCall): void {
    this.calls.push(c);
    this.summary.add(c);
    if (c.state) this.latestState = c.state;
  }

  /** The state after call `i`: the last snapshot at or before it. */
  stateAt(i: number): GuestState | null {
    for (let j = Math.min(i, this.calls.length - 1); j >= 0; j--) {
      const st = this.calls[j]!.state;
      if (st) return st;
    }
    return null;
  }
}
