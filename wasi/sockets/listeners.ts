/**
 * What an embedder or a command line gives a guest to listen on, and how a
 * `HOST:PORT` is read (wasmtime's `--tcplisten` / `-S tcplisten=`, the
 * `io.tswasi.tcplisten` annotation): the one parser for all of them.
 */

/** A TCP address to listen on. */
export interface TcpListen {
  host: string;
  port: number;
}

/**
 * A listener: an address tswasi binds, or a listening stream socket fd of
 * this process (systemd socket activation; tswasi takes it over and closes
 * it when the guest ends).
 */
export type ListenerSource = TcpListen | number;

/**
 * `HOST:PORT`, `[IPv6]:PORT`; HOST may be a name. null when malformed. Port
 * 0 lets the system choose, as with wasmtime (only useful when the embedder
 * asks the port afterwards).
 */
export function parseHostPort(spec: string): TcpListen | null {
  let host: string;
  let port: string;
  if (spec.startsWith('[')) {
    const end = spec.indexOf(']');
    if (end < 0 || spec[end + 1] !== ':') return null;
    host = spec.slice(1, end);
    port = spec.slice(end + 2);
    if (!host.includes(':')) return null; // brackets are for IPv6 only
  } else {
    const i = spec.lastIndexOf(':');
    if (i < 0) return null;
    host = spec.slice(0, i);
    port = spec.slice(i + 1);
    if (host.includes(':')) return null; // a bare IPv6 address needs brackets
  }
  if (host === '' || !/^[A-Za-z0-9.:%_-]+$/.test(host)) return null;
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return null;
  return { host, port: Number(port) };
}

/** A listener as people write it: `127.0.0.1:8080`, `[::1]:80`, `fd 3`. */
export function describeListener(src: ListenerSource): string {
  if (typeof src === 'number') return `fd ${src}`;
  return src.host.includes(':') ? `[${src.host}]:${src.port}` : `${src.host}:${src.port}`;
}

/**
 * systemd socket activation: the listening fds this process inherited
 * (3 … 3+LISTEN_FDS-1) when LISTEN_PID is unset, empty or this process
 * (the listenfd crate's rule, which wasmtime uses). Throws on a malformed
 * LISTEN_FDS.
 */
export function inheritedListenFds(env: NodeJS.ProcessEnv, pid: number): number[] {
  const pidVar = env['LISTEN_PID'];
  if (pidVar !== undefined && pidVar !== '' && pidVar !== String(pid)) return [];
  const count = env['LISTEN_FDS'];
  if (count === undefined || count === '') return [];
  if (!/^\d{1,4}$/.test(count)) throw new Error(`invalid LISTEN_FDS=${count}: expected a count of fds`);
  return Array.from({ length: Number(count) }, (_, i) => 3 + i);
}
