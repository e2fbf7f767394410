export function greet(name: string): string { return "hello, " + name + "!"; }
export function add(a: i32, b: i32): i32 { return a + b; }
export function fail(msg: string): void { assert(false, msg); }
export function sum(xs: Int32Array): i32 { let s = 0; for (let i = 0; i < xs.length; i++) s += xs[i]; return s; }
