/**
 * What the guest of a recording had seen after each call, derived from the
 * recorded calls alone (a recording holds no fd table or file tree): its fd
 * table, replayed from the calls that make and end fds (the preopens it
 * asked about, path_open, sock_accept, fd_renumber, fd_close), and the paths
 * it touched: opened or looked up (with the errno when that failed), listed
 * by fd_readdir, and how many bytes it read and wrote through each fd.
 */
import { Filetype, Layout, Oflags } from '../wasi/abi.js';
import { WASI_FUNCTIONS, arity, type ParamKind } from '../wasi/functions.js';
import type { RecordedCall } from '../src/record/format.js';
import { errnoName } from '../src/trace/decode.js';

export type FdKind = 'stdio' | 'preopen' | 'file' | 'directory' | 'socket' | 'given';

export interface FdInfo {
  fd: number;
  /** The guest path (or what the fd is: stdout, a connection). */
  label: string;
  kind: FdKind;
  /** The call that made it (1-based), 0 when it was there from the start. */
  since: number;
  read: number;
  written: number;
}

export interface SeenPath {
  path: string;
  /** What the guest did to it, in order, once each: "path_open", "path_open: NOENT", "listed by fd_readdir". */
  seen: string[];
  read: number;
  written: number;
}

export interface StepState { fds: FdInfo[]; paths: SeenPath[] }

interface ParamAt { name: string; kind: ParamKind; at: number }

const PARAMS = new Map<string, ParamAt[]>();
function paramsOf(name: string): ParamAt[] {
  let list = PARAMS.get(name);
  if (list === undefined) {
    list = [];
    let at = 0;
    for (const [pname, kind] of WASI_FUNCTIONS[name]?.params ?? []) {
      list.push({ name: pname, kind, at });
      at += arity(kind);
    }
    PARAMS.set(name, list);
  }
  return list;
}

/** The bytes the host wrote at the pointer argument `at`. */
function writtenAt(c: RecordedCall, at: number): Uint8Array | undefined {
  const addr = Number(c.args[at]) >>> 0;
  return c.writes.find((w) => w.addr === addr)?.data;
}

/** The u32 an out-pointer of `kind` received (the first such parameter). */
function outU32(c: RecordedCall, kind: ParamKind): number | undefined {
  const p = paramsOf(c.name).find((q) => q.kind === kind);
  const b = p === undefined ? undefined : writtenAt(c, p.at);
  return b === undefined || b.length < 4 ? undefined : new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
}

