/**
 * A recorded call as the call views show one: its memory writes as hex
 * regions named by the parameter they went to, and, for a call the replay
 * could not decode, its arguments as the recording holds them.
 */
import { callArgs, type RecordedCall } from '../src/record/format.js';
import { errnoName } from '../src/trace/decode.js';
import { WASI_FUNCTIONS, arity } from '../wasi/functions.js';
import type { ExplorerCall, MemRegion } from './protocol.js';

/** Bytes of a region the hex view shows; the rest is counted. */
const MAX_SHOWN = 256;

/** The parameter a write at `addr` went to: the out-pointer at that address, else the read buffers. */
function paramAt(c: RecordedCall, addr: number): string {
  let at = 0;
  let buffers: string | undefined;
  for (const [pname, kind] of WASI_FUNCTIONS[c.name]?.params ?? []) {
    if ((kind.startsWith('out_') || kind === 'ptr') && (Number(c.args[at]) >>> 0) === addr) return pname;
    if (kind === 'iovs') buffers = pname;
    at += arity(kind);
  }
  return buffers ?? 'memory';
}

export function writtenRegions(c: RecordedCall): MemRegion[] {
  return c.writes.map((w) => ({ param: paramAt(c, w.addr), access: 'written', ptr: w.addr, len: w.data.length, bytes: w.data.subarray(0, MAX_SHOWN) }));
}

/** A call shown from the recording alone (the replay stopped before it): numbers, paths and data, no decoded flags. */
export function undecodedCall(c: RecordedCall): ExplorerCall {
  return {
    ts: 0,
    name: c.name,
    args: Object.fromEntries(callArgs(c.name, c.args, c.inputs)),
    errno: c.ret < 0 ? 'exit' : errnoName(c.ret),
    result: {},
    us: 0,
    untimed: true,
    memory: writtenRegions(c),
  };
}
