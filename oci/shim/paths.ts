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

/**
 * Spare shims (daemon.ts) wait under here, in a directory per Node, entry,
 * containerd, namespace and flags (the wrapper's sh names it). A claimed
 * spare's socket is renamed to its pod's address, but /proc/net/unix keeps
 * the path it was bound at: bound/<the address's hash> records that path,
 * for the sh to see the pod's shim listening.
 */
export const SPARE_ROOT = '/run/tswasi/shim-spare';

/** The record of the path a claimed spare's socket, now at `address`, was bound at. */
export function boundRecord(address: string): string {
  return path.join(SPARE_ROOT, 'bound', path.basename(socketPath(address)));
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
