/**
 * `io.tswasi.record=PATH`: record a Wasm container's run (docs/record-replay.md)
 * into PATH, a path in the container's own filesystem that lies inside one of
 * its writable bind mounts, so the recording lands on the host, where
 * `tswasi replay` reads it. The container runner writes it as the guest runs.
 *
 * The annotation comes from an image, an engine's command line or a pod
 * spec: it is checked at `create` and a bad one fails it in one line. PATH is
 * absolute and plain (no `.` or `..` component, no empty one, no trailing
 * `/`), and the mount with the longest destination that holds it is a bind
 * mount without `ro` (a read-only mount inside a writable one wins). The
 * rootfs and tmpfs mounts are refused: a recording there would go with the
 * container. Only the container's own process records, never an exec'd one.
 */
import type { Spec } from './spec.js';

export const ANNOTATION_RECORD = 'io.tswasi.record';
/** PATH_MAX: a longer path cannot be opened. */
const MAX_PATH = 4096;

/** The longest PATH quoted back in an error (an annotation may be long). */
const SHOWN = 64;

/** The recording's path in the container, or undefined when not asked for; throws one line when the annotation is bad. */
export function recordPathOf(spec: Spec): string | undefined {
  const value = spec.annotations?.[ANNOTATION_RECORD];
  if (value === undefined) return undefined;
  const fail = (why: string): never => {
    throw new Error(`invalid annotation ${ANNOTATION_RECORD}: ${JSON.stringify(value.length > SHOWN ? `${value.slice(0, SHOWN)}…` : value)}: ${why}`);
  };
  if (value === '') fail('empty (expected an absolute path inside a writable bind mount)');
  if (!value.startsWith('/')) fail('not an absolute path');
  if (value.length > MAX_PATH) fail(`longer than ${MAX_PATH} bytes`);
  if (value.includes('\0')) fail('a NUL byte in the path');
  const parts = value.slice(1).split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) fail('an empty, "." or ".." component (expected a plain path such as /data/run.rec)');
  const mount = containingMount(spec, value);
  if (mount === undefined) fail('not inside any mount of the container (the recording must land in a writable bind mount)');
  if (!isBind(mount!)) fail(`inside ${mount!.destination}, which is not a bind mount (the recording would go with the container)`);
  if (mount!.options?.includes('ro')) fail(`inside ${mount!.destination}, which is mounted read-only`);
  return value;
}

type Mount = NonNullable<Spec['mounts']>[number];

/** The mount with the longest destination strictly above `p` (the one the path lands in). */
function containingMount(spec: Spec, p: string): Mount | undefined {
  let best: Mount | undefined;
  let bestLen = -1;
  for (const m of spec.mounts ?? []) {
    const d = m.destination.replace(/\/+$/, '');
    if (d === '' || !p.startsWith(d + '/')) continue;
    if (d.length >= bestLen) {
      best = m;
      bestLen = d.length;
    }
  }
  return best;
}

const isBind = (m: Mount): boolean => m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
