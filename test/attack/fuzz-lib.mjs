// The WASI fuzzer (issue 6): every import of `new WASI(...)` driven with
// random arguments and random memory, through three doors:
//   wasm   — a trampoline module that imports every function with its real
//            signature and re-exports it: arguments are coerced exactly as a
//            guest's would be (ToInt32, ToBigInt64), so this is what a guest can do;
//   direct — wasi.wasiImport[name](...) with the raw JS values (numbers
//            beyond i32, BigInts beyond i64), as an embedder could (the
//            imports are wasm functions of the spec's types, so these are
//            coerced as a wasm export's arguments are);
//   raw    — the unguarded implementation (dist/wasi/calls/*.js) on the same
//            fd table and memory, with guest-representable values: the
//            guard in wasi.ts turns any exception into EIO, so only here can
//            a host exception (a TypeError, a node:fs argument error) be seen.
// Allowed: an errno 0..76, or WasiExit (proc_exit). In raw mode also a
// node:fs error with a system errno code (the kernel said no).
// @ts-check
import fs from 'node:fs';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import fc from 'fast-check';
import { compileWat } from '../helpers/wasm.mjs';
import { makeWorld, worldSnapshot, diffWorld } from './lib.mjs';
import { plantProbes } from './probes.mjs';

const { WASI } = await import('../../dist/wasi/index.js');
const { WasiError, WasiExit } = await import('../../dist/wasi/errors.js');
const { argsEnvCalls, StringList } = await import('../../dist/wasi/calls/args-env.js');
const { clockCalls } = await import('../../dist/wasi/calls/clock.js');
const { fdCalls } = await import('../../dist/wasi/calls/fd.js');
const { pathCalls } = await import('../../dist/wasi/calls/path.js');
const { pollCalls } = await import('../../dist/wasi/calls/poll.js');
const { procCalls } = await import('../../dist/wasi/calls/proc.js');
const { sockCalls } = await import('../../dist/wasi/calls/sock.js');

const { WASI_FUNCTIONS } = await import('../../dist/wasi/functions.js');

/*
 * Argument kinds, one letter per wasm argument (but P, two): f fd, p pointer,
 * n length/count, F flags/small i32, P path (ptr, len), V iovec array pointer
 * (its count follows as n), S subscription array pointer, I i64, R rights (i64),
 * D fdflags, G a socket call's flags (mostly the defined ones, some garbage).
 * Derived from the parameters' kinds in wasi/functions.ts.
 */
/** @param {import('../../dist/wasi/functions.js').Param} param */
function letters([, kind]) {
  switch (kind) {
    case 'subscriptions': return 'S';
    case 'fd': return 'f';
    case 'ptr': return 'p';
    case 'size': return 'n';
    case 'str': return 'P';
    case 'iovs': case 'ciovs': return 'Vn';
    case 'u64': case 's64': case 'timestamp': return 'I';
    case 'rights': return 'R';
    case 'fdflags': return 'D';
    case 'riflags': case 'siflags': case 'sdflags': return 'G';
    default: return kind.startsWith('out_') ? 'p' : 'F';
  }
}
export const SIGS = Object.fromEntries(Object.entries(WASI_FUNCTIONS).map(([name, f]) => [name, f.params.map(letters).join('')]));
const wasmTypes = (/** @type {string} */ sig) => [...sig].flatMap((k) => (k === 'P' ? ['i32', 'i32'] : k === 'I' || k === 'R' ? ['i64'] : ['i32']));

// ------------------------------------------------------------------- memory

