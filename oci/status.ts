/** A Wasm container's status, derived from its record and its process (runtime.md "State"). */
import fs from 'node:fs';
import path from 'node:path';
import { OCI_VERSION, type State, type Status } from './spec.js';
import { EXEC_FIFO, containerAlive, type ContainerRecord, type StateStore } from './state-store.js';

export function statusOf(store: StateStore, rec: ContainerRecord): Status {
  if (rec.pid === undefined) return 'creating';
  if (!containerAlive(rec)) return 'stopped';
  if (rec.paused) return 'paused';
  return fs.existsSync(path.join(store.dir(rec.id), EXEC_FIFO)) ? 'created' : 'running';
}

export function stateOf(store: StateStore, rec: ContainerRecord): State {
  const status = statusOf(store, rec);
  const state: State = { ociVersion: OCI_VERSION, id: rec.id, status, bundle: rec.bundle };
  // runtime.md: pid is REQUIRED when status is created or running (runc keeps it for stopped too).
  if (rec.pid !== undefined) state.pid = status === 'stopped' ? 0 : rec.pid;
  if (rec.annotations && Object.keys(rec.annotations).length > 0) state.annotations = rec.annotations;
  return state;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
export function sleepMs(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

/** Wait until the container's process is gone; false on timeout. */
export function waitGone(rec: ContainerRecord, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  while (containerAlive(rec)) {
    if (Date.now() > deadline) return false;
    sleepMs(5);
  }
  return true;
}
