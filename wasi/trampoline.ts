/**
 * The imports as wasm functions of exactly the spec's types.
 *
 * V8 links a JS function to an import of any signature; wasmtime refuses a
 * mismatch at instantiation. Each import here is a wasm function of the type
 * wasi/functions.ts gives (it calls the JS implementation with its
 * arguments), so V8 refuses a module that imports one with another type with
 * a LinkError, for every user of the WASI class. The extra wasm-to-wasm call
 * costs nothing measurable on fd_write or clock_time_get (docs/performance.md
 * "Import types").
 *
 * It also keeps clock_time_get BigInt-free: every i64 argument of a JS import
 * reaches JavaScript as a newly allocated BigInt; clock_time_get's
 * `precision` is one, and tswasi ignores it (it always reads the clock
 * afresh). Untraced, its wasm function drops it and calls the JS side with
 * (id, ptr): in the 5,000,000-call clock benchmark that allocation was a
 * fifth of the call's cost.
 */
import type { ClockTimeGet, WasiFunction, WasiFunctions } from './calls/context.js';
import { WASI_FUNCTIONS, type ValType, wasmParams } from './functions.js';

const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e };

/** Append n as unsigned LEB128. */
function leb(out: number[], n: number): void {
  do {
    const b = n & 0x7f;
    n >>>= 7;
    out.push(n === 0 ? b : b | 0x80);
  } while (n !== 0);
}

/** Which of a function's wasm arguments reach JS: all but clock_time_get's precision when it is dropped. */
function passed(fn: string, params: readonly ValType[], dropPrecision: boolean): number[] {
  const all = params.map((_, i) => i);
  return dropPrecision && fn === 'clock_time_get' ? [0, 2] : all;
}

/**
 * A section: its id, size and `count` entries written by `entry`. Built with
 * push, not array spreads: this runs in every process that makes a WASI
 * instance, before the code is warm (spreads cost ~ms of start-up here).
 */
function section(out: number[], id: number, count: number, entry: (body: number[], i: number) => void): void {
  const body: number[] = [];
  leb(body, count);
  for (let i = 0; i < count; i++) entry(body, i);
  out.push(id);
  leb(out, body.length);
  for (const b of body) out.push(b);
}

