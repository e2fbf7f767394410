/** Turning a V8 wasm exception into wasmtime-style trap text. */

/** V8's RuntimeError messages → the trap names wasmtime prints. */
const TRAP_NAMES: Array<[RegExp, string]> = [
  [/^unreachable/, 'unreachable'],
  [/memory access out of bounds/, 'out of bounds memory access'],
  [/divide by zero/, 'integer divide by zero'],
  [/remainder by zero/, 'integer divide by zero'],
  [/integer overflow/, 'integer overflow'],
  [/float unrepresentable/, 'invalid conversion to integer'],
  [/table index is out of bounds/, 'undefined element: out of bounds table access'],
  [/null function or function signature mismatch|function signature mismatch/, 'indirect call type mismatch'],
  [/Maximum call stack size exceeded/, 'call stack exhausted'],
  [/data segment|out of bounds/, 'out of bounds memory access'],
];

export interface TrapInfo {
  message: string;
  frames: string[];
}

/** Is this exception a trap of the guest (as opposed to a host bug)? */
export function isTrap(e: unknown): e is Error {
  return e instanceof WebAssembly.RuntimeError || (e instanceof RangeError && /call stack/.test(e.message));
}

export function describeTrap(e: Error): TrapInfo {
  const raw = e.message;
  const named = TRAP_NAMES.find(([re]) => re.test(raw));
  const frames: string[] = [];
  for (const line of String(e.stack ?? '').split('\n')) {
    // "    at name (wasm://wasm/hash:wasm-function[3]:0x1a0)" or "    at wasm://wasm/hash:wasm-function[3]:0x1a0"
    const m = /^\s*at (?:(.+?) \()?wasm:\/\/wasm\/[^:]*:(wasm-function\[\d+\]):(0x[0-9a-f]+)\)?$/.exec(line);
    if (m) frames.push(m[1] ?? m[2]!);
  }
  return { message: named ? named[1] : raw, frames };
}
