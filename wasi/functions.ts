/**
 * Every wasi_snapshot_preview1 function, once: its group, its parameters
 * (named as in the witx spec, with what each one is) and its wasm type.
 * The import-signature check, trace decoding and filters, `tswasi inspect`,
 * the explorer and the fuzzer are all derived from this table.
 *
 * A parameter's kind says how to read it: 'str' and 'iovs'/'ciovs' take two
 * wasm arguments (pointer and length); 'out_*' are pointers the call writes
 * its results to; the 64-bit kinds are one i64. poll_oneoff's
 * 'subscriptions' and 'out_events' are arrays whose lengths are its
 * `nsubscriptions` parameter and what it writes to `nevents`.
 */
export type ParamKind =
  | 'fd' | 'u32' | 'u64' | 's64' | 'ptr' | 'size' | 'str' | 'iovs' | 'ciovs' | 'timestamp'
  | 'clockid' | 'advice' | 'whence' | 'fdflags' | 'oflags' | 'lookupflags' | 'fstflags' | 'rights'
  | 'riflags' | 'siflags' | 'sdflags' | 'signal' | 'exitcode' | 'subscriptions'
  | 'out_fd' | 'out_u32' | 'out_size' | 'out_u64' | 'out_fdstat' | 'out_filestat' | 'out_prestat'
  | 'out_events' | 'out_buf_str' | 'out_dirents' | 'out_roflags';

export type Param = readonly [name: string, kind: ParamKind];

/** The one group each function belongs to (the trace filters and the explorer's timeline lanes). */
export const WASI_GROUPS = ['args', 'env', 'clock', 'random', 'fs', 'io', 'poll', 'proc', 'sock'] as const;
export type Group = (typeof WASI_GROUPS)[number];

export type ValType = 'i32' | 'i64';

export interface WasiFunctionSpec {
  readonly group: Group;
  readonly params: readonly Param[];
  /** The wasm results: an errno, or nothing (proc_exit does not return). */
  readonly results: readonly ValType[];
  /**
   * May run while gathered output is still unwritten: it neither shows
   * anything to the outside world nor waits for it. Every other call flushes
   * the output first, so what the guest wrote is out before it reads,
   * sleeps, opens, or exits.
   */
  readonly outputMayWait: boolean;
  /**
   * Changes no file or its times and learns nothing from outside the guest,
   * so fd_readdir's kept stats (wasi/fs/stat-cache.ts) stay fresh across it.
   * Every other call marks them stale before it runs. (path_open with
   * O_CREAT or O_TRUNC, or of a non-regular file, and a resolver readlink
   * mark them stale themselves; a fresh getdents forgets the listed
   * directory's own.)
   */
  readonly keepsStatsFresh: boolean;
  /** Written never to throw, so it runs without the guard's extra call (a hot path). */
  readonly neverThrows: boolean;
}

type Traits = Partial<Pick<WasiFunctionSpec, 'outputMayWait' | 'keepsStatsFresh' | 'neverThrows'>>;

const fd: Param = ['fd', 'fd'];
const fn = (group: Group, params: readonly Param[], results: readonly ValType[] = ['i32'], traits: Traits = {}): WasiFunctionSpec => ({
  group, params, results,
  outputMayWait: traits.outputMayWait ?? false, keepsStatsFresh: traits.keepsStatsFresh ?? false, neverThrows: traits.neverThrows ?? false,
});
/** Neither shows nor changes anything outside the guest: no output to flush first, no kept stat made stale. */
const pure: Traits = { outputMayWait: true, keepsStatsFresh: true };
const statFresh: Traits = { keepsStatsFresh: true };
const I32: readonly ValType[] = ['i32'];

