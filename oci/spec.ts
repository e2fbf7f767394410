/**
 * The OCI runtime spec's config (opencontainers/runtime-spec config.md,
 * config-linux.md): one schema, checked with valibot, from which the
 * TypeScript types are derived. It covers the fields tswasi-oci reads or
 * rewrites; every object is loose, so a field it never reads (hooks, seccomp,
 * devices, …) passes through untouched, as the engine wrote it, to runc.
 * A config that breaks the schema fails with one line naming the JSON path:
 * `…/config.json: mounts[0].options: expected array of strings, got string`
 * (runc exits 1 on the same config, with Go's json error).
 */
import * as v from 'valibot';

/** Each schema's message is what it expects, in words; issueLine() adds where and what came instead. */
const str = v.string('string');
const num = v.number('number');
const bool = v.boolean('boolean');
const strings = v.array(str, 'array of strings');
const numbers = v.array(num, 'array of numbers');
const opt = v.optional;
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
/**
 * A JSON object (valibot's own object check lets arrays through; Go's JSON,
 * runc's, does not) whose other fields pass through unchecked and unchanged.
 */
const obj = <E extends v.ObjectEntries>(entries: E) => v.pipe(v.custom<Record<string, unknown>>(isObject, 'object'), v.looseObject(entries, 'object'));
const listOf = <S extends v.GenericSchema>(item: S) => v.array(item, 'array');

/** config.md "Mounts". */
const MountSchema = obj({
  destination: str,
  type: opt(str),
  source: opt(str),
  options: opt(strings),
});

/** config.md "Process" (its POSIX fields; the others are Windows' or pass through). */
const processEntries = {
  terminal: opt(bool),
  consoleSize: opt(obj({ height: num, width: num })),
  cwd: str,
  env: opt(strings),
  args: opt(strings),
  rlimits: opt(listOf(obj({ type: str, hard: num, soft: num }))),
  apparmorProfile: opt(str),
  capabilities: opt(obj({ bounding: opt(strings), effective: opt(strings), inheritable: opt(strings), permitted: opt(strings), ambient: opt(strings) })),
  noNewPrivileges: opt(bool),
  oomScoreAdj: opt(num),
  selinuxLabel: opt(str),
  user: opt(obj({ uid: num, gid: num, umask: opt(num), additionalGids: opt(numbers), username: opt(str) })),
};
const ProcessSchema = obj(processEntries);

/** config-linux.md: what tswasi-oci reads of `linux` (resources, namespaces, readonlyPaths); the rest is runc's alone. */
const LinuxSchema = obj({
  namespaces: opt(listOf(obj({ type: str, path: opt(str) }))),
  resources: opt(obj({
    memory: opt(obj({ limit: opt(num), reservation: opt(num), swap: opt(num) })),
    cpu: opt(obj({ shares: opt(num), quota: opt(num), period: opt(num), cpus: opt(str) })),
    pids: opt(obj({ limit: opt(num) })),
  })),
  readonlyPaths: opt(strings),
  maskedPaths: opt(strings),
});

const SpecSchema = obj({
  ociVersion: str,
  process: opt(ProcessSchema),
  root: opt(obj({ path: str, readonly: opt(bool) })),
  hostname: opt(str),
  domainname: opt(str),
  mounts: opt(listOf(MountSchema)),
  hooks: opt(obj({})),
  annotations: opt(v.pipe(v.custom<Record<string, unknown>>(isObject, 'object of strings'), v.record(str, str))),
  linux: opt(LinuxSchema),
});

/** exec --process: a bare Process, and args[0] is required because it names the module to run. */
const ExecProcessSchema = obj({ ...processEntries, args: v.pipe(strings, v.minLength(1, 'non-empty array of strings')) });

export type Mount = v.InferOutput<typeof MountSchema>;

/** A bind mount, by its type or (as runc also takes it) a bind/rbind option. */
export function isBind(m: Mount): boolean {
  return m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
}
export type Process = v.InferOutput<typeof ProcessSchema>;
export type Spec = v.InferOutput<typeof SpecSchema>;

/** runtime.md "State". */
export type Status = 'creating' | 'created' | 'running' | 'stopped' | 'paused';

export interface State {
  ociVersion: string;
  id: string;
  status: Status;
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

/** The OCI runtime spec version this runtime implements. */
export const OCI_VERSION = '1.2.0';

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: invalid JSON: ${(e as Error).message}`);
  }
}

/** What a JSON value is, in the words of the messages. */
function kindOf(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return x.length === 0 ? 'an empty array' : 'array';
  return typeof x;
}

/** `root` then each key: `mounts[0].options`. */
function pathOf(root: string, issue: v.BaseIssue<unknown>): string {
  let p = root;
  for (const item of issue.path ?? []) {
    const key = item.key;
    p += typeof key === 'number' ? `[${key}]` : p === '' ? String(key) : `.${String(key)}`;
  }
  return p;
}

/** One line for the first problem: where, what was expected, what came. */
function issueLine(file: string, root: string, issue: v.BaseIssue<unknown>): string {
  const where = pathOf(root, issue);
  const prefix = where === '' ? `${file}: ` : `${file}: ${where}: `;
  // A required field that is not there: valibot reports it at the field's path, with no input.
  if (issue.input === undefined && issue.kind === 'schema') return `${prefix}missing`;
  return `${prefix}expected ${issue.message}, got ${kindOf(issue.input)}`;
}

/**
 * valibot's copy of the value: every field as it came (unknown ones by
 * reference), except keys named `__proto__`, `prototype` or `constructor`,
 * which no OCI config has and which it drops.
 */
function check<S extends v.GenericSchema>(schema: S, value: unknown, file: string, root: string): v.InferOutput<S> {
  const r = v.safeParse(schema, value, { abortEarly: true });
  if (!r.success) throw new Error(issueLine(file, root, r.issues[0]));
  return r.output;
}

/** Parse and check a bundle's config.json; a problem is one line naming its JSON path. */
export function parseSpec(text: string, file: string): Spec {
  return check(SpecSchema, parseJson(text, file), file, '');
}

/** Parse and check exec's --process file (a bare Process object, as runc's `exec --process` takes). */
export function parseProcess(text: string, file: string): Process {
  return check(ExecProcessSchema, parseJson(text, file), file, 'process');
}
