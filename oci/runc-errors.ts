/**
 * runc's id rule and its words for it. Every other error word engines match
 * on ("container not running", "does not exist"…, containerd's shim
 * `checkKillError`) is runc's own: runc does the work for every command.
 * The id is checked here because tswasi-oci forms paths from it (bundle
 * copies) before runc sees it.
 */
export const ERR_INVALID_ID = 'invalid container ID format';
export const ERR_EMPTY_ID = 'container id cannot be empty';

/**
 * runc's id rule (libcontainer/factory_linux.go validateID): the regexp
 * `^[\w+-\.]+$` - in Go's syntax `+-\.` is the range '+'..'.', i.e. + , - . -
 * and "/"+id must already be a clean path, which rules out "." and "..".
 * Two bounds of ours, same words: no leading "." (runc allows ".a"; an id
 * begins the names of tswasi-oci's files in its run directory - the
 * "ID.KEY.lock" of a create, the bundle copies "ID.KEY.RANDOM" - and none of
 * them is to be a hidden file), and those names must fit NAME_MAX (255).
 * Engines use hex ids; neither bound bites.
 */
const ID_RE = /^[A-Za-z0-9_+,-][A-Za-z0-9_+,.-]*$/;
export const ID_MAX = 249;

/** null when `id` is a valid container id, else runc's words for why not. */
export function idProblem(id: string): string | null {
  if (id === '') return ERR_EMPTY_ID;
  if (!ID_RE.test(id) || id.length > ID_MAX) return ERR_INVALID_ID;
  return null;
}