export const PAGES = 2;
export const MEM = PAGES * 65536;
const STR_BASE = 1024;
const IOV_BASE = 8192;
const SUB_BASE = 9216;
const SCRATCH = 16384;
/** Paths worth trying; laid out at STR_BASE at the start of every run. */
export const PATHS = [
  'inside.txt', 'a', 'a/b', 'a/b/c', 'a/file.txt', 'sub', 'sub/', '.', '..', '', '/', '/etc/passwd',
  '../outside/secret-zq9.txt', '../outside', 'rel_dir', 'rel_dir/secret-zq9.txt', 'abs_dir/victim-zq9.txt',
  'abs_file', 'rel_victim', 'a/b/mid/secret-zq9.txt', 'up/outside', 'chain1/dirzq9', 'loop1', 'self/x',
  'new.txt', 'newdir', 'newdir/x', 'inlink', 'dangling_out', 'a/../..', 'x\0y', 'f', 'f/', 'g', 'deep0/x',
  'sub/upin/inside.txt', 'a/b/c/../../../../outside/victim-zq9.txt', '\xff\xfe', 'sub/up2/outside',
];
/** @type {{ bytes: Buffer, entries: Array<{ ptr: number, len: number }> } | undefined} */
let layout;
function stringTable() {
  if (layout) return layout;
  /** @type {Buffer[]} */
  const bytes = [];
  /** @type {Array<{ ptr: number, len: number }>} */
  const entries = [];
  let off = STR_BASE;
  for (const p of PATHS) {
    const b = Buffer.from(p, 'latin1');
    entries.push({ ptr: off, len: b.length });
    bytes.push(b, Buffer.from([0]));
    off += b.length + 1;
  }
  layout = { bytes: Buffer.concat(bytes), entries };
  if (STR_BASE + layout.bytes.length > IOV_BASE) throw new Error('string table too big');
  return layout;
}

/**
 * Deterministic fill of the scratch area from a seed (xorshift32).
 * @param {Uint8Array} u8
 * @param {number} seed
 */
function fill(u8, seed) {
  let x = (seed | 0) || 0x9e3779b9;
  for (let i = SCRATCH; i < u8.length; i += 4) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    u8[i] = x; u8[i + 1] = x >>> 8; u8[i + 2] = x >>> 16; u8[i + 3] = x >>> 24;
  }
}

// -------------------------------------------------------------- arbitraries

const i32Edge = fc.constantFrom(0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, 2 ** 40, -(2 ** 40), MEM - 1, MEM, MEM - 4, MEM + 1, 2 ** 53, 0.5, -0);
// fds 3 and 5 are the listener and the connection of every instance: asked more often.
const fdArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 12 }) }, { weight: 3, arbitrary: fc.constantFrom(3, 5) },
  { weight: 1, arbitrary: i32Edge }, { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
);
const ptrArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: SCRATCH, max: MEM - 64 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: MEM + 64 }) },
  { weight: 1, arbitrary: fc.integer({ min: MEM - 16, max: MEM + 16 }) },
  { weight: 1, arbitrary: i32Edge },
);
const lenArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 64 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 70000 }) },
  { weight: 1, arbitrary: i32Edge },
);
const flagsArb = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 0x3f }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) }, { weight: 1, arbitrary: i32Edge });
/** fdflags: 0 and NONBLOCK (all a socket takes) often, any bits sometimes. */
const fdflagsArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0, 4) }, { weight: 2, arbitrary: flagsArb });
/** riflags, siflags, sdflags: their defined bits (0..3) often, garbage sometimes. */
const sockFlagsArb = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: flagsArb });
const i64Edge = fc.constantFrom(0n, 1n, -1n, (1n << 63n) - 1n, -(1n << 63n), (1n << 64n) - 1n, 1n << 64n, 2n ** 53n, 2n ** 53n + 1n, 4294967296n, 1n << 40n, 1n << 31n, 3n << 30n);
const i64Arb = fc.oneof(
  { weight: 5, arbitrary: fc.bigInt({ min: 0n, max: 1n << 16n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }) },
  { weight: 2, arbitrary: i64Edge },
);
const rightsArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0x1fffffffn, -1n, 0n, 2n, 0x40n) }, { weight: 1, arbitrary: i64Arb });
const pathArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: PATHS.length - 1 }).map((i) => ['str', i]) },
  { weight: 1, arbitrary: fc.tuple(ptrArb, lenArb).map(([p, l]) => ['raw', p, l]) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: PATHS.length - 1 }), lenArb).map(([i, l]) => ['strlen', i, l]) },
);
const iovArb = fc.array(fc.tuple(ptrArb, fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 512 }) }, { weight: 1, arbitrary: i32Edge })), { maxLength: 6 });
const subArb = fc.array(fc.record({
  tag: fc.constantFrom(0, 1, 2, 3, 255), id: fc.integer({ min: 0, max: 5 }), fd: fc.integer({ min: 0, max: 8 }),
  timeout: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), flags: fc.integer({ min: 0, max: 3 }),
}), { minLength: 1, maxLength: 4 });

