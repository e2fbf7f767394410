/**
 * The imports as wasm functions of exactly the spec's types.
 *
 * V8 links a JS function to an import of any signature; wasmtime refuses a
 * mismatch at instantiation. Each import here is a wasm function of the type
 * wasi/functions.ts gives (it calls the JS implementation with its
 * arguments), so V8 refuses a module that imports one with another type with
 * a LinkError, for every user of the WASI class. The extra wasm-to-wasm call
 * costs nothing measurable on fd_write or clock_time_get (README, "Import
 * types").
 *
 * It also keeps clock_time_get BigInt-free: every i64 argument of a JS import
 * reaches JavaScript as a newly allocated BigInt; clock_time_get's
 * `precision` is one, and tswasi ignores it (it always reads the clock
 * afresh). Untraced, its wasm function drops it and calls the JS side with
 * (id, ptr): in the 5,000,000-call clock benchmark that allocation was a
 * fifth of the call's cost.
 */
import type { WasiFunction, WasiFunctions } from './calls/context.js';
import { WASI_FUNCTIONS, type ValType, wasmParams } from './functions.js';

const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e };

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    const b = n & 0x7f;
    n >>>= 7;
    out.push(n === 0 ? b : b | 0x80);
  } while (n !== 0);
  return out;
}

const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const name = (s: string): number[] => { const b = [...new TextEncoder().encode(s)]; return [...leb(b.length), ...b]; };
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const funcType = (params: readonly ValType[], results: readonly ValType[]): number[] =>
  [0x60, ...vec(params.map((t) => [VALTYPE[t]])), ...vec(results.map((t) => [VALTYPE[t]]))];

/** Which of a function's wasm arguments reach JS: all but clock_time_get's precision when it is dropped. */
function passed(fn: string, params: readonly ValType[], dropPrecision: boolean): number[] {
  const all = params.map((_, i) => i);
  return dropPrecision && fn === 'clock_time_get' ? [0, 2] : all;
}

/**
 * The module: function i imports "js" NAME with the passed arguments' types,
 * and exports NAME of the spec's type, whose body forwards the arguments.
 */
function build(dropPrecision: boolean): Uint8Array {
  const names = Object.keys(WASI_FUNCTIONS);
  const types: number[][] = [];
  const imports: number[][] = [];
  const funcs: number[][] = [];
  const exports: number[][] = [];
  const bodies: number[][] = [];
  names.forEach((fn, i) => {
    const spec = WASI_FUNCTIONS[fn]!;
    const params = wasmParams(spec.params);
    const pass = passed(fn, params, dropPrecision);
    types.push(funcType(pass.map((p) => params[p]!), spec.results)); // type 2i: the JS side
    types.push(funcType(params, spec.results)); // type 2i+1: the spec's
    imports.push([...name('js'), ...name(fn), 0x00, ...leb(2 * i)]);
    funcs.push(leb(2 * i + 1));
    exports.push([...name(fn), 0x00, ...leb(names.length + i)]);
    const code = [0x00, ...pass.flatMap((p) => [0x20, ...leb(p)]), 0x10, ...leb(i), 0x0b];
    bodies.push([...leb(code.length), ...code]);
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs)),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}

/** Compiled once per variant; 2.8 KB, under the 4 KB Chrome compiles synchronously on a page's main thread. */
const modules = new Map<boolean, WebAssembly.Module>();

/**
 * `js` as wasm functions of the spec's types. With `dropPrecision`, `js`'s
 * clock_time_get takes (id, ptr): the wasm side drops the i64 precision.
 */
export function typedImports(js: WasiFunctions, dropPrecision: boolean): WasiFunctions {
  let module = modules.get(dropPrecision);
  if (module === undefined) {
    module = new WebAssembly.Module(build(dropPrecision) as Uint8Array<ArrayBuffer>);
    modules.set(dropPrecision, module);
  }
  const exports = new WebAssembly.Instance(module, { js }).exports;
  const out: WasiFunctions = {};
  for (const fn of Object.keys(WASI_FUNCTIONS)) out[fn] = exports[fn] as unknown as WasiFunction;
  return out;
}
