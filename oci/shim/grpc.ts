/**
 * A gRPC client for containerd's API socket (the shim's `-address`), as
 * small as the shim needs: unary and server-streaming calls over HTTP/2 on
 * a unix socket, with the namespace in the `containerd-namespace` header
 * (containerd's namespaces.GRPCHeader). Messages are framed as the gRPC
 * wire protocol says (PROTOCOL-HTTP2.md): a flag byte (0: not compressed),
 * a 4-byte big-endian length, the protobuf bytes.
 *
 * Every call has a deadline and a bound on the bytes it takes in, so a
 * containerd that stalls or answers too much fails the call, not the shim.
 */
import type http2 from 'node:http2';
import { createRequire } from 'node:module';
import net from 'node:net';

/**
 * node:http2, loaded at the first call: loading it costs ~11 ms (Node 26),
 * which every new pod's shim would pay at start-up, and most pods never call
 * containerd (only a container whose module is an image layer does).
 */
let h2: typeof http2 | null = null;
const loadHttp2 = (): typeof http2 => (h2 ??= createRequire(import.meta.url)('node:http2') as typeof http2);

export class GrpcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** gRPC status codes the shim looks at. */
export const GrpcCode = { NOT_FOUND: 5, DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14, INTERNAL: 13 } as const;

export interface CallLimits {
  /** Milliseconds for the whole call. */
  timeoutMs: number;
  /** Bytes of messages taken in, in all. */
  maxBytes: number;
}

export class GrpcClient {
  private session: http2.ClientHttp2Session | null = null;

  constructor(private readonly socket: string, private readonly namespace: string) {}

  private connect(): http2.ClientHttp2Session {
    if (this.session !== null && !this.session.closed && !this.session.destroyed) return this.session;
    const session = loadHttp2().connect('http://containerd', { createConnection: () => net.connect(this.socket) });
    session.on('error', () => { /* each call reports it */ });
    // Idle between containers: the shim must not stay alive for it, nor keep containerd's connection open.
    session.unref();
    session.setTimeout(10_000, () => session.close());
    this.session = session;
    return session;
  }

  /** One request, every response message (one for a unary call). */
  call(path: string, request: Uint8Array, limits: CallLimits): Promise<Uint8Array[]> {
    return new Promise((resolve, reject) => {
      let session: http2.ClientHttp2Session;
      try {
        session = this.connect();
      } catch (e) {
        reject(new GrpcError(GrpcCode.UNAVAILABLE, `containerd at ${this.socket}: ${(e as Error).message}`));
        return;
      }
      const stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': `${limits.timeoutMs}m`,
        'containerd-namespace': this.namespace,
      });
      const messages: Uint8Array[] = [];
      const chunks: Buffer[] = [];
      let buffered = 0;
      let total = 0;
      let status: { code: number; message: string } | null = null;
      let done = false;
      const finish = (e: Error | null): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (e !== null) { stream.close(loadHttp2().constants.NGHTTP2_CANCEL); reject(e); return; }
        resolve(messages);
      };
      const timer = setTimeout(() => finish(new GrpcError(GrpcCode.DEADLINE_EXCEEDED, `${path}: no answer from containerd in ${limits.timeoutMs} ms`)), limits.timeoutMs);
      const readStatus = (h: http2.IncomingHttpHeaders): void => {
        const code = h['grpc-status'];
        if (code === undefined) return;
        let message = String(h['grpc-message'] ?? '');
        try { message = decodeURIComponent(message); } catch { /* as sent */ }
        status = { code: Number(code), message };
      };
      stream.on('response', readStatus); // a Trailers-Only answer carries the status here
      stream.on('trailers', readStatus);
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limits.maxBytes) { finish(new GrpcError(GrpcCode.RESOURCE_EXHAUSTED, `${path}: answer larger than ${limits.maxBytes} bytes`)); return; }
        chunks.push(chunk);
        buffered += chunk.length;
        // Whole messages out of what has come.
        let data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered);
        while (data.length >= 5) {
          if (data[0] !== 0) { finish(new GrpcError(GrpcCode.INTERNAL, `${path}: compressed message (not asked for)`)); return; }
          const len = data.readUInt32BE(1);
          if (data.length < 5 + len) break;
          messages.push(new Uint8Array(data.subarray(5, 5 + len)));
          data = data.subarray(5 + len);
        }
        chunks.length = 0;
        buffered = data.length;
        if (buffered > 0) chunks.push(data);
      });
      stream.on('error', (e) => finish(new GrpcError(GrpcCode.UNAVAILABLE, `${path}: ${e.message}`)));
      stream.on('close', () => {
        if (status === null) { finish(new GrpcError(GrpcCode.UNAVAILABLE, `${path}: the stream ended without a status`)); return; }
        if (status.code !== 0) { finish(new GrpcError(status.code, status.message)); return; }
        if (buffered > 0) { finish(new GrpcError(GrpcCode.INTERNAL, `${path}: a message cut short`)); return; }
        finish(null);
      });
      const frame = Buffer.alloc(5 + request.length);
      frame.writeUInt32BE(request.length, 1);
      frame.set(request, 5);
      stream.end(frame);
    });
  }

  close(): void {
    this.session?.close();
    this.session = null;
  }
}
