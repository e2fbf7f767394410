/**
 * The parts of the OCI runtime spec (opencontainers/runtime-spec, config.md
 * and runtime.md) that tswasi-oci reads and writes. Field names as in the spec.
 */

export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface Process {
  terminal?: boolean;
  cwd: string;
  args?: string[];
  env?: string[];
  user?: { uid: number; gid: number };
  rlimits?: Array<{ type: string; hard: number; soft: number }>;
}

export interface Root {
  path: string;
  readonly?: boolean;
}

export interface LinuxResources {
  memory?: { limit?: number; reservation?: number; swap?: number };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string };
  pids?: { limit?: number };
}

export interface Spec {
  ociVersion: string;
  process?: Process;
  root?: Root;
  hostname?: string;
  mounts?: Mount[];
  annotations?: Record<string, string>;
  linux?: { resources?: LinuxResources; namespaces?: Array<{ type: string; path?: string }> };
}

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

/** config.md "Process": the checks config.json's process and exec's --process share. */
function checkProcess(v: unknown, where: string): asserts v is Process {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where} must be an object`);
  const p = v as Record<string, unknown>;
  if (typeof p['cwd'] !== 'string') throw new Error(`${where}.cwd must be a string`);
  if (p['args'] !== undefined && (!Array.isArray(p['args']) || !p['args'].every((a) => typeof a === 'string'))) {
    throw new Error(`${where}.args must be an array of strings`);
  }
  if (p['env'] !== undefined && (!Array.isArray(p['env']) || !p['env'].every((a) => typeof a === 'string'))) {
    throw new Error(`${where}.env must be an array of strings`);
  }
  if (p['terminal'] !== undefined && typeof p['terminal'] !== 'boolean') throw new Error(`${where}.terminal must be a boolean`);
}

/**
 * Parse and check exec's --process file (a bare Process object, as runc's
 * `exec --process` takes): the config.json checks, and args[0] is required
 * because it names the module to run.
 */
export function parseProcess(text: string, file: string): Process {
  const p = parseJson(text, file);
  checkProcess(p, `${file}: process`);
  if (p.args === undefined || p.args.length === 0) throw new Error(`${file}: process.args must not be empty`);
  return p;
}

/** Parse and check a bundle's config.json; every problem is one clear message. */
export function parseSpec(text: string, file: string): Spec {
  const v = parseJson(text, file);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${file}: not a JSON object`);
  const s = v as Record<string, unknown>;
  if (typeof s['ociVersion'] !== 'string') throw new Error(`${file}: ociVersion must be a string`);
  if (s['root'] !== undefined) {
    const r = s['root'] as Record<string, unknown>;
    if (typeof r !== 'object' || r === null || typeof r['path'] !== 'string') throw new Error(`${file}: root.path must be a string`);
  }
  if (s['process'] !== undefined) checkProcess(s['process'], `${file}: process`);
  if (s['mounts'] !== undefined) {
    if (!Array.isArray(s['mounts'])) throw new Error(`${file}: mounts must be an array`);
    for (const m of s['mounts'] as unknown[]) {
      if (typeof m !== 'object' || m === null || typeof (m as Mount).destination !== 'string') {
        throw new Error(`${file}: every mount needs a destination`);
      }
    }
  }
  return s as unknown as Spec;
}
