/**
 * `io.tswasi.tcplisten=HOST:PORT[,HOST:PORT…]`: TCP listeners a Wasm
 * container's guest gets as preopened sockets (fds 3…, in the order listed),
 * as wasmtime's `--tcplisten` gives them. The container runner listens
 * inside the container's own network namespace, so `podman run -p 8080:8080`
 * reaches a listener on 0.0.0.0:8080.
 *
 * The annotation comes from an image, an engine's command line or a pod
 * spec: it is checked whole at `create`, and the first problem fails it in
 * one line. Stricter than `tswasi run --tcplisten`, for reasons of the
 * container:
 * - HOST is an IP address (`0.0.0.0`, `127.0.0.1`, `[::]`, `[::1]`), never a
 *   name: the runner has no resolver configuration of its own (its root is
 *   runner-root.ts's, without /etc), and a name resolved at `create` would be
 *   resolved in the engine's network namespace, not the container's.
 * - PORT is 1-65535, in decimal without leading zeros. Port 0 (an ephemeral
 *   port) is refused: preview1 has no getsockname, so neither the guest nor
 *   the engine's port mapping could learn which port it got.
 * - No empty item, no blanks, no address twice, at most MAX_LISTENERS.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { parseHostPort, type TcpListen } from '../wasi/sockets/listeners.js';

export const ANNOTATION_TCPLISTEN = 'io.tswasi.tcplisten';
/** More listeners than any service needs; a bound on what one annotation makes the runner open. */
export const MAX_LISTENERS = 32;

/** One listener, as the WASI options take it: the host without brackets (`::1`). */
export type ListenAddress = TcpListen;

/** The longest item quoted back in an error (an annotation may be long). */
const SHOWN = 64;

function shown(item: string): string {
  return JSON.stringify(item.length > SHOWN ? `${item.slice(0, SHOWN)}…` : item);
}

/** Why parseHostPort (the one HOST:PORT parser, wasi/sockets/listeners.ts) refused an item, in words. */
function whyMalformed(item: string): string {
  const colon = item.lastIndexOf(':');
  if (colon < 0) return 'expected HOST:PORT';
  const host = item.slice(0, colon);
  const port = item.slice(colon + 1);
  if (host.startsWith('[') || host.endsWith(']')) return 'expected an IPv6 address in brackets, as [::] or [::1]';
  if (host.includes(':')) return 'an IPv6 address needs brackets: [ADDRESS]:PORT';
  if (!/^[0-9]+$/.test(port)) return 'PORT must be a decimal number';
  if (port.length > 5 || Number(port) > 65535) return 'PORT must be 1-65535';
  return 'expected HOST:PORT';
}

function parseItem(item: string): ListenAddress {
  const fail = (why: string): never => { throw new Error(`${shown(item)}: ${why}`); };
  if (item === '') fail('empty item (expected HOST:PORT)');
  if (/\s/.test(item)) fail('blank in the address (expected HOST:PORT)');
  const a = parseHostPort(item) ?? fail(whyMalformed(item));
  if (item.startsWith('[') ? !isIPv6(a.host) : !isIPv4(a.host)) {
    fail(item.startsWith('[') ? 'expected an IPv6 address in brackets, as [::] or [::1]' : 'HOST must be an IPv4 address or an [IPv6] address (names are not resolved in a container)');
  }
  const rawPort = item.slice(item.lastIndexOf(':') + 1);
  if (rawPort.length > 1 && rawPort.startsWith('0')) fail('PORT has a leading zero');
  if (a.port === 0) fail('port 0 (any free port) cannot be mapped or learnt by the guest; name a port 1-65535');
  return a;
}

/**
 * The listeners an `io.tswasi.tcplisten` value asks for, in order; throws
 * one line naming the annotation and the first bad item.
 */
export function parseTcplisten(value: string): ListenAddress[] {
  const prefix = `invalid annotation ${ANNOTATION_TCPLISTEN}`;
  const items = value.split(',');
  if (items.length > MAX_LISTENERS) throw new Error(`${prefix}: ${items.length} addresses, at most ${MAX_LISTENERS}`);
  const out: ListenAddress[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    let a: ListenAddress;
    try {
      a = parseItem(item);
    } catch (e) {
      throw new Error(`${prefix}: ${(e as Error).message}`);
    }
    const key = `${a.host.toLowerCase()}|${a.port}`;
    if (seen.has(key)) throw new Error(`${prefix}: ${shown(item)} is listed twice`);
    seen.add(key);
    out.push(a);
  }
  return out;
}

/** The listeners a config's annotations ask for; none without the annotation. */
export function listenersOf(annotations: Readonly<Record<string, string>> | undefined): ListenAddress[] {
  const value = annotations?.[ANNOTATION_TCPLISTEN];
  return value === undefined ? [] : parseTcplisten(value);
}
