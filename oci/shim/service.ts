/**
 * containerd.task.v2.Task (runtime/v2/task/shim.proto) for the containers
 * of one shim: the ttrpc methods, their checks, and the task events they
 * publish — with the runc shim's statuses and words where containerd reads
 * them (NotFound for an unknown id, "process already finished"…).
 */
import {
  decodeCloseIO, decodeCreate, decodeExec, decodeKill, decodeRef, decodeResize, decodeShutdown, decodeUpdate,
  EMPTY, encodeConnect, encodeDeleted, encodePid, encodePids, encodeState, encodeStats, encodeWait, events, now,
} from './messages.js';
import type { Publisher } from './publisher.js';
import { Container, type Proc, type Runtime } from './task.js';
import { Code, RpcError, type Method } from './ttrpc.js';
import { idProblem } from '../runc-errors.js';

export const TASK_SERVICE = 'containerd.task.v2.Task';

export interface ServiceHooks {
  /** The last container is gone and containerd asked us to shut down. */
  shutdown(): void;
  log(line: string): void;
  version: string;
}

export class TaskService {
  private readonly containers = new Map<string, Container>();

  constructor(private readonly rt: () => Runtime, private readonly pub: Publisher, private readonly hooks: ServiceHooks) {}

  private container(id: string): Container {
    const c = this.containers.get(id);
    if (c === undefined) throw new RpcError(Code.NOT_FOUND, `container ${id}: not found`);
    return c;
  }

  private process(id: string, execId: string): { c: Container; p: Proc } {
    const c = this.container(id);
    if (execId === '') return { c, p: c.init };
    const p = c.execs.get(execId);
    if (p === undefined) throw new RpcError(Code.NOT_FOUND, `process ${execId} does not exist`);
    return { c, p };
  }

  private readonly onExit = (c: Container, p: Proc, e: { status: number; oom: boolean }): void => {
    if (e.oom && p === c.init) this.pub.publish(events.oom(c.id));
    this.pub.publish(events.exit(c.id, p === c.init ? c.id : p.execId, p.pid, p.exitStatus, p.exitedAt!));
  };

