/**
 * The thread that owns a guest's listeners when the guest's own thread
 * cannot serve them (the WASI class runs the guest synchronously on the
 * caller's thread, whose event loop then does not turn): a worker that
 * opens the listeners — binding `HOST:PORT`s, or taking over listening fds
 * — and runs a SocketHost until the guest ends.
 *
 * Started by ./open.ts, which waits (Atomics.wait) until every listener is
 * open or one failed: READY in the control block, and the failure's text.
 */
import { createServer, type Server } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { Ctl, setFailure, type SocketChannel } from './channel.js';
import { SocketHost } from './host.js';
import { type ListenerSource, describeListener } from './listeners.js';

interface HostThreadData {
  channel: SocketChannel;
  listeners: ListenerSource[];
}

const { channel, listeners } = workerData as HostThreadData;
const ctl = new Int32Array(channel.control);

function setReady(state: 1 | 2): void {
  Atomics.store(ctl, Ctl.READY, state);
  Atomics.notify(ctl, Ctl.READY);
}

/** Listen as the source says; resolves when listening, rejects with the reason. */
function open(src: ListenerSource): Promise<Server> {
  return new Promise((resolve, reject) => {
    // allowHalfOpen: the peer's FIN ends only its direction; the guest may still answer (shutdown(SHUT_WR) clients).
    const server = createServer({ allowHalfOpen: true });
    server.once('error', reject);
    const listening = (): void => {
      server.off('error', reject);
      resolve(server);
    };
    if (typeof src === 'number') server.listen({ fd: src }, listening);
    else server.listen({ host: src.host, port: src.port, exclusive: true }, listening);
  });
}

async function main(): Promise<void> {
  const servers: Server[] = [];
  try {
    for (const src of listeners) {
      try {
        servers.push(await open(src));
      } catch (e) {
        throw new Error(`failed to bind to address '${describeListener(src)}': ${reason(e)}`);
      }
    }
  } catch (e) {
    for (const s of servers) s.close();
    setFailure(channel.control, (e as Error).message);
    setReady(2);
    channel.port.close();
    return;
  }
  // Errors on a listening socket after it opened (EMFILE on accept) must not end the thread.
  for (const s of servers) s.on('error', () => {});
  const host = new SocketHost(channel.control, channel.port, servers, true, () => parentPort?.close());
  // A bug of ours on this thread must not leave the guest waiting forever for a host that is gone.
  process.on('uncaughtException', (e) => {
    process.stderr.write(`tswasi: the sockets' thread failed: ${e?.stack ?? String(e)}\n`);
    host.died();
  });
  setReady(1);
}

/** A listen error as one short phrase: "address already in use". */
function reason(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  switch (code) {
    case 'EADDRINUSE': return 'address already in use';
    case 'EACCES': return 'permission denied';
    case 'EADDRNOTAVAIL': return 'address not available';
    case 'ENOTFOUND': case 'EAI_AGAIN': case 'EAI_NONAME': return 'host not found';
    case 'ENOTSOCK': return 'not a socket';
    case 'EINVAL': return 'not a listening stream socket';
    default: return (e as Error).message ?? String(e);
  }
}

void main();