/**
 * @typedef {['P', 'str', number] | ['P', 'raw', number, number] | ['P', 'strlen', number, number]} PathArg a path: a string of the table, raw (ptr, len), or a table string with another length
 * @typedef {['V', Array<[number, number]>]} IovArg iovecs: (ptr, len) each
 * @typedef {['S', Array<{ tag: number, id: number, fd: number, timeout: bigint, flags: number }>]} SubArg poll_oneoff's subscriptions
 * @typedef {number | bigint | PathArg | IovArg | SubArg} Arg
 * @typedef {{ name: string, args: Arg[], mode: 'wasm' | 'direct' | 'raw', patch: [number, Uint8Array] | null }} Command
 * @typedef {{ outcome: 'errno' | 'exit' | 'syserr' | 'mapped' | 'host', detail: string | number, stack?: string, ms: number }} Outcome
 */

/**
 * @param {string} kind
 * @returns {fc.Arbitrary<Arg>}
 */
function argArb(kind) {
  switch (kind) {
    case 'f': return fdArb;
    case 'p': return ptrArb;
    case 'n': return lenArb;
    case 'F': return flagsArb;
    case 'D': return fdflagsArb;
    case 'G': return sockFlagsArb;
    case 'I': return i64Arb;
    case 'R': return rightsArb;
    case 'P': return pathArb.map((v) => /** @type {PathArg} */ (['P', ...v]));
    case 'V': return iovArb.map((v) => /** @type {IovArg} */ (['V', v]));
    case 'S': return subArb.map((v) => /** @type {SubArg} */ (['S', v]));
    default: throw new Error(kind);
  }
}
const HEAVY = ['path_open', 'fd_read', 'fd_write', 'fd_pread', 'fd_pwrite', 'fd_readdir', 'path_filestat_get', 'path_rename', 'path_link', 'path_symlink', 'fd_renumber', 'fd_close', 'path_unlink_file', 'path_create_directory', 'fd_seek'];
export const commandArb = fc.oneof(...Object.entries(SIGS).map(([name, sig]) => ({
  weight: HEAVY.includes(name) ? 4 : name === 'proc_exit' ? 1 : 2,
  arbitrary: fc.record({
    name: fc.constant(name),
    args: fc.tuple(...[...sig].map(argArb)),
    mode: fc.constantFrom('wasm', 'wasm', 'direct', 'direct', 'raw'),
    patch: fc.option(fc.tuple(fc.integer({ min: 0, max: MEM - 1 }), fc.uint8Array({ maxLength: 32 })), { freq: 4 }),
  }),
})));
export const CALLS_PER_RUN = Number(process.env.FUZZ_CALLS_PER_RUN || 120);
export const runArb = fc.record({ memSeed: fc.integer(), cmds: fc.array(commandArb, { minLength: CALLS_PER_RUN, maxLength: CALLS_PER_RUN }) });

// ------------------------------------------------------------------ network

/**
 * The fuzzer's network (fuzz-feeder.mjs, a worker): a listener for every
 * run's instance and clients that keep connecting to it. Asked synchronously
 * (a run is synchronous): post, then wait on the flag for the answer.
 * @type {{ worker: Worker, replies: import('node:worker_threads').MessagePort, flags: Int32Array } | undefined}
 */
let feeder;

/**
 * @param {{ op: 'open' | 'close' } | null} request
 * @returns {any} the feeder's answer
 */
function askFeeder(request) {
  if (!feeder) {
    const { port1, port2 } = new MessageChannel();
    const flag = new SharedArrayBuffer(4);
    const worker = new Worker(new URL('./fuzz-feeder.mjs', import.meta.url), { workerData: { reply: port2, flag }, transferList: [port2] });
    worker.unref();
    feeder = { worker, replies: port1, flags: new Int32Array(flag) };
    if (request !== null) askFeeder(null);
  }
  const seen = Atomics.load(feeder.flags, 0);
  if (request !== null) feeder.worker.postMessage(request);
  if (Atomics.wait(feeder.flags, 0, seen, 10_000) === 'timed-out' && Atomics.load(feeder.flags, 0) === seen) throw new Error('the fuzz feeder did not answer');
  const r = receiveMessageOnPort(feeder.replies);
  if (!r) throw new Error('the fuzz feeder answered nothing');
  return r.message;
}

// ----------------------------------------------------------------- executing

