/**
 * One container of the shim: its init process and its execs, each a
 * process under conmon (monitor.ts). Containers are created as tswasi-oci
 * creates them — the same classification and, for a Wasm container, the
 * same rewritten bundle (oci/commands/create.ts), so the container runner
 * runs in the container's own namespaces, cgroup and security settings —
 * with runc driven directly by the shim.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseGlobals } from '../argv.js';
import { removeCopies } from '../bundle-copies.js';
import { classify, loadBundle, prepareWasm } from '../commands/create.js';
import { wasmExecProcess } from '../commands/exec.js';
import { Context } from '../context.js';
import { ANNOTATION_CONTAINER_TYPE } from '../detect.js';
import { RUNNER_MODULE } from '../guest.js';
import { deleteStoppedContainer } from '../runc-delete.js';
import { isRunc, runcCgroupPaths } from '../runc-state.js';
import { isBind, parseProcess, type Spec } from '../spec.js';
import { now, Status, type Any, type StatusCode, type Time } from './messages.js';
import { CGROUPS_V1_METRICS, cgroupV1Metrics, oomKills } from './metrics.js';
import { startMonitor, type Exit, type Monitor } from './monitor.js';
import { GrpcClient } from './grpc.js';
import { imageModule, type ImageModule } from './image-module.js';
import { mountRootfs, unmountRootfs } from './rootfs.js';
import type { Mount } from './messages.js';
import { Stdio, type StdioPaths } from './stdio.js';
import { createTerminalRun, Gate, hangUpTerminal, resizeTerminal, startTerminalExec } from './terminal.js';
import { Code, RpcError } from './ttrpc.js';

const run = promisify(execFile);

/** What every container of a shim shares: runc, its root, the namespace. */
export interface Runtime {
  runc: string;
  root: string;
  /** tswasi-oci's view of that root, for the shared create code. */
  ctx: Context;
  /** containerd's API (the shim's -address), for images whose module is a layer; null when the shim was not told it. */
  containerd: GrpcClient | null;
}

