/**
 * ttrpc (github.com/containerd/ttrpc v1.1, containerd's RPC for shims) over a
 * stream socket: frames of a 10-byte header — length u32 BE, stream id u32
 * BE, type u8 (1 request, 2 response), flags u8 — and a protobuf Request or
 * Response of at most 4 MiB. Unary calls only, as shim v2 uses.
 */
import net from 'node:net';
import { DecodeError } from './pb.js';
import { decodeTtrpcRequest, decodeTtrpcResponse, encodeTtrpcRequest, encodeTtrpcResponse } from './messages.js';

const HEADER = 10;
const MAX_MESSAGE = 4 << 20;
const REQUEST = 1;
const RESPONSE = 2;

/** gRPC status codes (containerd's errdefs map them back to its errors). */
export const Code = {
  UNKNOWN: 2, INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14,
} as const;

/** An error a handler throws to answer with this status code. Any other error answers UNKNOWN. */
export class RpcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export type Method = (payload: Uint8Array) => Promise<Uint8Array> | Uint8Array;
/** service name → method name → handler. */
export type Services = ReadonlyMap<string, ReadonlyMap<string, Method>>;

function frame(streamId: number, type: number, body: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(HEADER + body.length);
  b.writeUInt32BE(body.length, 0);
  b.writeUInt32BE(streamId, 4);
  b[8] = type;
  b[9] = 0;
  b.set(body, HEADER);
  return b;
}

/**
 * Split a byte stream into frames; `onFrame` gets each whole one. An
 * oversized frame is skipped as it arrives (never buffered) and reported
 * with an empty body and its length as `tooLarge` (else 0), so the peer gets one error for it.
 */
class Framer {
  private pending: Buffer[] = [];
  private size = 0;
  private skip = 0;

  constructor(private readonly onFrame: (streamId: number, type: number, body: Buffer, tooLarge: number) => void) {}

  push(chunk: Buffer): void {
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length);
      this.skip -= n;
      chunk = chunk.subarray(n);
      if (chunk.length === 0) return;
    }
    this.pending.push(chunk);
    this.size += chunk.length;
    while (this.size >= HEADER) {
      const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
      const length = buf.readUInt32BE(0);
      const streamId = buf.readUInt32BE(4);
      const type = buf[8]!;
      if (length > MAX_MESSAGE) {
        const rest = buf.subarray(HEADER);
        this.onFrame(streamId, type, Buffer.alloc(0), length);
        if (rest.length >= length) {
          this.pending = [rest.subarray(length)];
          this.size = rest.length - length;
        } else {
          this.skip = length - rest.length;
          this.pending = [];
          this.size = 0;
        }
        continue;
      }
      if (buf.length < HEADER + length) {
        this.pending = [buf];
        return;
      }
      const body = buf.subarray(HEADER, HEADER + length);
      const rest = buf.subarray(HEADER + length);
      this.pending = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
      this.onFrame(streamId, type, body, 0);
    }
  }
}

/** Serve `services` on every connection of `server`. A bad request gets one error; the connection and the server go on. */
export function serveTtrpc(server: net.Server, services: Services, log: (line: string) => void): void {
  server.on('connection', (sock) => {
    const reply = (streamId: number, code: number, message: string, payload: Uint8Array): void => {
      if (!sock.destroyed) sock.write(frame(streamId, RESPONSE, encodeTtrpcResponse(code, message, payload)));
    };
    const framer = new Framer((streamId, type, body, tooLarge) => {
      if (type !== REQUEST) {
        log(`ttrpc: ignored a frame of type ${type} (stream ${streamId})`);
        return;
      }
      if (tooLarge > 0) {
        reply(streamId, Code.RESOURCE_EXHAUSTED, `message length ${tooLarge} exceed maximum message size of ${MAX_MESSAGE}`, new Uint8Array(0));
        return;
      }
      let req;
      try {
        req = decodeTtrpcRequest(body);
      } catch (e) {
        reply(streamId, Code.INVALID_ARGUMENT, `malformed ttrpc request: ${(e as Error).message}`, new Uint8Array(0));
        return;
      }
      const method = services.get(req.service)?.get(req.method);
      if (method === undefined) {
        const what = services.has(req.service) ? `method ${req.method}` : `service ${req.service}`;
        reply(streamId, Code.UNIMPLEMENTED, `${what}: not implemented`, new Uint8Array(0));
        return;
      }
      Promise.resolve()
        .then(() => method(req.payload))
        .then(
          (out) => reply(streamId, 0, '', out),
          (e: unknown) => {
            const code = e instanceof RpcError ? e.code : e instanceof DecodeError ? Code.INVALID_ARGUMENT : Code.UNKNOWN;
            const message = e instanceof DecodeError ? `malformed ${req.method} request: ${e.message}` : (e as Error).message;
            if (code === Code.UNKNOWN) log(`${req.method}: ${(e as Error).stack ?? message}`);
            reply(streamId, code, message, new Uint8Array(0));
          },
        );
    });
    sock.on('data', (chunk: Buffer) => framer.push(chunk));
    sock.on('error', () => sock.destroy());
  });
}

/** A ttrpc client on a unix socket: unary calls, one connection, opened on first use and again after it closes. */
export class TtrpcClient {
  private sock: net.Socket | null = null;
  private nextId = 1;
  private readonly calls = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();

  constructor(private readonly path: string) {}

  private connect(): Promise<net.Socket> {
    if (this.sock !== null && !this.sock.destroyed) return Promise.resolve(this.sock);
    return new Promise((resolve, reject) => {
      const sock = net.createConnection(this.path);
      const framer = new Framer((streamId, type, body) => {
        const call = this.calls.get(streamId);
        if (type !== RESPONSE || call === undefined) return;
        this.calls.delete(streamId);
        try {
          const r = decodeTtrpcResponse(body);
          if (r.code !== 0) call.reject(new RpcError(r.code, r.message));
          else call.resolve(r.payload);
        } catch (e) {
          call.reject(e as Error);
        }
      });
      sock.on('data', (c: Buffer) => framer.push(c));
      sock.once('connect', () => { this.sock = sock; resolve(sock); });
      sock.on('error', (e) => reject(e));
      sock.on('close', () => {
        if (this.sock === sock) this.sock = null;
        for (const [, c] of this.calls) c.reject(new Error('ttrpc: connection closed'));
        this.calls.clear();
      });
    });
  }

  async call(service: string, method: string, payload: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const sock = await this.connect();
    const id = this.nextId;
    this.nextId += 2; // a client's streams are odd
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        reject(new Error(`ttrpc: ${method} timed out`));
      }, timeoutMs);
      this.calls.set(id, {
        resolve: (b) => { clearTimeout(timer); resolve(b); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      sock.write(frame(id, REQUEST, encodeTtrpcRequest({ service, method, payload, timeoutNano: timeoutMs * 1e6 })));
    });
  }

  close(): void {
    this.sock?.destroy();
    this.sock = null;
  }
}
