/**
 * The shim itself: serves the task API over ttrpc on the socket `start`
 * bound (fd 3) — or, started by the wrapper's sh `start` with `-socket`
 * (scripts/containerd-shim-tswasi-v1.sh), on one it binds itself, telling
 * that sh on stdout when it listens — publishes task events to containerd, and ends when
 * containerd shuts it down after its last container. Its log goes to the
 * `log` FIFO containerd reads in the first container's bundle (the shim
 * library's rule), in logrus' text format.
 *
 * A spare (`-spare DIR`, started by the sh ahead of the next pod): it binds
 * DIR/socket-<pid> and waits. The sh's `start` of a new pod claims it —
 * renames that socket to the pod's address, writes the bundle's shim.pid and
 * address, and DIR/claim-<pid> naming the bundle and address — and only
 * then prints the address, so containerd's first connection finds the claim
 * written: the spare reads it then, opens the bundle's log, and is that
 * pod's shim. A new pod so waits for no Node start-up.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ShimFlags } from './flags.js';
import { boundRecord, checkName, runcRoot, socketPath } from './paths.js';
import { bindShimSocket, writeAtomic } from './start.js';
import { Publisher } from './publisher.js';
import { TASK_SERVICE, TaskService } from './service.js';
import { newRuntime, type Runtime } from './task.js';
import { serveTtrpc, type Method } from './ttrpc.js';
import { version } from './version.js';

function openLog(file: string): number | null {
  try {
    return fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch {
    return null; // no reader (containerd opens it before start; a test may not)
  }
}

/** A spare's claim (DIR/claim-<pid>, written by the sh): the bundle of the pod's first container and the pod's address. */
function readClaim(dir: string): { bundle: string; address: string } {
  const file = path.join(dir, `claim-${process.pid}`);
  const c = JSON.parse(fs.readFileSync(file, 'utf8')) as { bundle?: unknown; address?: unknown };
  fs.rmSync(file, { force: true });
  if (typeof c.bundle !== 'string' || !path.isAbsolute(c.bundle) || typeof c.address !== 'string' || !/^unix:\/\/\/run\/containerd\/s\/[0-9a-f]{64}$/.test(c.address)) {
    throw new Error(`malformed claim ${file}`);
  }
  return { bundle: c.bundle, address: c.address };
}

export async function main(f: ShimFlags): Promise<void> {
  checkName('namespace', f.namespace);
  let logFd = f.spare === '' ? openLog('log') : null;
  const log = (line: string, level = 'info'): void => {
    if (logFd === null) return;
    try {
      fs.writeSync(logFd, `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(line)} runtime=io.containerd.tswasi.v1 pid=${process.pid}\n`);
    } catch { /* a full or closed log pipe must not stop the shim */ }
  };
  let address = '';
  if (f.spare === '') try { address = fs.readFileSync('address', 'utf8').trim(); } catch { /* started by hand */ }
  const publisher = new Publisher(process.env['TTRPC_ADDRESS'] ?? '', f.namespace, (l) => log(l, 'warning'));
  let rt: Runtime | null = null;
  const server = net.createServer();
  const service = new TaskService(() => (rt ??= newRuntime(runcRoot(f.namespace), { address: f.address, namespace: f.namespace })), publisher, {
    version: `tswasi ${version()}`,
    log: (l) => log(l, 'error'),
    shutdown: () => {
      // Events first (the TaskExit and TaskDelete of the last container), then the socket, then us.
      void publisher.flushed().then(() => {
        server.close();
        if (address !== '') fs.rmSync(socketPath(address), { force: true });
        if (address !== '' && f.spare !== '') fs.rmSync(boundRecord(address), { force: true });
        publisher.close();
        process.exit(0);
      });
    },
  });
  // containerd at log level debug starts its shims with -debug: then each call is logged with its time.
  const methods = f.debug ? timed(service.methods, (l) => log(l, 'debug')) : service.methods;
  if (f.spare !== '') {
    // Registered before serveTtrpc's handler: the claim is read before the first request is.
    server.once('connection', () => {
      try {
        const claim = readClaim(f.spare);
        address = claim.address;
        logFd = openLog(path.join(claim.bundle, 'log'));
        // Started at a low priority so as not to slow the pod being created meanwhile; a pod's shim is not.
        try { os.setPriority(0); } catch { /* not root: stays as it is */ }
        log(`serving ${address} (started ahead, as a spare)`, f.debug ? 'debug' : 'info');
      } catch (e) {
        // Connected to before a claim (not the sh's way): not any pod's shim.
        process.stderr.write(`containerd-shim-tswasi-v1: spare: ${(e as Error).message}\n`);
        process.exit(1);
      }
    });
  }
  serveTtrpc(server, new Map([[TASK_SERVICE, methods]]), (l) => log(l, 'warning'));
  if (f.spare !== '') {
    await listenAsSpare(server, f.spare);
    return;
  }
  if (f.socket === '') {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ fd: 3 }, () => resolve());
    });
  } else {
    await selfStarted(server, f.socket);
    address = f.socket;
  }
  log(`serving ${address || 'fd 3'}`, f.debug ? 'debug' : 'info');
}

function timed(methods: ReadonlyMap<string, Method>, log: (line: string) => void): ReadonlyMap<string, Method> {
  return new Map([...methods].map(([name, m]) => [name, async (b: Uint8Array) => {
    const t = performance.now();
    try {
      return await m(b);
    } finally {
      log(`${name} ${(performance.now() - t).toFixed(1)} ms`);
    }
  }]));
}

/**
 * Started by the wrapper's sh `start`: bind the socket (as start.ts would
 * have), write the bundle's shim.pid and address, then say "ready" on
 * stdout and close it — the sh prints the address only then, and its
 * command substitution ends at that EOF. Another shim already serving the
 * socket (two starts at once): it serves; this one says ready and goes.
 */
async function selfStarted(server: net.Server, address: string): Promise<void> {
  const bound = await bindShimSocket(server, socketPath(address));
  if (bound) {
    writeAtomic('shim.pid', String(process.pid));
    writeAtomic('address', address);
  }
  fs.writeSync(1, 'ready\n');
  fs.closeSync(1);
  fs.openSync('/dev/null', 'w'); // takes fd 1 (the lowest free): later writes to stdout go nowhere
  if (!bound) process.exit(0);
}

/**
 * Listen at DIR/socket-<pid>, unless another spare already waits there
 * (each claim starts one; two claims at once may start two): then go.
 */
async function listenAsSpare(server: net.Server, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const n of fs.readdirSync(dir)) {
    const pid = /^socket-(\d+)$/.exec(n)?.[1];
    if (pid === undefined) continue;
    try {
      process.kill(Number(pid), 0);
      process.exit(0); // a live spare waits already
    } catch {
      fs.rmSync(path.join(dir, n), { force: true }); // its shim is gone
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path.join(dir, `socket-${process.pid}`), () => resolve());
  });
}
