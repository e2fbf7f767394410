/** Load → compile (cached) → check imports → instantiate → run. */
import { WASI, WasiExit, type WASIOptions } from '../wasi/index.js';
import { UserError } from './errors.js';

export interface RunOptions extends WASIOptions {
  /** Call this export instead of `_start`, with these arguments. */
  invoke?: string;
  invokeArgs?: readonly string[];
  /** Extra import modules (e.g. AssemblyScript's `env`). */
  imports?: WebAssembly.Imports;
}

export interface RunResult {
  exitCode: number;
  /** What `--invoke` returned, if anything. */
  results?: unknown[];
}

/** Imports the module needs that `provided` does not supply, as "module::name". */
export function missingImports(module: WebAssembly.Module, provided: WebAssembly.Imports): string[] {
  const missing: string[] = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    const ns = provided[imp.module] as Record<string, unknown> | undefined;
    if (ns === undefined || !(imp.name in ns)) missing.push(`${imp.module}::${imp.name}`);
  }
  return missing;
}

export function instantiate(module: WebAssembly.Module, imports: WebAssembly.Imports): WebAssembly.Instance {
  const missing = missingImports(module, imports);
  if (missing.length > 0) {
    throw new UserError(`unknown import: ${missing.map((m) => '`' + m + '`').join(', ')} has not been defined`);
  }
  try {
    return new WebAssembly.Instance(module, imports);
  } catch (e) {
    if (e instanceof WebAssembly.LinkError) throw new UserError(`failed to instantiate: ${e.message.replace(/^WebAssembly\.Instance\(\): /, '')}`);
    throw e;
  }
}

/** Parse a CLI argument for an exported function's parameter (wasmtime parses i32/i64/f32/f64). */
function parseArg(s: string, i: number): number | bigint {
  if (/^-?\d+$/.test(s) && !Number.isSafeInteger(Number(s))) return BigInt(s);
  const n = Number(s);
  if (Number.isNaN(n) && s !== 'NaN') throw new UserError(`argument ${i + 1} of --invoke is not a number: ${s}`);
  return n;
}

/**
 * Run a module as a WASI command (or invoke one export). Traps propagate as
 * exceptions (WebAssembly.RuntimeError); the caller decides how to report them.
 */
export function runModule(module: WebAssembly.Module, options: RunOptions): RunResult {
  const wasi = new WASI(options);
  const instance = instantiate(module, { ...options.imports, ...wasi.getImportObject() });
  if (options.invoke === undefined) return { exitCode: wasi.start(instance) };

  const fn = instance.exports[options.invoke];
  if (typeof fn !== 'function') throw new UserError(`failed to find export \`${options.invoke}\``);
  const exports = instance.exports as { _initialize?: () => void };
  if (typeof exports._initialize === 'function') wasi.initialize(instance);
  else wasi.attach(instance);
  const args = (options.invokeArgs ?? []).map(parseArg);
  try {
    const r: unknown = (fn as (...a: unknown[]) => unknown)(...args);
    return { exitCode: 0, results: r === undefined ? [] : [r] };
  } catch (e) {
    if (e instanceof WasiExit) return { exitCode: e.code };
    throw e;
  } finally {
    wasi.close();
  }
}
