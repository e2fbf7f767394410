/**
 * The shim's command line, as containerd writes it and Go's flag package
 * (containerd's shim library) reads it: `-name value`, `-name=value` (one
 * or two dashes), boolean flags alone; the first operand is the action
 * (`start`, `delete`, none for the daemon itself).
 */
export interface ShimFlags {
  namespace: string;
  id: string;
  address: string;
  publishBinary: string;
  bundle: string;
  socket: string;
  /** Not containerd's: the wrapper's sh starts a spare shim ahead of the next pod with `-spare DIR` (daemon.ts). */
  spare: string;
  debug: boolean;
  version: boolean;
  action: string;
}

const VALUES = { namespace: 'namespace', id: 'id', address: 'address', 'publish-binary': 'publishBinary', bundle: 'bundle', socket: 'socket', spare: 'spare' } as const;
const BOOLS = { debug: 'debug', v: 'version', version: 'version' } as const;

export class FlagError extends Error {}

export function parseFlags(argv: readonly string[]): ShimFlags {
  const f: ShimFlags = { namespace: '', id: '', address: '', publishBinary: 'containerd', bundle: '', socket: '', spare: '', debug: false, version: false, action: '' };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { i++; break; }
    if (!a.startsWith('-') || a === '-') break;
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    if (Object.hasOwn(BOOLS, name)) {
      const v = eq < 0 ? 'true' : body.slice(eq + 1);
      if (!['true', 'false', '1', '0'].includes(v)) throw new FlagError(`invalid boolean value ${JSON.stringify(v)} for -${name}`);
      f[BOOLS[name as keyof typeof BOOLS]] = v === 'true' || v === '1';
      continue;
    }
    if (!Object.hasOwn(VALUES, name)) throw new FlagError(`flag provided but not defined: -${name}`);
    const v = eq < 0 ? argv[++i] : body.slice(eq + 1);
    if (v === undefined) throw new FlagError(`flag needs an argument: -${name}`);
    f[VALUES[name as keyof typeof VALUES]] = v;
  }
  f.action = argv[i] ?? '';
  return f;
}