/** `base` (a guest directory) joined with `rel`, "." and ".." resolved lexically, as the guest named it. */
export function joinPath(base: string, rel: string): string {
  const abs = rel.startsWith('/') || base.startsWith('/');
  const out: string[] = [];
  for (const s of (rel.startsWith('/') ? rel : `${base}/${rel}`).split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return (abs ? '/' : '') + out.join('/') || (abs ? '/' : '.');
}

const utf8 = new TextDecoder();
const D = Layout.dirent;

/** The names in fd_readdir's buffer (whole entries only; "." and ".." left out). */
function direntNames(buf: Uint8Array): Array<{ name: string; dir: boolean }> {
  const out: Array<{ name: string; dir: boolean }> = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  for (let at = 0; at + D.size <= buf.length;) {
    const len = view.getUint32(at + D.d_namlen, true);
    if (at + D.size + len > buf.length) break;
    const name = utf8.decode(buf.subarray(at + D.size, at + D.size + len));
    if (name !== '.' && name !== '..') out.push({ name, dir: buf[at + D.d_type] === Filetype.DIRECTORY });
    at += D.size + len;
  }
  return out;
}

class Model {
  readonly fds = new Map<number, FdInfo>([
    [0, { fd: 0, label: 'stdin', kind: 'stdio', since: 0, read: 0, written: 0 }],
    [1, { fd: 1, label: 'stdout', kind: 'stdio', since: 0, read: 0, written: 0 }],
    [2, { fd: 2, label: 'stderr', kind: 'stdio', since: 0, read: 0, written: 0 }],
  ]);
  readonly paths = new Map<string, SeenPath>();

  /** An fd a call used successfully: known, or one the run was given that the guest had not asked about (a listener). */
  private fd(n: number): FdInfo {
    let f = this.fds.get(n);
    if (f === undefined) {
      f = { fd: n, label: `fd ${n}`, kind: 'given', since: 0, read: 0, written: 0 };
      this.fds.set(n, f);
    }
    return f;
  }

  private path(p: string, what: string): SeenPath {
    let s = this.paths.get(p);
    if (s === undefined) {
      s = { path: p, seen: [], read: 0, written: 0 };
      this.paths.set(p, s);
    }
    if (!s.seen.includes(what)) s.seen.push(what);
    return s;
  }

  /** Bytes through an fd, counted on the fd and on the path it was opened at. */
  private count(fdn: number, n: number, way: 'read' | 'written'): void {
    const f = this.fd(fdn);
    f[way] += n;
    const p = f.kind === 'file' || f.kind === 'directory' ? this.paths.get(f.label) : undefined;
    if (p !== undefined) p[way] += n;
  }

  apply(c: RecordedCall, index: number): void {
    const ok = c.ret === 0;
    const params = paramsOf(c.name);
    const fd0 = params[0]?.kind === 'fd' ? Number(c.args[0]) : -1;
    // Every path a call names, against the directory fd before it (path_symlink's old_path is the link's text, not a path).
    let dir = -1;
    let input = 0;
    for (const p of params) {
      if (p.kind === 'fd') dir = Number(c.args[p.at]);
      if (p.kind !== 'str' && p.kind !== 'ciovs') continue;
      const bytes = c.inputs[input++];
      if (p.kind === 'str' && dir >= 0 && bytes !== undefined && c.name.startsWith('path_')) {
        const base = this.fds.get(dir)?.label ?? `fd ${dir}`;
        this.path(joinPath(base, utf8.decode(bytes)), ok ? c.name : `${c.name}: ${errnoName(c.ret < 0 ? 'exit' : c.ret)}`);
      }
    }
    if (!ok) return;
    switch (c.name) {
      case 'fd_prestat_get':
        if (!this.fds.has(fd0)) this.fds.set(fd0, { fd: fd0, label: `preopen ${fd0}`, kind: 'preopen', since: 0, read: 0, written: 0 });
        break;
      case 'fd_prestat_dir_name': {
        const name = writtenAt(c, 1);
        if (name !== undefined) this.fds.set(fd0, { ...this.fd(fd0), label: utf8.decode(name), kind: 'preopen' });
        break;
      }
      case 'path_open': {
        const fd = outU32(c, 'out_fd');
        const path = joinPath(this.fds.get(fd0)?.label ?? `fd ${fd0}`, utf8.decode(c.inputs[0] ?? new Uint8Array(0)));
        const oflags = params.find((p) => p.kind === 'oflags');
        const dirOnly = oflags !== undefined && (Number(c.args[oflags.at]) & Oflags.DIRECTORY) !== 0;
        if (fd !== undefined) this.fds.set(fd, { fd, label: path, kind: dirOnly ? 'directory' : 'file', since: index + 1, read: 0, written: 0 });
        break;
      }
      case 'sock_accept': {
        const fd = outU32(c, 'out_fd');
        const listener = this.fd(fd0);
        if (listener.kind === 'given') listener.kind = 'socket';
        if (fd !== undefined) this.fds.set(fd, { fd, label: `connection accepted on fd ${fd0}`, kind: 'socket', since: index + 1, read: 0, written: 0 });
        break;
      }
      case 'fd_renumber': {
        const to = Number(c.args[1]);
        const from = this.fd(fd0);
        this.fds.delete(fd0);
        this.fds.set(to, { ...from, fd: to });
        break;
      }
      case 'fd_close':
        this.fds.delete(fd0);
        break;
      case 'fd_read': case 'fd_pread': case 'sock_recv':
        this.count(fd0, outU32(c, 'out_size') ?? 0, 'read');
        break;
      case 'fd_write': case 'fd_pwrite': case 'sock_send':
        this.count(fd0, outU32(c, 'out_size') ?? 0, 'written');
        break;
      case 'fd_readdir': {
        const buf = writtenAt(c, 1);
        const base = this.fd(fd0).label;
        for (const e of buf === undefined ? [] : direntNames(buf)) this.path(joinPath(base, e.name) + (e.dir ? '/' : ''), 'listed by fd_readdir');
        break;
      }
    }
  }
}

/** The fd table and the paths seen after call `step` (0-based) of `calls`. */
export function stateAfter(calls: readonly RecordedCall[], step: number): StepState {
  const m = new Model();
  for (let i = 0; i <= step && i < calls.length; i++) m.apply(calls[i]!, i);
  return {
    fds: [...m.fds.values()].sort((a, b) => a.fd - b.fd),
    paths: [...m.paths.values()].sort((a, b) => a.path.localeCompare(b.path)),
  };
}