/** @type {WebAssembly.Module | undefined} */
let trampoline;
/** Build the trampoline module once (wabt is async); instance() is synchronous after this. */
export async function prepare() {
  if (trampoline) return trampoline;
  const lines = ['(module'];
  for (const [name, sig] of Object.entries(SIGS)) {
    const params = wasmTypes(sig).join(' ');
    const result = name === 'proc_exit' ? '' : '(result i32)';
    lines.push(`(import "wasi_snapshot_preview1" "${name}" (func $${name} ${params ? `(param ${params})` : ''} ${result}))`);
  }
  lines.push(`(memory (export "memory") ${PAGES})`);
  for (const [name, sig] of Object.entries(SIGS)) {
    const types = wasmTypes(sig);
    const params = types.join(' ');
    const result = name === 'proc_exit' ? '' : '(result i32)';
    lines.push(`(func (export "${name}") ${params ? `(param ${params})` : ''} ${result} ${types.map((_, i) => `local.get ${i}`).join(' ')} call $${name})`);
  }
  lines.push(')');
  trampoline = new WebAssembly.Module(await compileWat(lines.join('\n'), { name: 'trampoline.wat', validate: false }));
  return trampoline;
}

/**
 * @typedef {object} FuzzInstance
 * @property {InstanceType<typeof WASI>} wasi
 * @property {WebAssembly.Instance} inst the trampoline
 * @property {Record<string, (...a: Array<number | bigint>) => unknown>} raw the unguarded calls
 * @property {WebAssembly.Memory} memory
 * @property {{ bytes: number, write(c: Uint8Array): void }} sink
 * @property {() => void} close ends the instance and its clients
 */

/**
 * One WASI instance on world `w`, its trampoline instance, and the raw (unguarded) calls.
 * @param {Pick<import('./lib.mjs').World, 'preopen'>} w
 * @returns {FuzzInstance}
 */
export function instance(w) {
  const mod = trampoline;
  if (!mod) throw new Error('call prepare() first');
  const sink = { bytes: 0, write(/** @type {Uint8Array} */ c) { this.bytes += c.length; } };
  const args = ['fuzz', 'arg1', 'ärg2'];
  const env = { A: '1', B: 'two' };
  // A real listener (fd 3) whose clients keep coming, and one connection accepted from it (fd 5): fd 4 is /sandbox.
  const { channel } = askFeeder({ op: 'open' });
  const wasi = new WASI({ version: 'preview1', args, env, preopens: { '/sandbox': w.preopen }, stdin: 'stdin data\n', stdout: sink, stderr: sink, listeners: { channel } });
  const inst = new WebAssembly.Instance(mod, wasi.getImportObject());
  wasi.attach(inst);
  const imp = /** @type {Record<string, (...a: number[]) => number>} */ (/** @type {unknown} */ (wasi.wasiImport));
  // The listener starts non-blocking: wait for the first client, then give it its flag back.
  if (imp.fd_fdstat_set_flags(3, 0) !== 0 || imp.sock_accept(3, 0, 0) !== 0 || new DataView(/** @type {WebAssembly.Memory} */ (inst.exports.memory).buffer).getUint32(0, true) !== 5 || imp.fd_fdstat_set_flags(3, 4) !== 0) {
    throw new Error('the fuzz instance has no listener and connection at fds 3 and 5');
  }
  // The raw door drives the unguarded calls on this instance's own memory and fd table.
  // @ts-expect-error -- `mem` is private to WasiBase: only the fuzzer reaches past the guard.
  const mem = /** @type {import('../../dist/wasi/memory.js').GuestMemory} */ (wasi.mem);
  const ctx = { mem, fds: wasi.fds };
  /** @type {FuzzInstance['raw']} the calls as wasm values in, an errno (or a throw) out */
  const raw = /** @type {never} */ ({
    ...argsEnvCalls(ctx, new StringList(args), new StringList(['A=1', 'B=two'])),
    ...clockCalls(ctx), ...fdCalls(ctx), ...pathCalls(ctx), ...pollCalls(ctx), ...procCalls(ctx), ...sockCalls(ctx),
  });
  const close = () => {
    wasi.close();
    askFeeder({ op: 'close' });
  };
  return { wasi, inst, raw, memory: /** @type {WebAssembly.Memory} */ (inst.exports.memory), sink, close };
}

/**
 * Prepare memory for a run: the scratch fill and the string table.
 * @param {WebAssembly.Memory} memory
 * @param {number} seed
 */
