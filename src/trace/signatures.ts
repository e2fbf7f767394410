/**
 * The parameters of every wasi_snapshot_preview1 function, named as in the
 * witx spec, with how to show each one. 'str' and 'iovs'/'ciovs' take two
 * wasm arguments (pointer and length); 'out_*' are results the call writes.
 */
export type ParamKind =
  | 'fd' | 'u32' | 'u64' | 's64' | 'ptr' | 'size' | 'str' | 'iovs' | 'ciovs' | 'timestamp'
  | 'clockid' | 'advice' | 'whence' | 'fdflags' | 'oflags' | 'lookupflags' | 'fstflags' | 'rights'
  | 'riflags' | 'siflags' | 'sdflags' | 'signal' | 'exitcode'
  | 'out_fd' | 'out_u32' | 'out_size' | 'out_u64' | 'out_fdstat' | 'out_filestat' | 'out_prestat'
  | 'out_events' | 'out_buf_str' | 'out_dirents';

export type Param = readonly [name: string, kind: ParamKind];

const fd: Param = ['fd', 'fd'];

export const SIGNATURES: Readonly<Record<string, readonly Param[]>> = {
  args_get: [['argv', 'ptr'], ['argv_buf', 'ptr']],
  args_sizes_get: [['argc', 'out_size'], ['argv_buf_size', 'out_size']],
  environ_get: [['environ', 'ptr'], ['environ_buf', 'ptr']],
  environ_sizes_get: [['environc', 'out_size'], ['environ_buf_size', 'out_size']],
  clock_res_get: [['id', 'clockid'], ['resolution', 'out_u64']],
  clock_time_get: [['id', 'clockid'], ['precision', 'timestamp'], ['time', 'out_u64']],
  fd_advise: [fd, ['offset', 'u64'], ['len', 'u64'], ['advice', 'advice']],
  fd_allocate: [fd, ['offset', 'u64'], ['len', 'u64']],
  fd_close: [fd],
  fd_datasync: [fd],
  fd_fdstat_get: [fd, ['stat', 'out_fdstat']],
  fd_fdstat_set_flags: [fd, ['flags', 'fdflags']],
  fd_fdstat_set_rights: [fd, ['fs_rights_base', 'rights'], ['fs_rights_inheriting', 'rights']],
  fd_filestat_get: [fd, ['buf', 'out_filestat']],
  fd_filestat_set_size: [fd, ['size', 'u64']],
  fd_filestat_set_times: [fd, ['atim', 'timestamp'], ['mtim', 'timestamp'], ['fst_flags', 'fstflags']],
  fd_pread: [fd, ['iovs', 'iovs'], ['offset', 'u64'], ['nread', 'out_size']],
  fd_prestat_get: [fd, ['buf', 'out_prestat']],
  fd_prestat_dir_name: [fd, ['path', 'out_buf_str'], ['path_len', 'size']],
  fd_pwrite: [fd, ['iovs', 'ciovs'], ['offset', 'u64'], ['nwritten', 'out_size']],
  fd_read: [fd, ['iovs', 'iovs'], ['nread', 'out_size']],
  fd_readdir: [fd, ['buf', 'out_dirents'], ['buf_len', 'size'], ['cookie', 'u64'], ['bufused', 'out_size']],
  fd_renumber: [fd, ['to', 'fd']],
  fd_seek: [fd, ['offset', 's64'], ['whence', 'whence'], ['newoffset', 'out_u64']],
  fd_sync: [fd],
  fd_tell: [fd, ['offset', 'out_u64']],
  fd_write: [fd, ['iovs', 'ciovs'], ['nwritten', 'out_size']],
  path_create_directory: [fd, ['path', 'str']],
  path_filestat_get: [fd, ['flags', 'lookupflags'], ['path', 'str'], ['buf', 'out_filestat']],
  path_filestat_set_times: [fd, ['flags', 'lookupflags'], ['path', 'str'], ['atim', 'timestamp'], ['mtim', 'timestamp'], ['fst_flags', 'fstflags']],
  path_link: [['old_fd', 'fd'], ['old_flags', 'lookupflags'], ['old_path', 'str'], ['new_fd', 'fd'], ['new_path', 'str']],
  path_open: [fd, ['dirflags', 'lookupflags'], ['path', 'str'], ['oflags', 'oflags'], ['fs_rights_base', 'rights'], ['fs_rights_inheriting', 'rights'], ['fdflags', 'fdflags'], ['opened_fd', 'out_fd']],
  path_readlink: [fd, ['path', 'str'], ['buf', 'out_buf_str'], ['buf_len', 'size'], ['bufused', 'out_size']],
  path_remove_directory: [fd, ['path', 'str']],
  path_rename: [fd, ['old_path', 'str'], ['new_fd', 'fd'], ['new_path', 'str']],
  path_symlink: [['old_path', 'str'], fd, ['new_path', 'str']],
  path_unlink_file: [fd, ['path', 'str']],
  poll_oneoff: [['in', 'ptr'], ['out', 'out_events'], ['nsubscriptions', 'size'], ['nevents', 'out_size']],
  proc_exit: [['rval', 'exitcode']],
  proc_raise: [['sig', 'signal']],
  sched_yield: [],
  random_get: [['buf', 'ptr'], ['buf_len', 'size']],
  sock_accept: [fd, ['flags', 'fdflags'], ['fd', 'out_fd']],
  sock_recv: [fd, ['ri_data', 'iovs'], ['ri_flags', 'riflags'], ['ro_datalen', 'out_size'], ['ro_flags', 'out_u32']],
  sock_send: [fd, ['si_data', 'ciovs'], ['si_flags', 'siflags'], ['so_datalen', 'out_size']],
  sock_shutdown: [fd, ['how', 'sdflags']],
};

