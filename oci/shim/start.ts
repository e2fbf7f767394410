/**
 * `start`: containerd runs it for every container, in the container's
 * bundle, and reads the ttrpc address of the shim that will serve it from
 * stdout. A container of a pod whose shim runs gets that shim's address; any
 * other starts a new shim. As the runc shim does, the socket is bound here
 * and handed to the new shim as its fd 3, so this process exits at once:
 * containerd's first request waits in the socket's backlog while the new
 * shim's Node starts. This path runs per container; it loads no more than
 * node:fs, node:net and node:child_process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ShimFlags } from './flags.js';
import { socketAddress, socketPath } from './paths.js';

/**
 * Annotations that group containers into one shim, first found wins: ours,
 * then CRI's pod id (the runc shim's rule, with its own label first).
 */
export const GROUP_LABELS = ['io.containerd.tswasi.v1.group', 'io.kubernetes.cri.sandbox-id'];

function grouping(id: string): string {
  let spec: unknown;
  try {
    spec = JSON.parse(fs.readFileSync('config.json', 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the bundle's config.json: ${(e as Error).message}`);
  }
  const ann = (spec as { annotations?: unknown }).annotations;
  if (typeof ann === 'object' && ann !== null) {
    for (const label of GROUP_LABELS) {
      const v = (ann as Record<string, unknown>)[label];
      if (typeof v === 'string' && v !== '') return v;
    }
  }
  return id;
}

/** Write `file` whole or not at all (containerd reads `address` when it reconnects after a restart). */
export function writeAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}`);
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function listen(p: string, s = net.createServer()): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(p, () => { s.off('error', reject); resolve(s); });
  });
}

function canConnect(p: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.createConnection(p);
    const done = (ok: boolean): void => { clearTimeout(timer); c.destroy(); resolve(ok); };
    const timer = setTimeout(() => done(false), 100);
    c.once('connect', () => done(true));
    c.once('error', () => done(false));
  });
}

/**
 * Bind `server` to the shim socket `sock` (mode 0600). False if a shim
 * already serves it; a socket left by a shim that died is replaced.
 */
export async function bindShimSocket(server: net.Server, sock: string): Promise<boolean> {
  fs.mkdirSync(path.dirname(sock), { recursive: true, mode: 0o711 });
  try {
    await listen(sock, server);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw new Error(`create the shim socket: ${(e as Error).message}`);
    if (await canConnect(sock)) return false;
    // A socket left by a shim that died: nobody serves it.
    fs.rmSync(sock, { force: true });
    await listen(sock, server);
  }
  fs.chmodSync(sock, 0o600);
  return true;
}

export async function start(f: ShimFlags): Promise<string> {
  const address = socketAddress(f.address, f.namespace, grouping(f.id));
  const sock = socketPath(address);
  const server = net.createServer();
  if (!(await bindShimSocket(server, sock))) {
    writeAtomic('address', address);
    return address;
  }
  writeAtomic('address', address);
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  const args = [...process.execArgv, process.argv[1]!, '-namespace', f.namespace, '-id', f.id, '-address', f.address, '-publish-binary', f.publishBinary];
  if (f.debug) args.push('-debug');
  // A session of its own (the runc shim's Setpgid, and more): a signal to containerd's group never reaches it.
  const child = spawn(process.execPath, args, { cwd: process.cwd(), detached: true, stdio: ['ignore', 'ignore', 'ignore', fd] });
  if (child.pid === undefined) throw new Error('cannot start the shim');
  writeAtomic('shim.pid', String(child.pid));
  child.unref();
  return address;
}
