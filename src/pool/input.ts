/** A pooled call's stdin as it crosses to the guest's thread: bytes, a host fd, or a stream fed through shared memory. */
import { createSharedStdin, feedSharedStdin } from './shared-stdin.js';
import type { InputSpec } from './task.js';

export type InputSource = Uint8Array | string | AsyncIterable<Uint8Array | string> | number | undefined;

function isAsyncIterable(v: unknown): v is AsyncIterable<Uint8Array | string> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}

export function inputSpec(stdin: InputSource): InputSpec {
  if (stdin === undefined) return { kind: 'bytes', data: new Uint8Array(0) };
  if (typeof stdin === 'number') return { kind: 'fd', fd: stdin };
  if (typeof stdin === 'string') return { kind: 'bytes', data: new TextEncoder().encode(stdin) };
  if (stdin instanceof Uint8Array) return { kind: 'bytes', data: stdin };
  if (isAsyncIterable(stdin)) {
    const sab = createSharedStdin();
    void feedSharedStdin(sab, stdin).catch(() => { /* the stream failed: the guest sees end of input */ });
    return { kind: 'shared', sab };
  }
  throw new TypeError('stdin must be bytes, a string, an async iterable (stream) or an fd');
}