export const WASI_FUNCTIONS: Readonly<Record<string, WasiFunctionSpec>> = {
  args_get: fn('args', [['argv', 'ptr'], ['argv_buf', 'ptr']], I32, pure),
  args_sizes_get: fn('args', [['argc', 'out_size'], ['argv_buf_size', 'out_size']], I32, pure),
  environ_get: fn('env', [['environ', 'ptr'], ['environ_buf', 'ptr']], I32, pure),
  environ_sizes_get: fn('env', [['environc', 'out_size'], ['environ_buf_size', 'out_size']], I32, pure),
  clock_res_get: fn('clock', [['id', 'clockid'], ['resolution', 'out_u64']], I32, pure),
  clock_time_get: fn('clock', [['id', 'clockid'], ['precision', 'timestamp'], ['time', 'out_u64']], I32, { ...pure, neverThrows: true }),
  fd_advise: fn('fs', [fd, ['offset', 'u64'], ['len', 'u64'], ['advice', 'advice']], I32, statFresh),
  fd_allocate: fn('fs', [fd, ['offset', 'u64'], ['len', 'u64']]),
  fd_close: fn('fs', [fd], I32, statFresh),
  fd_datasync: fn('fs', [fd]),
  fd_fdstat_get: fn('fs', [fd, ['stat', 'out_fdstat']], I32, pure),
  fd_fdstat_set_flags: fn('fs', [fd, ['flags', 'fdflags']]),
  fd_fdstat_set_rights: fn('fs', [fd, ['fs_rights_base', 'rights'], ['fs_rights_inheriting', 'rights']]),
  fd_filestat_get: fn('fs', [fd, ['buf', 'out_filestat']], I32, statFresh),
  fd_filestat_set_size: fn('fs', [fd, ['size', 'u64']]),
  fd_filestat_set_times: fn('fs', [fd, ['atim', 'timestamp'], ['mtim', 'timestamp'], ['fst_flags', 'fstflags']]),
  fd_pread: fn('io', [fd, ['iovs', 'iovs'], ['offset', 'u64'], ['nread', 'out_size']]),
  fd_prestat_get: fn('fs', [fd, ['buf', 'out_prestat']], I32, statFresh),
  fd_prestat_dir_name: fn('fs', [fd, ['path', 'out_buf_str'], ['path_len', 'size']], I32, statFresh),
  fd_pwrite: fn('io', [fd, ['iovs', 'ciovs'], ['offset', 'u64'], ['nwritten', 'out_size']]),
  fd_read: fn('io', [fd, ['iovs', 'iovs'], ['nread', 'out_size']]),
  fd_readdir: fn('fs', [fd, ['buf', 'out_dirents'], ['buf_len', 'size'], ['cookie', 'u64'], ['bufused', 'out_size']], I32, statFresh),
  fd_renumber: fn('fs', [fd, ['to', 'fd']]),
  fd_seek: fn('fs', [fd, ['offset', 's64'], ['whence', 'whence'], ['newoffset', 'out_u64']], I32, statFresh),
  fd_sync: fn('fs', [fd]),
  fd_tell: fn('fs', [fd, ['offset', 'out_u64']], I32, statFresh),
  fd_write: fn('io', [fd, ['iovs', 'ciovs'], ['nwritten', 'out_size']], I32, { outputMayWait: true }),
  path_create_directory: fn('fs', [fd, ['path', 'str']]),
  path_filestat_get: fn('fs', [fd, ['flags', 'lookupflags'], ['path', 'str'], ['buf', 'out_filestat']], I32, statFresh),
  path_filestat_set_times: fn('fs', [fd, ['flags', 'lookupflags'], ['path', 'str'], ['atim', 'timestamp'], ['mtim', 'timestamp'], ['fst_flags', 'fstflags']]),
  path_link: fn('fs', [['old_fd', 'fd'], ['old_flags', 'lookupflags'], ['old_path', 'str'], ['new_fd', 'fd'], ['new_path', 'str']]),
  path_open: fn('fs', [fd, ['dirflags', 'lookupflags'], ['path', 'str'], ['oflags', 'oflags'], ['fs_rights_base', 'rights'], ['fs_rights_inheriting', 'rights'], ['fdflags', 'fdflags'], ['opened_fd', 'out_fd']], I32, statFresh),
  path_readlink: fn('fs', [fd, ['path', 'str'], ['buf', 'out_buf_str'], ['buf_len', 'size'], ['bufused', 'out_size']]),
  path_remove_directory: fn('fs', [fd, ['path', 'str']]),
  path_rename: fn('fs', [fd, ['old_path', 'str'], ['new_fd', 'fd'], ['new_path', 'str']]),
  path_symlink: fn('fs', [['old_path', 'str'], fd, ['new_path', 'str']]),
  path_unlink_file: fn('fs', [fd, ['path', 'str']]),
  poll_oneoff: fn('poll', [['in', 'subscriptions'], ['out', 'out_events'], ['nsubscriptions', 'size'], ['nevents', 'out_size']]),
  proc_exit: fn('proc', [['rval', 'exitcode']], []),
  proc_raise: fn('proc', [['sig', 'signal']]),
  sched_yield: fn('proc', [], I32, { outputMayWait: true }),
  random_get: fn('random', [['buf', 'ptr'], ['buf_len', 'size']], I32, pure),
  sock_accept: fn('sock', [fd, ['flags', 'fdflags'], ['fd', 'out_fd']]),
  sock_recv: fn('sock', [fd, ['ri_data', 'iovs'], ['ri_flags', 'riflags'], ['ro_datalen', 'out_size'], ['ro_flags', 'out_roflags']]),
  sock_send: fn('sock', [fd, ['si_data', 'ciovs'], ['si_flags', 'siflags'], ['so_datalen', 'out_size']]),
  sock_shutdown: fn('sock', [fd, ['how', 'sdflags']]),
};

const I64_KINDS: ReadonlySet<ParamKind> = new Set(['u64', 's64', 'timestamp', 'rights']);

/** How many wasm arguments a parameter takes. */
export function arity(kind: ParamKind): number {
  return kind === 'str' || kind === 'iovs' || kind === 'ciovs' ? 2 : 1;
}

/** The wasm parameter types of a function's parameters, in order. */
export function wasmParams(params: readonly Param[]): ValType[] {
  return params.flatMap(([, kind]): ValType[] => (arity(kind) === 2 ? ['i32', 'i32'] : [I64_KINDS.has(kind) ? 'i64' : 'i32']));
}

/** A function type as `tswasi inspect` and the errors write it: `(i32, i64) -> (i32)`. */
export function signatureText(params: readonly string[], results: readonly string[]): string {
  return `(${params.join(', ')}) -> (${results.join(', ')})`;
}

/** The type tswasi gives an import of wasi_snapshot_preview1, or undefined where the spec has no such function. */
export function wasiImportType(module: string, name: string): string | undefined {
  const spec = module === 'wasi_snapshot_preview1' ? WASI_FUNCTIONS[name] : undefined;
  return spec === undefined ? undefined : signatureText(wasmParams(spec.params), spec.results);
}

/** Imports of wasi_snapshot_preview1 whose type is not the spec's, as one message per import. */
export function wasiSignatureMismatches(imports: ReadonlyArray<{ module: string; name: string; kind: string; type?: string | undefined }>): string[] {
  const out: string[] = [];
  for (const i of imports) {
    const want = i.kind === 'func' ? wasiImportType(i.module, i.name) : undefined;
    if (want !== undefined && i.type !== want) out.push(`\`${i.module}::${i.name}\` has type ${i.type}, expected ${want}`);
  }
  return out;
}
