/** `--trace=FILTER`: groups and function names, from the one table in wasi/functions.ts. */
import { WASI_FUNCTIONS, WASI_GROUPS, type Group } from '../../wasi/functions.js';

const inGroup = (...groups: Group[]) => (name: string): boolean => {
  const group = WASI_FUNCTIONS[name]?.group;
  return group !== undefined && groups.includes(group);
};

/**
 * Filters for `--trace=GROUP`: each group of the table (`fs` widened to the
 * reads and writes of `io` too, what a file trace wants), and the `path_*`
 * and `fd_*` families.
 */
export const GROUPS: Readonly<Record<string, (name: string) => boolean>> = {
  all: () => true,
  ...Object.fromEntries(WASI_GROUPS.map((g) => [g, g === 'fs' ? inGroup('fs', 'io') : inGroup(g)])),
  path: (n) => n.startsWith('path_'),
  fd: (n) => n.startsWith('fd_'),
};

/** A predicate for a filter like "fs", "path_open,fd_read" or "all". */
export function traceFilter(spec: string): (name: string) => boolean {
  const parts = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) return GROUPS['all']!;
  const unknown = parts.filter((p) => !(p in GROUPS) && !(p in WASI_FUNCTIONS));
  if (unknown.length > 0) throw new Error(`unknown trace filter: ${unknown.join(', ')} (use a WASI function name or one of: ${Object.keys(GROUPS).join(', ')})`);
  return (name) => parts.some((p) => (p in GROUPS ? GROUPS[p]!(name) : p === name));
}

/** Timeline lanes: the one group each function is drawn in (GROUPS overlap, lanes may not). */
export const LANES = WASI_GROUPS;
export type Lane = Group;

export function laneOf(name: string): Lane {
  return WASI_FUNCTIONS[name]?.group ?? 'fs';
}