/** `api`: containerd's API socket and the shim's namespace. */
export function newRuntime(root: string, api?: { address: string; namespace: string }): Runtime {
  // Every container whose entrypoint is a Wasm module runs as Wasm (tswasi-oci-wasm's rule): this is a Wasm shim.
  const ctx = new Context(parseGlobals(['--root', root]), true);
  const address = api?.address.replace(/^unix:\/\//, '') ?? '';
  return { runc: ctx.nativeRuntime(), root, ctx, containerd: address === '' ? null : new GrpcClient(address, api!.namespace) };
}

/** runc with the shim's root; its error in its own words. */
export async function runc(rt: Runtime, args: readonly string[], input?: Uint8Array): Promise<string> {
  try {
    const p = run(rt.runc, ['--root', rt.root, ...args], { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (input !== undefined) { p.child.stdin?.end(Buffer.from(input)); }
    return (await p).stdout;
  } catch (e) {
    const stderr = ((e as { stderr?: string }).stderr ?? '').trim();
    throw new Error(`runc ${args[0]}: ${stderr.replace(/^time=.*msg="?|"?$/g, '') || (e as Error).message}`);
  }
}

export class Proc {
  pid = 0;
  status: StatusCode = Status.CREATED;
  exitStatus = 0;
  exitedAt: Time | undefined;
  monitor: Monitor | null = null;
  stdio: Stdio | null = null;
  readonly done: Promise<void>;
  private markDone!: () => void;
  /** While Create or Start is under way, the exit waits: its event must follow theirs (the runc shim holds exits alike). */
  private hold: Promise<void> = Promise.resolve();

  holdExits(): () => void {
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const before = this.hold;
    this.hold = before.then(() => held);
    return release;
  }

  /** Resolves when no Create or Start of this process is under way. */
  get settled(): Promise<void> {
    return this.hold;
  }

  constructor(readonly execId: string, readonly io: StdioPaths, readonly dir: string) {
    this.done = new Promise((r) => { this.markDone = r; });
  }

  /** The process ended (or was never started): wake every Wait. */
  exited(status: number, at: Time): void {
    if (this.status === Status.STOPPED) return;
    this.status = Status.STOPPED;
    this.exitStatus = status;
    this.exitedAt = at;
    this.markDone();
  }

  get running(): boolean {
    return this.status === Status.RUNNING || this.status === Status.PAUSED || this.status === Status.PAUSING;
  }
}

/** What the service is told when a process ends: publish TaskOOM (if), TaskExit. */
export type OnExit = (c: Container, p: Proc, e: Exit) => void;

export class Container {
  readonly init: Proc;
  readonly execs = new Map<string, Proc>();
  /** The engine's config (not the rewritten one). */
  spec!: Spec;
  wasm = false;
  /** A container whose process has a terminal waits here between Create and Start (./terminal.ts). */
  private gate: Gate | null = null;
  /** The signal a Kill sent it while it waited there. */
  private killedBeforeStart: number | null = null;
  /** The image's module layer the container runs (image-module.ts), if its module is not a file of the rootfs. */
  private imageModule: { name: string; argv0: string } | null = null;
  private readonly state: string;

  constructor(
    private readonly rt: Runtime,
    readonly id: string,
    readonly bundle: string,
    readonly rootfs: readonly Mount[],
    io: StdioPaths,
    private readonly onExit: OnExit,
  ) {
    // Our files for this container live in its bundle, which containerd removes after Delete.
    this.state = path.join(bundle, 'tswasi-shim');
    this.init = new Proc('', io, path.join(this.state, 'init'));
  }

  /** Mount the rootfs, classify, rewrite a Wasm container's bundle, and runc create it under conmon. Returns the pid. */
  async create(): Promise<number> {
    await mountRootfs(this.bundle, this.rootfs);
    let copy: string | null = null;
    try {
      const { dir, spec } = loadBundle(this.bundle);
      this.spec = spec;
      let bundle = dir;
      let fds: number[] = [];
      let d: ReturnType<typeof classify> | null = null;
      let notClassified: unknown;
      try { d = classify(this.rt.ctx, dir, spec); } catch (e) { notClassified = e; }
      // No entrypoint in the rootfs: the image may be one whose module is a layer.
      const layer = d === null || (!d.wasm && d.bytes === null) ? await this.moduleLayer(dir, spec) : null;
      if (layer !== null) {
        this.wasm = true;
        this.imageModule = { name: layer.name, argv0: spec.process?.args?.[0] ?? layer.name };
        ({ copy, fds } = await prepareWasm(this.rt.ctx, { id: this.id }, dir, spec, layer.bytes, `module ${layer.digest}, a layer of the image`, { name: layer.name }));
        bundle = copy;
      } else if (d === null) {
        throw notClassified;
      } else if (d.wasm) {
        this.wasm = true;
        ({ copy, fds } = await prepareWasm(this.rt.ctx, { id: this.id }, dir, spec, d.bytes!, d.reason));
        bundle = copy;
      }
      if (this.init.io.terminal) bundle = this.gated(bundle, copy !== null);
      await this.launch(this.init, fds, { bundle });
      return this.init.pid;
    } catch (e) {
      this.gate?.close();
      if (copy !== null) removeCopies(this.rt.root, this.id);
      await unmountRootfs(this.bundle);
      throw e;
    }
  }

  /**
   * The image's module layer, for a container whose entrypoint is not a file
   * of its rootfs (or which has none): the image may be one whose module is
   * a layer (image-module.ts): asked of containerd when the rootfs is empty
   * (as such an image's is), there are no args, or args[0] is named as a
   * module. A native command found on PATH (`sh`) costs no call.
   */
  private async moduleLayer(dir: string, spec: Spec): Promise<ImageModule | null> {
    if (this.rt.containerd === null || spec.annotations?.[ANNOTATION_CONTAINER_TYPE] === 'sandbox') return null;
    const argv0 = spec.process?.args?.[0];
    if (argv0 !== undefined && !/\.(wasm|wat)$/.test(argv0) && !emptyDir(path.resolve(dir, spec.root?.path ?? 'rootfs'))) return null;
    try {
      return await imageModule(this.rt.containerd, this.id, spec.process?.args?.[0]);
    } catch (e) {
      throw new Error(`reading the module of ${this.id}'s image from containerd: ${(e as Error).message}`);
    }
  }

  /**
   * The bundle for a container whose process has a terminal: its config with
   * the gate's createRuntime hook (./terminal.ts) — written into a Wasm
   * container's copy, or a copy of its own for a native one (the root and
   * relative bind sources resolved against the engine's bundle).
   */
  private gated(bundle: string, isCopy: boolean): string {
    const gate = new Gate(this.init.dir);
    this.gate = gate;
    // The file as written (loadBundle has checked it): every field passes to runc as it is.
    const config = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as Spec;
    let dir = bundle;
    if (!isCopy) {
      dir = path.join(this.init.dir, 'bundle');
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (config.root?.path !== undefined) config.root.path = path.resolve(bundle, config.root.path);
      for (const m of config.mounts ?? []) if (m.source !== undefined && isBind(m)) m.source = path.resolve(bundle, m.source);
    }
    // Last of the engine's createRuntime hooks: the container is set up as it would be for `runc start`.
    const hooks = config.hooks ?? {};
    const engines = Array.isArray(hooks['createRuntime']) ? hooks['createRuntime'] as unknown[] : [];
    config.hooks = { ...hooks, createRuntime: [...engines, gate.hook] };
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config), { mode: 0o600 });
    return dir;
  }

  private async launch(p: Proc, fds: number[], what: { bundle?: string; processFile?: string }): Promise<void> {
    const stdio = new Stdio(p.io);
    const o = { runc: this.rt.runc, root: this.rt.root, id: this.id, dir: p.dir, fds };
    try {
      p.monitor = !p.io.terminal
        ? await startMonitor({ ...o, ...what, stdio: stdio.slots })
        : what.processFile !== undefined
          ? await startTerminalExec({ ...o, processFile: what.processFile, stdio: [stdio.slots[0], stdio.slots[1]] })
          : await createTerminalRun({ ...o, bundle: what.bundle!, gate: this.gate!, stdio: [stdio.slots[0], stdio.slots[1]] });
    } catch (e) {
      stdio.close();
      throw e;
    } finally {
      for (const fd of fds) fs.closeSync(fd);
    }
    if (p.io.terminal) stdio.hangUp = () => this.hangUp(p);
    stdio.attach(p.monitor.child.stdin);
    p.stdio = stdio;
    p.pid = p.monitor.pid;
    void p.monitor.exited.then(async (e) => {
      stdio.release();
      if (p === this.init && this.gate !== null) e = this.gateExit(e);
      await p.settled;
      if (p.status === Status.STOPPED) return;
      p.exited(e.status, now());
      this.onExit(this, p, e);
    });
  }

  /**
   * A terminal container's exit, as conmon would have reported it: the OOM
   * killer's work from the cgroup's count (runc run --keep leaves the cgroup
   * until Delete), and a container killed before Start as its init would
   * have died, by the signal.
   */
  private gateExit(e: Exit): Exit {
    this.gate!.close();
    if (this.killedBeforeStart !== null) return { status: 128 + this.killedBeforeStart, oom: false };
    const paths = runcCgroupPaths(this.rt.root, this.id);
    return { status: e.status, oom: paths !== undefined && oomKills(paths) > 0n };
  }

  async start(): Promise<number> {
    if (this.init.status !== Status.CREATED) throw new RpcError(Code.FAILED_PRECONDITION, `container ${this.id} is not created (it has been started)`);
    if (this.gate !== null) this.gate.open('start');
    else await runc(this.rt, ['start', this.id]);
    // The process may already have ended and been reported: only a created one becomes running.
    if (this.init.status === Status.CREATED) this.init.status = Status.RUNNING;
    return this.init.pid;
  }

  /** A terminal's stdin ended (./stdio.ts): its process, if it has started, is hung up (./terminal.ts); whether an end of file follows. */
  private hangUp(p: Proc): boolean {
    const script = p.monitor?.child.pid;
    return !p.running || script === undefined || hangUpTerminal(script, p.pid);
  }

  /** Exec: record the process; it runs at Start. */
  addExec(execId: string, io: StdioPaths, processJson: Uint8Array): Proc {
    if (this.execs.has(execId)) throw new RpcError(Code.ALREADY_EXISTS, `exec ${execId} already exists`);
    if (!this.init.running) throw new RpcError(Code.FAILED_PRECONDITION, `container ${this.id} is not running`);
    const p = new Proc(execId, io, path.join(this.state, `exec-${execId}`));
    const proc = parseProcess(Buffer.from(processJson).toString('utf8'), `exec ${execId}`);
    // runc makes a pty as the process says; the request's word is the one its stdio was set up for.
    proc.terminal = io.terminal;
    fs.mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(p.dir, 'process.json'), JSON.stringify(proc), { mode: 0o600 });
    this.execs.set(execId, p);
    return p;
  }

  async startExec(p: Proc): Promise<number> {
    if (p.status !== Status.CREATED) throw new RpcError(Code.FAILED_PRECONDITION, `exec ${p.execId} has been started`);
    const file = path.join(p.dir, 'process.json');
    const fds: number[] = [];
    if (this.wasm) {
      const proc = parseProcess(fs.readFileSync(file, 'utf8'), file);
      // In a container whose module is an image layer, the module's name (or the container's argv[0]) runs that layer.
      const m = this.imageModule;
      const own = m !== null && (proc.args?.[0] === m.argv0 || proc.args?.[0] === m.name);
      const w = wasmExecProcess(this.spec, proc, 3, own ? RUNNER_MODULE : undefined);
      fds.push(w.fd);
      fs.writeFileSync(file, JSON.stringify(w.process), { mode: 0o600 });
    }
    await this.launch(p, fds, { processFile: file });
    if (p.status === Status.CREATED) p.status = Status.RUNNING;
    return p.pid;
  }

  async kill(p: Proc, signal: number, all: boolean): Promise<void> {
    if (p.status === Status.STOPPED) throw new RpcError(Code.NOT_FOUND, 'process already finished');
    if (p === this.init && this.gate !== null && p.status === Status.CREATED) {
      // Waiting at the gate, the container is not yet runc's to signal ("creating"): its init gets the signal and runc gives up.
      this.killedBeforeStart = signal;
      try { process.kill(p.pid, signal); } catch { /* already gone */ }
      this.gate.open('abort');
      return;
    }
    if (p === this.init) {
      await runc(this.rt, ['kill', ...(all ? ['--all'] : []), this.id, String(signal)]);
      return;
    }
    if (p.pid === 0) throw new RpcError(Code.FAILED_PRECONDITION, `exec ${p.execId} has not been started`);
    try {
      process.kill(p.pid, signal);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') throw new RpcError(Code.NOT_FOUND, 'process already finished');
      throw e;
    }
  }

  /** ResizePty: a running process with a terminal gets the size; any other has none to resize (as the runc shim answers). */
  async resize(p: Proc, width: number, height: number): Promise<void> {
    if (!p.io.terminal || !p.running || p.monitor?.child.pid === undefined) return;
    await resizeTerminal(p.monitor.child.pid, width, height);
  }

  /** Delete an exec: it must have ended (or never started). */
  deleteExec(p: Proc): void {
    if (p.running) throw new RpcError(Code.FAILED_PRECONDITION, `exec ${p.execId} is still running`);
    p.stdio?.close();
    if (p.status === Status.CREATED) p.exited(0, now());
    this.execs.delete(p.execId);
    fs.rmSync(p.dir, { recursive: true, force: true });
  }

  /** A stopped container runc's files show plain, deleted as runc deletes it (../runc-delete.ts): no runc process after every container. */
  private deletedHere(): boolean {
    return isRunc(this.rt.runc) && deleteStoppedContainer(this.rt.root, this.id);
  }

  /** Delete the container: a created one is killed first; a running one is refused, as runc refuses it. */
  async delete(): Promise<void> {
    if (this.init.running) throw new RpcError(Code.FAILED_PRECONDITION, `cannot delete container ${this.id}: it is running (kill it first)`);
    if (this.init.status === Status.CREATED && this.gate !== null) {
      // Never started: runc removes the container when the gate says so; its init ends as `runc delete --force` ends one (SIGKILL).
      this.killedBeforeStart = 9;
      this.gate.open('abort');
      if (this.init.monitor !== null) await this.init.monitor.exited;
      // runc run --keep keeps even a container that failed to start.
      if (!this.deletedHere()) await runc(this.rt, ['delete', '--force', this.id]).catch(() => undefined);
    } else if (this.init.status === Status.CREATED) {
      await runc(this.rt, ['delete', '--force', this.id]);
      if (this.init.monitor !== null) await this.init.monitor.exited;
    } else if (!this.deletedHere()) {
      await runc(this.rt, ['delete', this.id]).catch(() => runc(this.rt, ['delete', '--force', this.id]));
    }
    this.init.stdio?.close();
    await this.cleanup();
  }

  /** Everything the container left on the host: the runc state (already gone), the Wasm bundle copy, the rootfs mount, our files. */
  async cleanup(): Promise<void> {
    if (this.wasm) removeCopies(this.rt.root, this.id);
    await unmountRootfs(this.bundle);
    fs.rmSync(this.state, { recursive: true, force: true });
  }

  async pids(): Promise<number[]> {
    const out = await runc(this.rt, ['ps', '--format', 'json', this.id]);
    const v = JSON.parse(out || '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
  }

  /**
   * The cgroup counters of the container (./metrics.ts), as the runc shim's
   * Stats gives them on a cgroup v1 host. A cgroup v2 host gets UNIMPLEMENTED:
   * io.containerd.cgroups.v2.Metrics is not written here.
   */
  stats(): Any {
    const paths = runcCgroupPaths(this.rt.root, this.id);
    if (paths === undefined) throw new RpcError(Code.NOT_FOUND, 'cgroup does not exist');
    if (Object.keys(paths).every((k) => k === '')) {
      throw new RpcError(Code.UNIMPLEMENTED, `stats of ${this.id}: cgroup v2 metrics are not supported by containerd-shim-tswasi-v1`);
    }
    return { typeUrl: CGROUPS_V1_METRICS, value: cgroupV1Metrics(paths) };
  }

  async pause(): Promise<void> {
    await runc(this.rt, ['pause', this.id]);
    this.init.status = Status.PAUSED;
  }

  async resume(): Promise<void> {
    await runc(this.rt, ['resume', this.id]);
    this.init.status = Status.RUNNING;
  }

  /** linux.resources as JSON (the Any's value, as containerd marshals specs.LinuxResources). */
  async update(resources: Uint8Array): Promise<void> {
    await runc(this.rt, ['update', '--resources', '-', this.id], resources);
  }
}

/** A directory with no entries (a missing one counts as not empty: not ours to judge). */
function emptyDir(dir: string): boolean {
  try {
    const d = fs.opendirSync(dir);
    try { return d.readSync() === null; } finally { d.closeSync(); }
  } catch {
    return false;
  }
}