function name(out: number[], s: string): void {
  leb(out, s.length); // WASI names are ASCII
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

function funcType(out: number[], params: readonly ValType[], results: readonly ValType[]): void {
  out.push(0x60);
  leb(out, params.length);
  for (const t of params) out.push(VALTYPE[t]);
  leb(out, results.length);
  for (const t of results) out.push(VALTYPE[t]);
}

/** The shortcut's imports (module "shortcut"): the function, then its globals' names and types. */
const SHORTCUT_GLOBALS: readonly [string, ValType][] = [['armed', 'i32'], ['id', 'i32'], ['precision', 'i64'], ['ptr', 'i32']];

/**
 * clock_time_get's body with a RepeatShortcut: `same(id, ptr)` when the
 * shortcut is armed and (id, precision, ptr) are its globals' values, the
 * wrapper (function `full`) otherwise. Globals 0–3 are SHORTCUT_GLOBALS.
 */
function shortcutBody(code: number[], full: number, same: number): void {
  code.push(0x23, 0); // global.get armed
  code.push(0x20, 0, 0x23, 1, 0x46, 0x71); // local.get id, global.get id, i32.eq, i32.and
  code.push(0x20, 1, 0x23, 2, 0x51, 0x71); // the same for the i64 precision (i64.eq)
  code.push(0x20, 2, 0x23, 3, 0x46, 0x71); // and ptr
  code.push(0x04, VALTYPE.i32); // if (result i32)
  code.push(0x20, 0, 0x20, 2, 0x10); leb(code, same);
  code.push(0x05); // else
  code.push(0x20, 0, 0x20, 1, 0x20, 2, 0x10); leb(code, full);
  code.push(0x0b);
}

/**
 * The module: function i imports "js" NAME with the passed arguments' types,
 * and exports NAME of the spec's type, whose body forwards the arguments.
 * With `shortcut`, clock_time_get's body first compares its arguments with
 * those the shortcut imports (RepeatShortcut).
 */
function build(names: readonly string[], dropPrecision: boolean, shortcut: boolean): Uint8Array {
  const params = names.map((fn) => wasmParams(WASI_FUNCTIONS[fn]!.params));
  const pass = names.map((fn, i) => passed(fn, params[i]!, dropPrecision));
  const n = names.length;
  // The shortcut's function is import n, of type 2n; defined functions follow the imports.
  const imported = shortcut ? n + 1 : n;
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(out, 1, 2 * n + (shortcut ? 1 : 0), (b, t) => {
    if (t === 2 * n) return funcType(b, ['i32', 'i32'], ['i32']);
    const i = t >> 1;
    const results = WASI_FUNCTIONS[names[i]!]!.results;
    // type 2i: the JS side (passed arguments); type 2i+1: the spec's
    funcType(b, (t & 1) === 0 ? pass[i]!.map((p) => params[i]![p]!) : params[i]!, results);
  });
  section(out, 2, shortcut ? n + 1 + SHORTCUT_GLOBALS.length : n, (b, i) => {
    if (i < n) { name(b, 'js'); name(b, names[i]!); b.push(0x00); leb(b, 2 * i); return; }
    name(b, 'shortcut');
    if (i === n) { name(b, 'same'); b.push(0x00); leb(b, 2 * n); return; }
    const [global, type] = SHORTCUT_GLOBALS[i - n - 1]!;
    name(b, global);
    b.push(0x03, VALTYPE[type], 0x01); // a mutable global
  });
  section(out, 3, n, (b, i) => leb(b, 2 * i + 1));
  section(out, 7, n, (b, i) => { name(b, names[i]!); b.push(0x00); leb(b, imported + i); });
  section(out, 10, n, (b, i) => {
    const code = [0x00];
    if (shortcut && names[i] === 'clock_time_get') shortcutBody(code, i, n);
    else {
      for (const p of pass[i]!) { code.push(0x20); leb(code, p); }
      code.push(0x10);
      leb(code, i);
    }
    code.push(0x0b);
    leb(b, code.length);
    for (const c of code) b.push(c);
  });
  return new Uint8Array(out);
}

const ALL = Object.keys(WASI_FUNCTIONS);

/**
 * Compiled once per variant and set of functions; the whole set is 2.8 KB,
 * under the 4 KB Chrome compiles synchronously on a page's main thread.
 * Bounded: a process sees a handful of import sets (one per guest module).
 */
const modules = new Map<string, WebAssembly.Module>();
const MAX_MODULES = 64;

/**
 * `js` as wasm functions of the spec's types: all of them, or only those of
 * `only` (the WASI functions a guest imports — instantiating 46 of them and
 * making their 46 exports JS functions costs ~70 µs, a small guest's import
 * set a fraction of that). With `dropPrecision`, `js`'s clock_time_get takes
 * (id, ptr): the wasm side drops the i64 precision. A wrapped
 * clock_time_get that carries a RepeatShortcut gets its comparison
 * (./calls/context.ts).
 */
export function typedImports(js: WasiFunctions, dropPrecision: boolean, only?: readonly string[]): WasiFunctions {
  const names = only === undefined ? ALL : [...new Set(only)].filter((n) => Object.hasOwn(WASI_FUNCTIONS, n));
  const shortcut = dropPrecision || !names.includes('clock_time_get') ? undefined : (js['clock_time_get'] as ClockTimeGet | undefined)?.shortcut;
  const key = `${dropPrecision ? 1 : 0}${shortcut ? 's' : ''}${only === undefined ? '*' : names.join(',')}`;
  let module = modules.get(key);
  if (module === undefined) {
    module = new WebAssembly.Module(build(names, dropPrecision, shortcut !== undefined) as Uint8Array<ArrayBuffer>);
    if (modules.size >= MAX_MODULES) modules.delete(modules.keys().next().value as string);
    modules.set(key, module);
  }
  const imports: WebAssembly.Imports = { js };
  if (shortcut !== undefined) imports['shortcut'] = { ...shortcut };
  const exports = new WebAssembly.Instance(module, imports).exports;
  const out: WasiFunctions = {};
  for (const fn of names) out[fn] = exports[fn] as unknown as WasiFunction;
  return out;
}
