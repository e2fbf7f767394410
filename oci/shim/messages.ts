/**
 * The messages of containerd's shim v2 task service, of its task events and
 * of ttrpc, as the shim reads and writes them. Field numbers are those of
 * the .proto files in proto/ (containerd v1.6, ttrpc v1.1; Apache-2.0).
 */
import { Fields, Writer } from './pb.js';

/** A point in time: google.protobuf.Timestamp. */
export interface Time { seconds: number; nanos: number }

export function now(): Time {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.floor((ms - seconds * 1000) * 1e6) };
}

const time = (t: Time): Writer => new Writer().uint(1, t.seconds).int32(2, t.nanos);

/** google.protobuf.Any. */
export interface Any { typeUrl: string; value: Uint8Array }

export const any = (a: Any): Writer => new Writer().string(1, a.typeUrl).bytes(2, a.value);
const readAny = (f: Fields | null): Any | null => (f === null ? null : { typeUrl: f.string(1), value: f.bytes(2) });

// ---- ttrpc (github.com/containerd/ttrpc, request.proto) ----

export interface TtrpcRequest { service: string; method: string; payload: Uint8Array; timeoutNano: number }

export function decodeTtrpcRequest(b: Uint8Array): TtrpcRequest {
  const f = Fields.decode(b);
  return { service: f.string(1), method: f.string(2), payload: f.bytes(3), timeoutNano: f.uint(4) };
}

export function encodeTtrpcRequest(r: TtrpcRequest): Uint8Array {
  return new Writer().string(1, r.service).string(2, r.method).bytes(3, r.payload).uint(4, r.timeoutNano).finish();
}

/** Response{status: google.rpc.Status{code, message}, payload}. */
export function encodeTtrpcResponse(code: number, message: string, payload: Uint8Array): Uint8Array {
  const w = new Writer();
  if (code !== 0) w.message(1, new Writer().int32(1, code).string(2, message));
  return w.bytes(2, payload).finish();
}

export function decodeTtrpcResponse(b: Uint8Array): { code: number; message: string; payload: Uint8Array } {
  const f = Fields.decode(b);
  const s = f.message(1);
  return { code: s?.int32(1) ?? 0, message: s?.string(2) ?? '', payload: f.bytes(2) };
}

// ---- containerd.task.v2 requests ----

export interface Mount { type: string; source: string; target: string; options: string[] }

export interface CreateTaskRequest {
  id: string; bundle: string; rootfs: Mount[]; terminal: boolean;
  stdin: string; stdout: string; stderr: string; checkpoint: string; options: Any | null;
}

export function decodeCreate(b: Uint8Array): CreateTaskRequest {
  const f = Fields.decode(b);
  return {
    id: f.string(1), bundle: f.string(2),
    rootfs: f.repeated(3).map((m) => ({ type: m.string(1), source: m.string(2), target: m.string(3), options: m.strings(4) })),
    terminal: f.bool(4), stdin: f.string(5), stdout: f.string(6), stderr: f.string(7), checkpoint: f.string(8), options: readAny(f.message(10)),
  };
}

/** The many requests that are {id, exec_id}: Start, Delete, State, Wait (and id alone: Pids, Pause, Resume, Stats, Connect, Checkpoint). */
export interface ProcessRef { id: string; execId: string }

export function decodeRef(b: Uint8Array): ProcessRef {
  const f = Fields.decode(b);
  return { id: f.string(1), execId: f.string(2) };
}

export interface ExecRequest { id: string; execId: string; terminal: boolean; stdin: string; stdout: string; stderr: string; spec: Any | null }

export function decodeExec(b: Uint8Array): ExecRequest {
  const f = Fields.decode(b);
  return { id: f.string(1), execId: f.string(2), terminal: f.bool(3), stdin: f.string(4), stdout: f.string(5), stderr: f.string(6), spec: readAny(f.message(7)) };
}

export function decodeResize(b: Uint8Array): ProcessRef & { width: number; height: number } {
  const f = Fields.decode(b);
  return { id: f.string(1), execId: f.string(2), width: f.uint(3), height: f.uint(4) };
}

export function decodeKill(b: Uint8Array): ProcessRef & { signal: number; all: boolean } {
  const f = Fields.decode(b);
  return { id: f.string(1), execId: f.string(2), signal: f.uint(3), all: f.bool(4) };
}

export function decodeCloseIO(b: Uint8Array): ProcessRef & { stdin: boolean } {
  const f = Fields.decode(b);
  return { id: f.string(1), execId: f.string(2), stdin: f.bool(3) };
}

export function decodeUpdate(b: Uint8Array): { id: string; resources: Any | null } {
  const f = Fields.decode(b);
  return { id: f.string(1), resources: readAny(f.message(2)) };
}

export function decodeShutdown(b: Uint8Array): { id: string; now: boolean } {
  const f = Fields.decode(b);
  return { id: f.string(1), now: f.bool(2) };
}

