/** Where the shim's sockets and its runtime state live, one place for each. */
import { createHash } from 'node:crypto';
import path from 'node:path';

/** containerd's state dir: shim sockets go under it, as containerd's own shims' (runtime/v2/shim/util_unix.go). */
const STATE = '/run/containerd';

/**
 * The ttrpc address of the shim serving `grouping` (a pod's sandbox id, or
 * the container's own id): containerd's SocketAddress, sha256 of
 * address/namespace/grouping — one socket, so one shim, per pod.
 */
export function socketAddress(containerdAddress: string, namespace: string, grouping: string): string {
  const hash = createHash('sha256').update(path.join(containerdAddress, namespace, grouping)).digest('hex');
  return `unix://${STATE}/s/${hash}`;
}

export function socketPath(address: string): string {
  if (!address.startsWith('unix://')) throw new Error(`not a unix socket address: ${address}`);
  return address.slice('unix://'.length);
}

/** runc's --root for a namespace's containers (the runc shim's is /run/containerd/runc/<namespace>). */
export function runcRoot(namespace: string): string {
  return path.join(STATE, 'tswasi', namespace);
}

/** A containerd namespace or id used in a path: one component, no surprises. */
export function checkName(what: string, v: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,253}$/.test(v)) throw new Error(`invalid ${what}: ${JSON.stringify(v)}`);
  return v;
}