export function resetMemory(memory, seed) {
  const u8 = new Uint8Array(memory.buffer);
  u8.fill(0, 0, SCRATCH);
  fill(u8, seed);
  const t = stringTable();
  u8.set(t.bytes, STR_BASE);
}

/**
 * Turn a command's arguments into values (and write iovecs/subscriptions to memory).
 * @param {Command} cmd
 * @param {Uint8Array} u8
 * @param {DataView} dv
 * @returns {Array<number | bigint>}
 */
function materialise(cmd, u8, dv) {
  /** @type {Array<number | bigint>} */
  const out = [];
  for (const a of cmd.args) {
    if (!Array.isArray(a)) { out.push(a); continue; }
    if (a[0] === 'P') {
      const t = stringTable().entries;
      if (a[1] === 'str') out.push(t[a[2]].ptr, t[a[2]].len);
      else if (a[1] === 'raw') out.push(a[2], a[3]);
      else out.push(t[a[2]].ptr, a[3]);
    } else if (a[0] === 'V') {
      a[1].forEach(([p, l], i) => { dv.setUint32(IOV_BASE + i * 8, p >>> 0, true); dv.setUint32(IOV_BASE + i * 8 + 4, l >>> 0, true); });
      out.push(IOV_BASE);
    } else if (a[0] === 'S') {
      a[1].forEach((s, i) => {
        const b = SUB_BASE + i * 48;
        u8.fill(0, b, b + 48);
        dv.setBigUint64(b, BigInt(i + 1), true);
        u8[b + 8] = s.tag;
        dv.setUint32(b + 16, s.tag === 0 ? s.id : s.fd, true);
        dv.setBigUint64(b + 24, BigInt.asUintN(64, s.timeout), true);
        dv.setUint16(b + 40, s.flags, true);
      });
      out.push(SUB_BASE);
    }
  }
  return out;
}

/**
 * Clock subscriptions may not sleep longer than 10 ms: relative, timeout mod
 * 10 ms. A set with no clock gets one (its last subscription becomes a 10 ms
 * clock): a listener is never writable, so FD_WRITE on one would wait forever,
 * as poll(2) would; every other socket wait ends by the feeder's traffic.
 * @param {Uint8Array} u8
 * @param {DataView} dv
 * @param {number} inPtr
 * @param {number} nsubs
 */
function maskPoll(u8, dv, inPtr, nsubs) {
  inPtr >>>= 0;
  const n = Math.min(nsubs >>> 0, 4096);
  let last = -1;
  let clock = false;
  for (let i = 0; i < n; i++) {
    const b = inPtr + i * 48;
    if (b + 48 > u8.length) break;
    last = b;
    if (u8[b + 8] === 0) {
      clock = true;
      dv.setBigUint64(b + 24, dv.getBigUint64(b + 24, true) % 10_000_000n, true);
      dv.setUint16(b + 40, dv.getUint16(b + 40, true) & ~1, true);
    }
  }
  if (!clock && last >= 0) {
    u8[last + 8] = 0;
    dv.setUint32(last + 16, 1, true); // MONOTONIC
    dv.setBigUint64(last + 24, 10_000_000n, true);
    dv.setUint16(last + 40, 0, true);
  }
}

const asI32 = (/** @type {number | bigint} */ v) => (typeof v === 'number' ? v | 0 : v);
const asI64 = (/** @type {number | bigint} */ v) => (typeof v === 'bigint' ? BigInt.asIntN(64, v) : v);

/**
 * Run one command. Returns { outcome: 'errno'|'exit'|'syserr'|'mapped'|'host', detail, ms }.
 * 'host' is a failure: a non-errno result or a host exception.
 * @param {FuzzInstance} ctx
 * @param {Command} cmd
 * @returns {Outcome}
 */
