/**
 * `runc delete` of a stopped container, done here the way runc 1.1 does it
 * when that is plain (delete.go → libcontainer's destroy() for a stopped
 * container), so that the delete an engine runs after every container
 * needs no runc process (spawning it from Node costs about as much as
 * Node's own start-up):
 *   1. its cgroups are removed, each with any sub-cgroups first
 *      (cgroups.RemovePath);
 *   2. its state directory is removed (os.RemoveAll).
 * That is all runc does for a stopped container with a PID namespace of
 * its own (no process can be left in its cgroups), cgroupfs cgroups, no
 * poststop hooks and no Intel RDT group; any other container, and a
 * cgroup that will not go (runc retries with back-off and logs), is left
 * to runc, which finds what was removed here already gone, as its own
 * retries do.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readRuncContainer, type RuncContainer } from './runc-state.js';

const errnoOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

/** rmdir that takes "already gone" as done (runc's rmdir). */
function rmdir(p: string): boolean {
  try {
    fs.rmdirSync(p);
    return true;
  } catch (e) {
    return errnoOf(e) === 'ENOENT';
  }
}

/** runc's cgroups.RemovePath: the cgroup, its sub-cgroups first. Is it gone? */
function removeCgroup(p: string): boolean {
  if (rmdir(p)) return true;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(p, { withFileTypes: true });
  } catch (e) {
    return errnoOf(e) === 'ENOENT';
  }
  for (const e of entries) if (e.isDirectory() && !removeCgroup(path.join(p, e.name))) return false;
  return rmdir(p);
}

/** Delete `c` as runc would, if it is stopped and plain: true when done, false for runc to do it. */
function deleteStopped(c: RuncContainer): boolean {
  if (c.state.status !== 'stopped' || !c.ownPidNamespace || c.plainCgroups === undefined) return false;
  for (const p of c.plainCgroups) if (!removeCgroup(p)) return false;
  fs.rmSync(c.stateDir, { recursive: true, force: true });
  return true;
}

/** Container `id` under runc's `root` deleted here when runc's files show it stopped and plain (tswasi-oci delete, the shim's Delete); false: for runc. */
export function deleteStoppedContainer(root: string, id: string): boolean {
  const c = readRuncContainer(root, id);
  return c !== undefined && deleteStopped(c);
}