  readonly methods: ReadonlyMap<string, Method> = new Map<string, Method>([
    ['Create', async (b) => {
      const r = decodeCreate(b);
      const bad = idProblem(r.id);
      if (bad !== null) throw new RpcError(Code.INVALID_ARGUMENT, bad);
      if (r.checkpoint !== '') throw new RpcError(Code.UNIMPLEMENTED, 'restoring a checkpoint is not supported by containerd-shim-tswasi-v1');
      if (this.containers.has(r.id)) throw new RpcError(Code.ALREADY_EXISTS, `container ${r.id}: already exists`);
      const c = new Container(this.rt(), r.id, r.bundle, r.rootfs, { stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, terminal: r.terminal }, this.onExit);
      this.containers.set(r.id, c);
      const release = c.init.holdExits();
      try {
        const pid = await c.create();
        this.pub.publish(events.create(r.id, r.bundle, r.rootfs, { stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, terminal: r.terminal }, pid));
        return encodePid(pid);
      } catch (e) {
        this.containers.delete(r.id);
        throw e;
      } finally {
        release();
      }
    }],
    ['Start', async (b) => {
      const r = decodeRef(b);
      const { c, p } = this.process(r.id, r.execId);
      // A process that ends at once: its TaskExit after this TaskStart.
      const release = p.holdExits();
      try {
        if (p === c.init) {
          const pid = await c.start();
          this.pub.publish(events.start(c.id, pid));
          return encodePid(pid);
        }
        const pid = await c.startExec(p);
        this.pub.publish(events.execStarted(c.id, p.execId, pid));
        return encodePid(pid);
      } finally {
        release();
      }
    }],
    ['Delete', async (b) => {
      const r = decodeRef(b);
      const { c, p } = this.process(r.id, r.execId);
      if (p === c.init) {
        await c.delete();
        this.containers.delete(c.id);
      } else {
        c.deleteExec(p);
      }
      const at = p.exitedAt ?? now();
      this.pub.publish(events.delete(c.id, p.pid, p.exitStatus, at));
      return encodeDeleted(p.pid, p.exitStatus, at);
    }],
    ['Exec', (b) => {
      const r = decodeExec(b);
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(r.execId)) throw new RpcError(Code.INVALID_ARGUMENT, `invalid exec id ${JSON.stringify(r.execId)}`);
      if (r.spec === null) throw new RpcError(Code.INVALID_ARGUMENT, 'exec: no process spec');
      const c = this.container(r.id);
      c.addExec(r.execId, { stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, terminal: r.terminal }, r.spec.value);
      this.pub.publish(events.execAdded(c.id, r.execId));
      return EMPTY;
    }],
    ['ResizePty', async (b) => {
      const r = decodeResize(b);
      const { c, p } = this.process(r.id, r.execId);
      await c.resize(p, r.width, r.height);
      return EMPTY;
    }],
    ['State', (b) => {
      const r = decodeRef(b);
      const { c, p } = this.process(r.id, r.execId);
      return encodeState({
        id: p === c.init ? c.id : p.execId, bundle: c.bundle, pid: p.pid, status: p.status,
        stdin: p.io.stdin, stdout: p.io.stdout, stderr: p.io.stderr, terminal: p.io.terminal,
        exitStatus: p.exitStatus, exitedAt: p.exitedAt, execId: p.execId,
      });
    }],
    ['Pause', async (b) => {
      const c = this.container(decodeRef(b).id);
      await c.pause();
      this.pub.publish(events.paused(c.id));
      return EMPTY;
    }],
    ['Resume', async (b) => {
      const c = this.container(decodeRef(b).id);
      await c.resume();
      this.pub.publish(events.resumed(c.id));
      return EMPTY;
    }],
    ['Kill', async (b) => {
      const r = decodeKill(b);
      const { c, p } = this.process(r.id, r.execId);
      if (r.signal < 1 || r.signal > 64) throw new RpcError(Code.INVALID_ARGUMENT, `invalid signal ${r.signal}`);
      await c.kill(p, r.signal, r.all);
      return EMPTY;
    }],
    ['Pids', async (b) => encodePids(await this.container(decodeRef(b).id).pids())],
    ['CloseIO', (b) => {
      const r = decodeCloseIO(b);
      const { p } = this.process(r.id, r.execId);
      if (r.stdin) p.stdio?.closeStdin();
      return EMPTY;
    }],
    ['Checkpoint', (b) => {
      this.container(decodeRef(b).id);
      throw new RpcError(Code.UNIMPLEMENTED, 'checkpoint is not supported by containerd-shim-tswasi-v1');
    }],
    ['Connect', (b) => {
      const c = this.containers.get(decodeRef(b).id);
      return encodeConnect(process.pid, c?.init.pid ?? 0, this.hooks.version);
    }],
    ['Shutdown', (b) => {
      decodeShutdown(b);
      // A shim serves a whole pod: it goes only with its last container (the runc shim's rule).
      if (this.containers.size === 0) setImmediate(() => this.hooks.shutdown());
      return EMPTY;
    }],
    ['Stats', (b) => encodeStats(this.container(decodeRef(b).id).stats())],
    ['Update', async (b) => {
      const r = decodeUpdate(b);
      const c = this.container(r.id);
      if (r.resources !== null) await c.update(r.resources.value);
      return EMPTY;
    }],
    ['Wait', async (b) => {
      const r = decodeRef(b);
      const { p } = this.process(r.id, r.execId);
      await p.done;
      return encodeWait(p.exitStatus, p.exitedAt!);
    }],
  ]);

  /** Every container, for a shutdown of the shim. */
  get size(): number {
    return this.containers.size;
  }
}