export function execute(ctx, cmd) {
  const u8 = new Uint8Array(ctx.memory.buffer);
  const dv = new DataView(ctx.memory.buffer);
  let args = materialise(cmd, u8, dv);
  if (cmd.patch) u8.set(cmd.patch[1].subarray(0, MEM - cmd.patch[0]), cmd.patch[0]);
  if (cmd.name === 'poll_oneoff') maskPoll(u8, dv, Number(args[0]) | 0, Number(args[2]) | 0);
  const sig = wasmTypes(SIGS[cmd.name]);
  const t0 = performance.now();
  /** @type {Omit<Outcome, 'ms'>} */
  let outcome;
  try {
    let r;
    // Each function as the guest (wasm) or an embedder (direct) calls it: wasm values in, an errno out.
    if (cmd.mode === 'wasm') r = /** @type {(...a: Array<number | bigint>) => unknown} */ (ctx.inst.exports[cmd.name])(...args);
    else if (cmd.mode === 'direct') r = /** @type {(...a: Array<number | bigint>) => unknown} */ (ctx.wasi.wasiImport[cmd.name])(...args);
    else {
      args = args.map((v, i) => (sig[i] === 'i64' ? asI64(typeof v === 'number' ? BigInt(Math.trunc(v)) : v) : asI32(typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : v)));
      r = ctx.raw[cmd.name](...args);
    }
    if (cmd.name === 'proc_exit') outcome = { outcome: 'host', detail: `proc_exit returned ${String(r)}` };
    else if (typeof r === 'number' && Number.isInteger(r) && r >= 0 && r <= 76) outcome = { outcome: 'errno', detail: r };
    else outcome = { outcome: 'host', detail: `returned ${typeof r} ${String(r)}` };
  } catch (caught) {
    /** @type {{ code?: unknown, message?: unknown, stack?: string, constructor?: { name: string } } | undefined} what was thrown, read field by field */
    const e = typeof caught === 'object' && caught !== null ? caught : undefined;
    if (caught instanceof WasiExit) outcome = { outcome: 'exit', detail: caught.code };
    else if (cmd.mode === 'raw' && caught instanceof WasiError) outcome = { outcome: 'errno', detail: caught.errno };
    else if (cmd.mode === 'raw' && typeof e?.code === 'string' && /^E[A-Z0-9]+$/.test(e.code)) outcome = { outcome: 'syserr', detail: e.code };
    // errnoOf's deliberate fallbacks (RangeError -> FAULT, node's argument checks -> INVAL): tolerated, counted.
    else if (cmd.mode === 'raw' && (caught instanceof RangeError || e?.code === 'ERR_OUT_OF_RANGE' || e?.code === 'ERR_INVALID_ARG_VALUE')) outcome = { outcome: 'mapped', detail: `${cmd.name}: ${e?.constructor?.name}${e?.code ? ` ${e.code}` : ''}: ${String(e?.message).slice(0, 100)}` };
    else outcome = { outcome: 'host', detail: `threw ${e?.constructor?.name}: ${e?.message ?? caught}${e?.code ? ` (${e.code})` : ''}`, ...(e?.stack ? { stack: e.stack } : {}) };
  }
  return { ...outcome, ms: performance.now() - t0 };
}

/** JSON for a command (BigInts and Uint8Arrays survive). */
export const serialise = (/** @type {unknown} */ v) => JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? { $big: String(x) } : x instanceof Uint8Array ? { $u8: Buffer.from(x).toString('base64') } : x));
export const deserialise = (/** @type {string} */ s) => JSON.parse(s, (k, x) => (x && typeof x === 'object' && '$big' in x ? BigInt(x.$big) : x && typeof x === 'object' && '$u8' in x ? new Uint8Array(Buffer.from(x.$u8, 'base64')) : x));

/** @typedef {import('./lib.mjs').World & { snapshot: Record<string, import('../helpers/snapshot.mjs').Snapshot> }} FuzzWorld */

/**
 * A fuzzing world: sandbox with everything planted, outside next to it.
 * @param {'host' | 'mem'} backend
 * @returns {Promise<FuzzWorld>}
 */
export async function fuzzWorld(backend) {
  const w = await makeWorld(backend);
  plantProbes(w);
  return Object.assign(w, { snapshot: worldSnapshot(w) });
}
/** @param {FuzzWorld} w */
export function outsideChanges(w) {
  return diffWorld(w.snapshot, worldSnapshot(w));
}
/**
 * Empty the sandbox and plant it again (junk piles up over many runs).
 * @param {FuzzWorld} w
 */
export function replant(w) {
  if (!w.vol) {
    fs.rmSync(w.sandbox, { recursive: true, force: true });
    fs.mkdirSync(w.sandbox);
  } else {
    w.vol.rmSync('/sandbox', { recursive: true, force: true });
    w.vol.mkdirSync('/sandbox');
  }
  plantProbes(w);
}