/** Groups for `--trace=GROUP`. */
export const GROUPS: Readonly<Record<string, (name: string) => boolean>> = {
  all: () => true,
  fs: (n) => n.startsWith('path_') || (n.startsWith('fd_') && !['fd_write', 'fd_read'].includes(n)) || n === 'fd_write' || n === 'fd_read',
  path: (n) => n.startsWith('path_'),
  fd: (n) => n.startsWith('fd_'),
  io: (n) => ['fd_read', 'fd_write', 'fd_pread', 'fd_pwrite'].includes(n),
  clock: (n) => n.startsWith('clock_'),
  args: (n) => n.startsWith('args_'),
  env: (n) => n.startsWith('environ_'),
  proc: (n) => n.startsWith('proc_') || n === 'sched_yield',
  poll: (n) => n === 'poll_oneoff',
  random: (n) => n === 'random_get',
  sock: (n) => n.startsWith('sock_'),
};

/** A predicate for a filter like "fs", "path_open,fd_read" or "all". */
export function traceFilter(spec: string): (name: string) => boolean {
  const parts = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) return GROUPS['all']!;
  const unknown = parts.filter((p) => !(p in GROUPS) && !(p in SIGNATURES));
  if (unknown.length > 0) throw new Error(`unknown trace filter: ${unknown.join(', ')} (use a WASI function name or one of: ${Object.keys(GROUPS).join(', ')})`);
  return (name) => parts.some((p) => (p in GROUPS ? GROUPS[p]!(name) : p === name));
}

/** Timeline lanes: the one group each function is drawn in (GROUPS overlap, lanes may not). */
export const LANES = ['args', 'env', 'clock', 'random', 'fs', 'io', 'poll', 'proc', 'sock'] as const;
export type Lane = (typeof LANES)[number];

export function laneOf(name: string): Lane {
  for (const lane of ['io', 'args', 'env', 'clock', 'random', 'poll', 'proc', 'sock'] as const) {
    if (GROUPS[lane]!(name)) return lane;
  }
  return 'fs';
}
