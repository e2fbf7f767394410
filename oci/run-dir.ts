/**
 * tswasi-oci's run directory (not runc's --root): every directory it makes
 * there, with its mode, is in RUN_DIRS below and made only by runSubdir().
 * docs/node-versions.md ("Run directories") has the same table.
 *
 *   <run dir>             0711  root's /run/tswasi; rootless $XDG_RUNTIME_DIR/tswasi
 *                               (else /tmp/tswasi-<uid>); TSWASI_OCI_RUN_DIR overrides
 *   <run dir>/locks       0700  one `create` per id at a time (id-lock.ts)
 *   <run dir>/exec        0700  an exec's process.json and guest description (commands/exec.ts)
 *   <run dir>/bundles     0711  a Wasm container's rewritten bundle, until delete (bundle-copies.ts)
 *   <run dir>/root-<key>  0755  the runner's root filesystem, mountpoints only (runner-root.ts)
 *   <run dir>/runner-<key>.json  0644  the runner's bind list, per Node binary (runner-root.ts)
 *
 * All are owned by the user tswasi-oci runs as (root, or the rootless user).
 * The run directory itself is 0711, not 0700: in a container with a user
 * namespace (podman --uidmap, Kubernetes' hostUsers: false) runc mounts
 * root-<key> as the container's root from inside that namespace, whose root
 * is an unprivileged uid on the host: it must be able to search the run
 * directory (x), and needs nothing else (no r: it cannot list the ids). A
 * run directory left 0700 by an older tswasi is set to 0711 on first use.
 */
import fs, { readFileSync } from 'node:fs';
import path from 'node:path';

/** Each directory under the run directory ('' is the run directory itself) and its mode. */
export const RUN_DIRS = { '': 0o711, locks: 0o700, exec: 0o700, bundles: 0o711 } as const;
export type RunSubdir = keyof typeof RUN_DIRS;
/** The runner's root filesystem (made by rename, runner-root.ts) and the files of the run directory. */
export const RUNNER_ROOT_MODE = 0o755;
export const RUN_FILE_MODE = 0o644;

/**
 * The uid we are outside any user namespace: rootless podman runs its
 * runtime as uid 0 of its own user namespace (uid_map "0 1001 1").
 */
function hostUid(): number {
  try {
    const first = readFileSync('/proc/self/uid_map', 'utf8').trim().split('\n')[0]!.trim().split(/\s+/).map(Number);
    const uid = process.getuid?.() ?? 0;
    if (first[0] !== undefined && first[1] !== undefined && uid >= first[0]) return first[1] + (uid - first[0]);
  } catch { /* no procfs: take our uid as it is */ }
  return process.getuid?.() ?? 0;
}

/** Our own directory for runtime files: the runner root, bundle copies, locks. Not runc's --root. */
export function runDir(): string {
  const explicit = process.env['TSWASI_OCI_RUN_DIR'];
  if (explicit) return path.resolve(explicit);
  const uid = hostUid();
  if (uid === 0) return '/run/tswasi';
  // Rootless: the user's runtime directory, as podman's own.
  const xdg = process.env['XDG_RUNTIME_DIR'];
  return xdg ? path.join(xdg, 'tswasi') : path.join('/tmp', `tswasi-${uid}`);
}

/**
 * `dir` exists as a directory with `mode`. Made with exactly that mode (not
 * recursively: a recursive mkdir gives every directory it makes the same
 * mode, which is how the run directory once became 0700). One that exists
 * is checked: a symlink or a file there is an error; one of ours with
 * another mode gets `mode` (an older version's 0700).
 */
function ensureDir(dir: string, mode: number): void {
  try {
    fs.mkdirSync(dir, { mode });
    // mkdir's mode passes through the umask; the table's mode is the mode.
    fs.chmodSync(dir, mode);
    return;
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST') throw e;
  }
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory (tswasi-oci's run directory)`);
  if ((st.mode & 0o7777) !== mode && st.uid === (process.getuid?.() ?? st.uid)) fs.chmodSync(dir, mode);
}

/**
 * The run directory, or one of its subdirectories, made or fixed as
 * RUN_DIRS says. The run directory's parents (/run, $XDG_RUNTIME_DIR) are
 * made, if missing, as any mkdir -p makes them (0755 less the umask).
 */
export function runSubdir(sub: RunSubdir): string {
  const top = runDir();
  fs.mkdirSync(path.dirname(top), { recursive: true });
  ensureDir(top, RUN_DIRS['']);
  if (sub === '') return top;
  const dir = path.join(top, sub);
  ensureDir(dir, RUN_DIRS[sub]);
  return dir;
}
