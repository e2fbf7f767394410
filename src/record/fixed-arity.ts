/**
 * Wrappers of a WASI function with exactly its number of wasm arguments:
 * they store the arguments into a reused array and call the hooks, so a
 * call allocates nothing (a rest-parameter wrapper makes an array per call,
 * and calling on with spread arguments is slower still). The recorder and
 * the replayer each keep their own argument array. Functions of 7 to 9
 * arguments (path_open, path_rename, …) are not hot: a rest parameter.
 */
import type { WasiFunction } from '../../wasi/calls/context.js';

export type Arg = number | bigint;

/** The most wasm arguments a WASI preview1 function takes (path_open: 9). */
export const MAX_ARGS = 9;

/** Around a call: `pre` before it, `post` with its errno, `threw` when it unwound (proc_exit). */
export interface AroundHooks {
  pre(): void;
  post(ret: number): void;
  threw(): void;
}

type Fn = (...a: Arg[]) => number;

/** `fn` wrapped with `h` around it; the arguments are in `A` when the hooks run. */
export function around(n: number, fn: WasiFunction, A: Arg[], h: AroundHooks): WasiFunction {
  const f = fn as unknown as Fn;
  switch (n) {
    case 0: return ((): number => { h.pre(); let r: number; try { r = f(); } catch (e) { h.threw(); throw e; } h.post(r); return r; }) as WasiFunction;
    case 1: return ((a: Arg): number => { A[0] = a; h.pre(); let r: number; try { r = f(a); } catch (e) { h.threw(); throw e; } h.post(r); return r; }) as WasiFunction;
    case 2: return ((a: Arg, b: Arg): number => { A[0] = a; A[1] = b; h.pre(); let r: number; try { r = f(a, b); } catch (e) { h.threw(); throw e; } h.post(r); return r; }) as WasiFunction;
    case 3: return ((a: Arg, b: Arg, c: Arg): number => { A[0] = a; A[1] = b; A[2] = c; h.pre(); let r: number; try { r = f(a, b, c); } catch (e) { h.threw(); throw e; } h.post(r); return r; }) as WasiFunction;
    case 4: return ((a: Arg, b: Arg, c: Arg, d: Arg): number => { A[0] = a; A[1] = b; A[2] = c; A[3] = d; h.pre(); let r: number; try { r = f(a, b, c, d); } catch (e) { h.threw(); throw e; } h.post(r); return r; }) as WasiFunction;
    case 5: return ((a: Arg, b: Arg, c: Arg, d: Arg, e: Arg): number => { A[0] = a; A[1] = b; A[2] = c; A[3] = d; A[4] = e; h.pre(); let r: number; try { r = f(a, b, c, d, e); } catch (x) { h.threw(); throw x; } h.post(r); return r; }) as WasiFunction;
    case 6: return ((a: Arg, b: Arg, c: Arg, d: Arg, e: Arg, g: Arg): number => { A[0] = a; A[1] = b; A[2] = c; A[3] = d; A[4] = e; A[5] = g; h.pre(); let r: number; try { r = f(a, b, c, d, e, g); } catch (x) { h.threw(); throw x; } h.post(r); return r; }) as WasiFunction;
    default: return ((...a: Arg[]): number => { for (let i = 0; i < n; i++) A[i] = a[i]!; h.pre(); let r: number; try { r = f(...a); } catch (x) { h.threw(); throw x; } h.post(r); return r; }) as WasiFunction;
  }
}

/** A function answering every call by `answer`, with the arguments in `A`. */
export function answering(n: number, A: Arg[], answer: () => number): WasiFunction {
  switch (n) {
    case 0: return answer as WasiFunction;
    case 1: return ((a: Arg): number => { A[0] = a; return answer(); }) as WasiFunction;
    case 2: return ((a: Arg, b: Arg): number => { A[0] = a; A[1] = b; return answer(); }) as WasiFunction;
    case 3: return ((a: Arg, b: Arg, c: Arg): number => { A[0] = a; A[1] = b; A[2] = c; return answer(); }) as WasiFunction;
    case 4: return ((a: Arg, b: Arg, c: Arg, d: Arg): number => { A[0] = a; A[1] = b; A[2] = c; A[3] = d; return answer(); }) as WasiFunction;
    case 5: return ((a: Arg, b: Arg, c: Arg, d: Arg, e: Arg): number => { A[0] = a; A[1] = b; A[2] = c; A[3] = d; A[4] = e; return answer(); }) as WasiFunction;
    case 6: return ((a: Arg, b: Arg, c: Arg, d: Arg, e: Arg, g: Arg): number => { A[0] = a; A[1] = b; A[2] = c; A[3] = d; A[4] = e; A[5] = g; return answer(); }) as WasiFunction;
    default: return ((...a: Arg[]): number => { for (let i = 0; i < n; i++) A[i] = a[i]!; return answer(); }) as WasiFunction;
  }
}
