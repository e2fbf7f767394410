/**
 * AssemblyScript modules: the `env` imports the compiler emits (abort, trace,
 * seed), and strings across `--invoke` / pool.run({ invoke }) through
 * @assemblyscript/loader (for modules built with --exportRuntime).
 */
import { createRequire } from 'node:module';

/** The `env` functions AssemblyScript modules import that tswasi provides. */
export const ASSEMBLYSCRIPT_ENV = ['abort', 'trace', 'seed'];

/** AS objects: rtId at ptr-8, byte length at ptr-4; strings are UTF-16LE with rtId 2. */
const STRING_ID = 2;

function readString(mem: WebAssembly.Memory | undefined, ptr: number): string {
  if (mem === undefined || ptr === 0) return 'null';
  const view = new DataView(mem.buffer);
  const p = ptr >>> 0;
  if (p < 4 || p > mem.buffer.byteLength) return `<bad string ${p}>`;
  const len = view.getUint32(p - 4, true);
  if (p + len > mem.buffer.byteLength) return `<bad string ${p}>`;
  return Buffer.from(mem.buffer, p, len).toString('utf16le');
}

export function needsAssemblyScriptEnv(module: WebAssembly.Module, declared = WebAssembly.Module.imports(module)): boolean {
  return declared.some((i) => i.module === 'env' && ASSEMBLYSCRIPT_ENV.includes(i.name));
}

/** env.abort raises a trap whose message carries the decoded message, file, line and column. */
export function assemblyScriptEnv(memory: () => WebAssembly.Memory | undefined): Record<string, (...a: number[]) => number | void> {
  return {
    abort(msg: number, file: number, line: number, column: number): void {
      const m = memory();
      throw new WebAssembly.RuntimeError(`abort: ${readString(m, msg)} in ${readString(m, file)}(${line}:${column})`);
    },
    trace(msg: number, n: number, ...args: number[]): void {
      process.stderr.write(`trace: ${readString(memory(), msg)}${n > 0 ? ' ' + args.slice(0, n).join(', ') : ''}\n`);
    },
    seed(): number {
      return Date.now() * Math.random();
    },
  };
}

interface LoaderExports {
  __newString?: (s: string) => number;
  __getString?: (p: number) => string;
  __pin?: (p: number) => number;
  __unpin?: (p: number) => void;
  memory?: WebAssembly.Memory;
  [k: string]: unknown;
}

type Loader = { instantiateSync(m: WebAssembly.Module, imports: WebAssembly.Imports): { instance: WebAssembly.Instance; exports: LoaderExports } };
let loader: Loader | null = null;

/** Instantiate through @assemblyscript/loader, which adds string/array helpers to the exports. */
export function instantiateAssemblyScript(module: WebAssembly.Module, imports: WebAssembly.Imports): { instance: WebAssembly.Instance; exports: LoaderExports } {
  loader ??= createRequire(import.meta.url)('@assemblyscript/loader') as Loader;
  return loader.instantiateSync(module, imports);
}

/**
 * Call an export with command-line arguments: numbers stay numbers, other
 * words become AS strings; a result that points at an AS string is read back
 * as one (the loader cannot know the signature, so the object header decides).
 */
export function invokeAssemblyScript(exports: LoaderExports, name: string, args: readonly string[]): unknown {
  const fn = exports[name];
  if (typeof fn !== 'function') return undefined;
  const pinned: number[] = [];
  const values = args.map((a) => {
    if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(a)) return Number(a);
    if (exports.__newString === undefined) throw new Error(`cannot pass the string "${a}": build the module with --exportRuntime`);
    const p = exports.__newString(a);
    pinned.push(exports.__pin ? exports.__pin(p) : p);
    return p;
  });
  try {
    const r: unknown = (fn as (...a: unknown[]) => unknown)(...values);
    const mem = exports.memory;
    if (typeof r === 'number' && Number.isInteger(r) && r > 8 && mem !== undefined && exports.__getString !== undefined && r < mem.buffer.byteLength) {
      const view = new DataView(mem.buffer);
      const len = view.getUint32(r - 4, true);
      if (view.getUint32(r - 8, true) === STRING_ID && len % 2 === 0 && r + len <= mem.buffer.byteLength) return exports.__getString(r);
    }
    return r;
  } finally {
    for (const p of pinned) exports.__unpin?.(p);
  }
}
