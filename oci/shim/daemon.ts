/**
 * The shim itself: serves the task API over ttrpc on the socket `start`
 * bound (fd 3) — or, started by the wrapper's sh `start` with `-socket`
 * (scripts/containerd-shim-tswasi-v1.sh), on one it binds itself, telling
 * that sh on stdout when it listens — publishes task events to containerd, and ends when
 * containerd shuts it down after its last container. Its log goes to the
 * `log` FIFO containerd reads in the first container's bundle (the shim
 * library's rule), in logrus' text format.
 */
import fs from 'node:fs';
import net from 'node:net';
import type { ShimFlags } from './flags.js';
import { checkName, runcRoot, socketPath } from './paths.js';
import { bindShimSocket, writeAtomic } from './start.js';
import { Publisher } from './publisher.js';
import { TASK_SERVICE, TaskService } from './service.js';
import { newRuntime, type Runtime } from './task.js';
import { serveTtrpc, type Method } from './ttrpc.js';
import { version } from './version.js';

function openLog(): number | null {
  try {
    return fs.openSync('log', fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch {
    return null; // no reader (containerd opens it before start; a test may not)
  }
}

export async function main(f: ShimFlags): Promise<void> {
  checkName('namespace', f.namespace);
  const logFd = openLog();
  const log = (line: string, level = 'info'): void => {
    if (logFd === null) return;
    try {
      fs.writeSync(logFd, `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(line)} runtime=io.containerd.tswasi.v1 pid=${process.pid}\n`);
    } catch { /* a full or closed log pipe must not stop the shim */ }
  };
  let address = '';
  try { address = fs.readFileSync('address', 'utf8').trim(); } catch { /* started by hand */ }
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
        publisher.close();
        process.exit(0);
      });
    },
  });
  // containerd at log level debug starts its shims with -debug: then each call is logged with its time.
  const methods = f.debug ? timed(service.methods, (l) => log(l, 'debug')) : service.methods;
  serveTtrpc(server, new Map([[TASK_SERVICE, methods]]), (l) => log(l, 'warning'));
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
