/**
 * Task events to containerd: ttrpc Events.Forward on containerd's ttrpc
 * socket (TTRPC_ADDRESS), as containerd's shim library publishes them. In
 * order, one at a time; an event that fails is tried again (containerd may
 * be restarting) a few times, then dropped with a log line — the runc
 * shim's rule.
 */
import { encodeForward, now, type TaskEvent } from './messages.js';
import { TtrpcClient } from './ttrpc.js';

const SERVICE = 'containerd.services.events.ttrpc.v1.Events';
const ATTEMPTS = 5;

export class Publisher {
  private readonly client: TtrpcClient | null;
  private queue: Promise<void> = Promise.resolve();

  constructor(ttrpcAddress: string, private readonly namespace: string, private readonly log: (line: string) => void) {
    this.client = ttrpcAddress === '' ? null : new TtrpcClient(ttrpcAddress.replace(/^unix:\/\//, ''));
  }

  publish(e: TaskEvent): void {
    const payload = encodeForward(this.namespace, e, now());
    this.queue = this.queue.then(() => this.send(e.topic, payload));
  }

  /** Every event published so far has been sent (or given up). */
  flushed(): Promise<void> {
    return this.queue;
  }

  private async send(topic: string, payload: Uint8Array): Promise<void> {
    if (this.client === null) return;
    for (let i = 1; ; i++) {
      try {
        await this.client.call(SERVICE, 'Forward', payload, 5000);
        return;
      } catch (e) {
        if (i === ATTEMPTS) {
          this.log(`event ${topic} dropped after ${ATTEMPTS} attempts: ${(e as Error).message}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * i * i));
      }
    }
  }

  close(): void {
    this.client?.close();
  }
}
