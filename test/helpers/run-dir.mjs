// @ts-check
// tswasi-oci's run directory for this test process (oci/run-dir.ts): one of
// its own, not the machine's /run/tswasi, so no test depends on what an
// earlier run or another test process left there (a run directory left 0700
// by an older version made user-namespace containers fail only on some
// machines). Set in the environment on import, so every tswasi-oci the
// tests start — directly, or through podman, conmon and containerd's shim,
// which pass their environment on — uses it. Its parent is 0755: a
// container with a user namespace must be able to search every directory
// above the runner's root. TSWASI_OCI_RUN_DIR given from outside is kept.
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './tmp.mjs';

/** A path under a fresh, searchable temp dir, not made yet (tswasi-oci makes it). */
export function freshRunDir() {
  const parent = tempDir('tswasi-rundir-');
  fs.chmodSync(parent, 0o755);
  return path.join(parent, 'run');
}

if (!process.env.TSWASI_OCI_RUN_DIR) process.env.TSWASI_OCI_RUN_DIR = freshRunDir();
/** This process's run directory. */
export const RUN_DIR = process.env.TSWASI_OCI_RUN_DIR;
/** Where tswasi-oci keeps a Wasm container's rewritten bundle until delete (oci/bundle-copies.ts). */
export const BUNDLE_COPIES = path.join(RUN_DIR, 'bundles');
