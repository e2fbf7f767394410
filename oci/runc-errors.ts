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
 * runc's length bound is its state directory's, <root>/<id>: NAME_MAX (255);
 * a longer id fails there, in other words. One bound of ours, same words: no
 * leading "." (runc allows ".a"; an id begins the names of tswasi-oci's files
 * in its run directory - a create's lock, the bundle copies, bundle-copies.ts,
 * which shortens an id too long to fit them - and none is to be a hidden
 * file). Engines use hex ids; it does not bite.
 */
const ID_RE = /^[A-Za-z0-9_+,-][A-Za-z0-9_+,.-]*$/;
/** A file name's longest (Linux's NAME_MAX), and so the longest id runc takes. */
export const NAME_MAX = 255;
export const ID_MAX = NAME_MAX;

/** null when `id` is a valid container id, else runc's words for why not. */
export function idProblem(id: string): string | null {
  if (id === '') return ERR_EMPTY_ID;
  if (!ID_RE.test(id) || id.length > ID_MAX) return ERR_INVALID_ID;
  return null;
}