// ---- containerd.task.v2 responses ----

export const encodePid = (pid: number): Uint8Array => new Writer().uint(1, pid).finish();

/** DeleteResponse{pid, exit_status, exited_at}. */
export function encodeDeleted(pid: number, exitStatus: number, exitedAt: Time): Uint8Array {
  return new Writer().uint(1, pid).uint(2, exitStatus).message(3, time(exitedAt)).finish();
}

/** containerd.v1.types.Status. */
export const Status = { UNKNOWN: 0, CREATED: 1, RUNNING: 2, STOPPED: 3, PAUSED: 4, PAUSING: 5 } as const;
export type StatusCode = (typeof Status)[keyof typeof Status];

export interface ProcessState {
  id: string; bundle: string; pid: number; status: StatusCode; stdin: string; stdout: string; stderr: string;
  terminal: boolean; exitStatus: number; exitedAt: Time | undefined; execId: string;
}

export function encodeState(s: ProcessState): Uint8Array {
  const w = new Writer().string(1, s.id).string(2, s.bundle).uint(3, s.pid).uint(4, s.status)
    .string(5, s.stdin).string(6, s.stdout).string(7, s.stderr).bool(8, s.terminal).uint(9, s.exitStatus);
  // Absent, containerd (gogo stdtime, not nullable) reads Go's zero time, as the runc shim sends for a process still running.
  if (s.exitedAt !== undefined) w.message(10, time(s.exitedAt));
  return w.string(11, s.execId).finish();
}

export function encodeWait(exitStatus: number, exitedAt: Time): Uint8Array {
  return new Writer().uint(1, exitStatus).message(2, time(exitedAt)).finish();
}

export function encodePids(pids: readonly number[]): Uint8Array {
  const w = new Writer();
  for (const pid of pids) w.message(1, new Writer().uint(1, pid));
  return w.finish();
}

export const encodeStats = (stats: Any): Uint8Array => new Writer().message(1, any(stats)).finish();

export function encodeConnect(shimPid: number, taskPid: number, version: string): Uint8Array {
  return new Writer().uint(1, shimPid).uint(2, taskPid).string(3, version).finish();
}

export const EMPTY = new Uint8Array(0);

// ---- containerd.events (api/events/task.proto) and the envelope that carries them ----

export interface TaskEvent { topic: string; typeUrl: string; value: Uint8Array }

const event = (name: string, topic: string, w: Writer): TaskEvent => ({ topic, typeUrl: `containerd.events.${name}`, value: w.finish() });

export const events = {
  create: (id: string, bundle: string, rootfs: readonly Mount[], io: { stdin: string; stdout: string; stderr: string; terminal: boolean }, pid: number): TaskEvent => {
    const w = new Writer().string(1, id).string(2, bundle);
    for (const m of rootfs) {
      const mw = new Writer().string(1, m.type).string(2, m.source).string(3, m.target);
      for (const o of m.options) mw.string(4, o);
      w.message(3, mw);
    }
    w.message(4, new Writer().string(1, io.stdin).string(2, io.stdout).string(3, io.stderr).bool(4, io.terminal));
    return event('TaskCreate', '/tasks/create', w.uint(6, pid));
  },
  start: (id: string, pid: number) => event('TaskStart', '/tasks/start', new Writer().string(1, id).uint(2, pid)),
  delete: (id: string, pid: number, exitStatus: number, exitedAt: Time) =>
    event('TaskDelete', '/tasks/delete', new Writer().string(1, id).uint(2, pid).uint(3, exitStatus).message(4, time(exitedAt)).string(5, id)),
  exit: (id: string, processId: string, pid: number, exitStatus: number, exitedAt: Time) =>
    event('TaskExit', '/tasks/exit', new Writer().string(1, id).string(2, processId).uint(3, pid).uint(4, exitStatus).message(5, time(exitedAt))),
  oom: (id: string) => event('TaskOOM', '/tasks/oom', new Writer().string(1, id)),
  execAdded: (id: string, execId: string) => event('TaskExecAdded', '/tasks/exec-added', new Writer().string(1, id).string(2, execId)),
  execStarted: (id: string, execId: string, pid: number) => event('TaskExecStarted', '/tasks/exec-started', new Writer().string(1, id).string(2, execId).uint(3, pid)),
  paused: (id: string) => event('TaskPaused', '/tasks/paused', new Writer().string(1, id)),
  resumed: (id: string) => event('TaskResumed', '/tasks/resumed', new Writer().string(1, id)),
};

/** containerd.services.events.ttrpc.v1 ForwardRequest{Envelope{timestamp, namespace, topic, event}}. */
export function encodeForward(namespace: string, e: TaskEvent, at: Time): Uint8Array {
  const envelope = new Writer().message(1, time(at)).string(2, namespace).string(3, e.topic).message(4, any({ typeUrl: e.typeUrl, value: e.value }));
  return new Writer().message(1, envelope).finish();
}
