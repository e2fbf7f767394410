/**
 * runc's error words, in one place. Engines match on them: containerd's shim
 * (`checkKillError`) tolerates a kill error only if it contains "container
 * not running", "no such process", "os: process already finished" or "does
 * not exist"; anything else becomes "unknown error after kill" and the task
 * is never reaped. So the texts below are runc 1.1's, word for word
 * (libcontainer/error.go, container_linux.go, factory_linux.go, delete.go,
 * utils_linux.go), not paraphrases.
 */
import type { Status } from './spec.js';

export const ERR_INVALID_ID = 'invalid container ID format';
export const ERR_EMPTY_ID = 'container id cannot be empty';
export const ERR_NOT_EXIST = 'container does not exist';
export const ERR_EXIST = 'container with given ID already exists';
export const ERR_NOT_RUNNING = 'container not running';
export const ERR_NOT_PAUSED = 'container not paused';

/** runc `start` on a container that is not `created` (linuxContainer.exec / Run). */
export function errCannotStart(status: Status): string {
  if (status === 'stopped') return 'cannot start a container that has stopped';
  if (status === 'running') return 'cannot start an already running container';
  return `cannot start a container in the ${status} state`;
}

/** runc `delete` without --force of a container that is running or paused. */
export function errCannotDelete(id: string, status: Status): string {
  return `cannot delete container ${id} that is not stopped: ${status}`;
}

/**
 * runc's id rule (libcontainer/factory_linux.go validateID): the regexp
 * `^[\w+-\.]+$` - in Go's syntax `+-\.` is the range '+'..'.', i.e. + , - . -
 * and "/"+id must already be a clean path, which rules out "." and "..".
 * Two bounds of ours, same words: no leading "." (runc allows ".a", but
 * tswasi-oci's own entries in --root - ".ID.lock", ".native" - begin with
 * one, and an id must not be able to name them), and the id names files,
 * which must fit NAME_MAX (255). Engines use hex ids; neither bound bites.
 */
const ID_RE = /^[A-Za-z0-9_+,-][A-Za-z0-9_+,.-]*$/;
export const ID_MAX = 249;

/** null when `id` is a valid container id, else runc's words for why not. */
export function idProblem(id: string): string | null {
  if (id === '') return ERR_EMPTY_ID;
  if (!ID_RE.test(id) || id.length > ID_MAX) return ERR_INVALID_ID;
  return null;
}
