// @ts-check
// The shim's own message code, for tests that speak ttrpc to it by hand.
export { decodeTtrpcResponse, encodeTtrpcRequest } from '../../dist/oci/shim/messages.js';
import { Fields } from '../../dist/oci/shim/pb.js';

/** StateResponse's status (field 4). @param {Uint8Array} b */
export function decodeState(b) {
  return { status: Fields.decode(b).uint(4) };
}
