/**
 * Recording a run: a WASIOptions.wrapImport wrapper that, around every WASI
 * call, takes what the guest passed in and, after it, what the host wrote
 * into guest memory and returned, and streams it to a RecordingWriter.
 */
import type { CallContext, ClockTimeGet, RepeatShortcut, WasiFunction } from '../../wasi/calls/context.js';
import { WASI_FUNCTIONS } from '../../wasi/functions.js';
import type { GuestMemory } from '../../wasi/memory.js';
import { callPlan, encodeArgs, encodeInputs, encodeStored, encodeWrites, type CallPlan, type ListSizes } from './effects.js';
import { ClockRing, RING } from './clock-ring.js';
import { around, MAX_ARGS, type Arg } from './fixed-arity.js';
import { FORMAT_VERSION, MAX_REPEAT_RUN, Tag, u32At, type RecordingEnd, type RecordingHeader } from './format.js';
import { NextValue, nextShaped, zigzag } from './next.js';
import { RepeatCache, writeShaped } from './repeat-cache.js';
import { arm, newShortcut } from './shortcut.js';
import { PayloadCursor, sameInputs, sameResults } from './same-call.js';
import type { RecordingWriter } from './writer.js';

/** What a recording starts with; `module` is the wasm bytes run (kept whole, so it replays anywhere). */
export interface RecordingStart {
  module: Uint8Array;
  moduleSha256: string;
  args: readonly string[];
  env: readonly string[];
  preopens: readonly string[];
  invoke?: string | undefined;
  invokeArgs?: readonly string[] | undefined;
}

/** Calls that may wait for the outside world: the block so far is written out first, so a hung run's recording shows where it waits. */
const WAITS = new Set(['poll_oneoff', 'sock_accept', 'sock_recv']);

const utf8 = new TextEncoder();

/**
 * A call whose record would be byte for byte its function's last one (the
 * same arguments, inputs, errno and writes: a loop writing the same line,
 * polling the same fd) is recorded as a REPEAT of it: the function's index
 * alone. Records above this size are never compared (a big read is unlikely
 * to repeat, and keeping a copy would double its cost).
 */
const REPEAT_MAX = 256;
/**
 * A function whose last this-many calls all differed (a clock: a new time
 * each call) is compared only on every 64th call until one repeats again:
 * the comparison is then most of what recording it costs.
 */
const MISSES_BEFORE_SAMPLING = 64;

export class Recorder {
  private readonly functions = Object.keys(WASI_FUNCTIONS);
  private readonly index = new Map(this.functions.map((n, i) => [n, i]));
  private readonly lists: ListSizes;
  /** The arguments of the call in progress (./fixed-arity.ts). */
  private readonly A: Arg[] = new Array<Arg>(MAX_ARGS).fill(0);
  /**
   * Each function's last CALL payload (up to REPEAT_MAX bytes; length -1:
   * none to repeat): where it is in the writer's block (-1 once the block
   * was written out), else its copy in `last`, made only then — a call that
   * differs each time (a clock) copies nothing.
   */
  private readonly last: Uint8Array[];
  private readonly lastLen: Int32Array;
  private readonly lastAt: Int32Array;
  /** Each function's calls in a row that did not repeat (saturating at MISSES_BEFORE_SAMPLING). */
  private readonly misses: Uint8Array;
  /**
   * Each function's last payload's arguments, as the guest passed them, and
   * where its inputs start in it: a call's arguments are compared with
   * these, not decoded from the payload's varints.
   */
  private readonly lastArgs: Arg[][];
  private readonly inputsAt: Int32Array;
  /**
   * Whether lastArgs holds the last payload's arguments (1) or was not kept
   * (0): a function compared only on every 64th call (a clock) keeps them
   * only for a call whose next one may be compared — copying them is a good
   * part of what recording such a call costs.
   */
  private readonly argsKept: Uint8Array;
  /** Where the inputs of the CALL being encoded start in its payload. */
  private encodedInputsAt = 0;
  /** Reads a last payload for ./same-call.ts. */
  private readonly cursor = new PayloadCursor();
  /** Bytes of the last payload before its errno, once sameAsLastBefore found this call's arguments and inputs the same. */
  private prefixLen = 0;
  /**
   * The REPEAT run in progress: calls in a row that each repeat function
   * `runIndex`'s last CALL (-1: none), written as one REPEAT record when
   * another record begins, the run reaches MAX_REPEAT_RUN, or the block is
   * written out. A repeated call then costs a count, not a record.
   */
  private runIndex = -1;
  private runTimes = 0;
  /**
   * The NEXT record in progress (./next.ts): function `nextIndex`'s (-1:
   * none), begun at `nextAt` (its reserved length byte) in the block, with
   * `nextTimes` differences written so far. Closed when another record
   * begins, at MAX_REPEAT_RUN differences, and before the block goes.
   */
  private nextIndex = -1;
  private nextAt = 0;
  private nextTimes = 0;
  /** Whether that record is packed (the ring's), and where its count's reserved byte is. */
  private nextPacked = false;
  private nextCountAt = 0;
  /**
   * clock_time_get's values not encoded yet (./clock-ring.ts): the first
   * `ringLen`, of the calls that came through its RepeatShortcut
   * (wasi/calls/context.ts), in order, all after every record so far;
   * `ringValue` is the value before them. drainRing encodes them as packed
   * NEXT differences before any other record and when the ring is full: a clock
   * read in a loop costs a store and a load here, not a difference, a
   * varint and a NEXT's checks each. Made with clock_time_get's wrapper.
   */
  private ring: ClockRing | null = null;
  private ringLen = 0;
  private ringIndex = -1;
  private readonly ringValue = new NextValue();
  /** A CALL record of ring value `at`, too far from the one before for a packed difference (ClockRing.far): the armed call's, which stored it. */
  private ringCall: (at: number) => void = () => {};
  calls = 0;

  /** For WASIOptions.wrapImport. */
  readonly wrap: (name: string, fn: WasiFunction, ctx: CallContext) => WasiFunction;

  constructor(private readonly out: RecordingWriter, start: RecordingStart) {
    const header: RecordingHeader = {
      format: 'tswasi-recording',
      version: FORMAT_VERSION,
      functions: this.functions,
      module: { sha256: start.moduleSha256, size: start.module.length },
      args: [...start.args],
      env: [...start.env],
      preopens: [...start.preopens],
      ...(start.invoke !== undefined ? { invoke: start.invoke, invokeArgs: [...(start.invokeArgs ?? [])] } : {}),
    };
    const bytes = (list: readonly string[]): number => list.reduce((n, s) => n + utf8.encode(s).length + 1, 0);
    this.lists = { args: [start.args.length, bytes(start.args)], env: [start.env.length, bytes(start.env)] };
    out.record(Tag.Header, (w) => w.bytes(utf8.encode(JSON.stringify(header))));
    out.record(Tag.Module, (w) => w.bytes(start.module));
    out.flush();
    this.last = this.functions.map(() => new Uint8Array(REPEAT_MAX));
    this.lastLen = new Int32Array(this.functions.length).fill(-1);
    this.lastAt = new Int32Array(this.functions.length).fill(-1);
    this.misses = new Uint8Array(this.functions.length);
    this.lastArgs = this.functions.map(() => new Array<Arg>(MAX_ARGS).fill(0));
    this.inputsAt = new Int32Array(this.functions.length);
    this.argsKept = new Uint8Array(this.functions.length);
    out.beforeFlush = () => {
      this.closeNext();
      this.keepLast();
    };
    this.wrap = (name, fn, ctx) => this.wrapOne(name, fn, ctx);
  }

  /**
   * Close the CALL record of function `index` begun at `at` (the reserved
   * length byte): kept as it is, or, when it repeats the function's last one,
   * replaced by a REPEAT record.
   */
  private endCall(index: number, at: number): void {
    const out = this.out;
    const w = out.out;
    const len = w.length - at - 1;
    if (len > REPEAT_MAX) {
      this.lastLen[index] = -1;
      out.end(at);
      return;
    }
    const buf = w.buf;
    const from = at + 1;
    const misses = this.misses[index]!;
    let same = this.lastLen[index] === len && (misses < MISSES_BEFORE_SAMPLING || (this.calls & 63) === 0);
    if (same) {
      // From the end: what differs between two calls of a function is mostly what the host wrote (a time, a count), last in the record.
      const lastAt = this.lastAt[index]!;
      const prev = lastAt >= 0 ? buf : this.last[index]!;
      const p = lastAt >= 0 ? lastAt : 0;
      for (let i = len - 1; i >= 0; i--) if (buf[from + i] !== prev[p + i]) { same = false; break; }
    }
    if (!same) {
      const missed = misses < MISSES_BEFORE_SAMPLING ? misses + 1 : misses;
      this.misses[index] = missed;
      this.lastLen[index] = len;
      // sameAsLastBefore's sampling, for this function's next call if it comes next.
      if (missed < MISSES_BEFORE_SAMPLING || ((this.calls + 1) & 63) === 0) this.keepArgs(index);
      else this.argsKept[index] = 0;
      // The payload's place once end() has written its length (a length of 128 or more moves it by a byte); set first, as end() may write the block out.
      this.lastAt[index] = from + (len >= 0x80 ? 1 : 0);
      out.end(at);
      return;
    }
    // This call's arguments are the last payload's (it is byte for byte that payload): kept now if they were not.
    if (this.argsKept[index] === 0) this.keepArgs(index);
    // Drop the record (its tag is the byte before `at`) for a REPEAT of it.
    w.length = at - 1;
    this.repeat(index);
  }

  /** Keep the arguments of the CALL just encoded, and where its inputs start, as function `index`'s last. */
  private keepArgs(index: number): void {
    const args = this.lastArgs[index]!;
    for (let i = 0; i < MAX_ARGS; i++) args[i] = this.A[i]!;
    this.inputsAt[index] = this.encodedInputsAt;
    this.argsKept[index] = 1;
  }

  /** One more call repeating function `index`'s last CALL. */
  private repeat(index: number): void {
    if (this.ringLen !== 0) this.drainRing();
    this.misses[index] = 0;
    if (this.runIndex === index && this.runTimes < MAX_REPEAT_RUN) {
      this.runTimes++;
      return;
    }
    this.endRun();
    this.runIndex = index;
    this.runTimes = 1;
  }

  /** Write the REPEAT run or close the NEXT record in progress, if any (before any other record, and before the block goes). */
  private endRun(): void {
    if (this.ringLen !== 0) this.drainRing();
    if (this.nextIndex >= 0) {
      this.nextIndex = -1;
      this.finishPacked();
      this.out.end(this.nextAt, this.nextTimes);
    }
    const index = this.runIndex;
    if (index < 0) return;
    this.runIndex = -1;
    const out = this.out;
    const r = out.begin(Tag.Repeat);
    out.out.uvar(index);
    if (this.runTimes > 1) out.out.uvar(this.runTimes);
    out.end(r, this.runTimes);
  }

  /** Close the NEXT record in progress, if any, as the block is about to go (its calls' age is the block's). */
  private closeNext(): void {
    if (this.nextIndex < 0) return;
    this.nextIndex = -1;
    this.finishPacked();
    const w = this.out.out;
    w.patch(this.nextAt, w.length - this.nextAt - 1);
  }

  /** The NEXT record closing is packed: its last half byte, and its count (before its length: the count may move what follows). */
  private finishPacked(): void {
    if (!this.nextPacked) return;
    const w = this.out.out;
    this.out.packedBytes += this.ring!.finish(w);
    w.patch(this.nextCountAt, this.nextTimes);
  }

  /** Begin function `index`'s NEXT record, plain or packed (the clock ring's), ending the run or record in progress. */
  private beginNext(index: number, packed: boolean): void {
    this.endRun();
    const w = this.out.out;
    this.nextAt = this.out.begin(packed ? Tag.PackedNext : Tag.Next);
    w.uvar(index);
    if (packed) {
      this.nextCountAt = w.reserve();
      this.ring!.begin();
    }
    this.nextPacked = packed;
    this.nextIndex = index;
    this.nextTimes = 0;
  }

  /** One more call of function `index` as a NEXT difference `d` (./next.ts's MAX_NEXT_DIFF at most). */
  private next(index: number, d: number): void {
    if (this.ringLen !== 0) this.drainRing();
    if (this.nextIndex !== index || this.nextPacked) this.beginNext(index, false);
    this.out.out.uvar(zigzag(d));
    if (++this.nextTimes === MAX_REPEAT_RUN) this.endRun();
  }

  /**
   * Encode the ring's values as the differences of packed NEXT records of
   * its function (./packed-next.ts), MAX_REPEAT_RUN a record, in wasm
   * (ClockRing); a value too far from the one before is a CALL instead
   * (ringCall), which the values after it follow. The ring is emptied
   * first: the records this closes find it empty.
   */
  private drainRing(): void {
    const n = this.ringLen;
    this.ringLen = 0;
    const ring = this.ring!;
    const u32 = ring.u32;
    const index = this.ringIndex;
    const value = this.ringValue;
    const out = this.out;
    for (let i = 0; i < n;) {
      if (ring.far(i, value.lo, value.hi)) {
        this.ringCall(i); // checked before a record begins: a packed record holds at least one difference
        value.lo = u32[2 * i]!;
        value.hi = u32[2 * i + 1]!;
        i++;
        continue;
      }
      if (this.nextIndex !== index || !this.nextPacked) this.beginNext(index, true);
      const w = out.out;
      const at = w.length;
      const stop = ring.encode(w, i, Math.min(n, i + MAX_REPEAT_RUN - this.nextTimes), value.lo, value.hi);
      out.packedBytes += w.length - at;
      value.lo = u32[2 * stop - 2]!;
      value.hi = u32[2 * stop - 1]!;
      const k = stop - i;
      i = stop;
      if ((this.nextTimes += k) === MAX_REPEAT_RUN) this.endRun();
    }
    this.calls += n;
  }

  /** Point the cursor at function `index`'s last payload (in the block, or its copy); returns where it starts. */
  private atLast(index: number): number {
    const lastAt = this.lastAt[index]!;
    const c = this.cursor;
    c.buf = lastAt >= 0 ? this.out.out.buf : this.last[index]!;
    c.pos = lastAt >= 0 ? lastAt : 0;
    return c.pos;
  }

  /**
   * Before a call of a function whose only writes are fixed-size results:
   * whether its arguments and inputs are its last call's (then nothing is
   * encoded until the call returns, and most often only a REPEAT is).
   */
  private sameAsLastBefore(index: number, plan: CallPlan, mem: GuestMemory): boolean {
    if (this.lastLen[index]! < 0 || this.argsKept[index] === 0) return false;
    if (this.misses[index]! >= MISSES_BEFORE_SAMPLING && ((this.calls + 1) & 63) !== 0) return false;
    const A = this.A;
    const last = this.lastArgs[index]!;
    // BigInts (i64 arguments) compare by value.
    for (let i = 0; i < plan.i64.length; i++) if (A[i] !== last[i]) return false;
    const start = this.atLast(index);
    this.cursor.pos = start + this.inputsAt[index]!;
    if (!sameInputs(this.cursor, plan, mem, A)) return false;
    this.prefixLen = this.cursor.pos - start;
    return true;
  }

  /** After such a call: whether its errno and results are its last call's too. */
  private sameAsLastAfter(index: number, ret: number, plan: CallPlan, mem: GuestMemory): boolean {
    const start = this.atLast(index);
    this.cursor.pos = start + this.prefixLen;
    return sameResults(this.cursor, start + this.lastLen[index]!, ret, plan, mem, this.A);
  }

  /** A CALL record begun with the last payload's function index, arguments and inputs (this call's, found the same); returns where it begins. */
  private beginFromLast(index: number): number {
    this.endRun();
    const start = this.atLast(index);
    const src = this.cursor.buf; // the block's buffer before begin() may grow it
    this.encodedInputsAt = this.inputsAt[index]!; // the same arguments, so the same layout
    const at = this.out.begin(Tag.Call);
    this.out.out.copyFrom(src, start, this.prefixLen);
    return at;
  }

  /** The block is about to go: copy each last payload still in it. */
  private keepLast(): void {
    const buf = this.out.out.buf;
    for (let f = 0; f < this.lastAt.length; f++) {
      const at = this.lastAt[f]!;
      if (at < 0) continue;
      this.last[f]!.set(buf.subarray(at, at + this.lastLen[f]!));
      this.lastAt[f] = -1;
    }
  }

  private wrapOne(name: string, fn: WasiFunction, ctx: CallContext): WasiFunction {
    const index = this.index.get(name);
    if (index === undefined) return fn;
    const plan = callPlan(name);
    const waits = WAITS.has(name);
    if (nextShaped(plan) && !waits) return this.wrapNext(index, plan, fn, ctx, name === 'clock_time_get');
    const n = plan.i64.length;
    const lists = this.lists;
    const out = this.out;
    const w = out.out;
    const A = this.A;
    const mem = ctx.mem;
    // Its only writes are the fixed-size results: a call can be found the same as the last without encoding it (./same-call.ts).
    const comparable = !plan.more;
    /** Whether pre found the arguments and inputs the last call's, encoding nothing yet. */
    let pending = false;
    // A write loop's last repeating call, kept flat (./repeat-cache.ts); `cached`: pre found this call the same as it.
    const cache = writeShaped(plan) && !waits ? new RepeatCache(plan, REPEAT_MAX) : null;
    let cached = false;
    let at = 0;
    /** A CALL record begun with this call's arguments and the bytes the cache kept (found the same before the call). */
    const beginCached = (input: Uint8Array): number => {
      this.endRun();
      const begun = out.begin(Tag.Call);
      w.uvar(index);
      encodeArgs(w, plan, A);
      this.encodedInputsAt = w.length - begun - 1;
      w.uvar(input.length);
      w.copyFrom(input, 0, input.length);
      return begun;
    };
    // The record is encoded straight into the writer's block: what the guest hands in before the call (a read may overwrite it), the rest after.
    return around(n, fn, A, {
      pre: () => {
        if (cache !== null && cache.armed && cache.sameBefore(A, mem)) {
          cached = true;
          return;
        }
        if (waits || (name === 'fd_read' && A[0] === 0)) {
          this.endRun();
          out.flush();
        }
        pending = comparable && this.sameAsLastBefore(index, plan, mem);
        if (pending) return;
        this.endRun();
        at = out.begin(Tag.Call);
        w.uvar(index);
        encodeArgs(w, plan, A);
        this.encodedInputsAt = w.length - at - 1;
        if (plan.inputs.length > 0) encodeInputs(w, plan, mem, A);
      },
      post: (ret) => {
        if (cached) {
          cached = false;
          if (cache!.sameAfter(A, mem, ret)) {
            this.calls++;
            this.repeat(index);
            return;
          }
          at = beginCached(cache!.input());
        } else if (pending) {
          pending = false;
          if (this.sameAsLastAfter(index, ret, plan, mem)) {
            this.calls++;
            this.repeat(index);
            cache?.arm(A, mem, ret);
            return;
          }
          at = this.beginFromLast(index);
        }
        w.uvar(ret + 1);
        encodeWrites(w, plan, mem, A, ret === 0, lists);
        this.calls++;
        this.endCall(index, at);
      },
      // proc_exit (or a host failure) unwinds: the call is recorded as not returning.
      threw: () => {
        if (cached) {
          cached = false;
          cache!.armed = false;
          at = beginCached(cache!.input());
        } else if (pending) {
          pending = false;
          at = this.beginFromLast(index);
        }
        w.uvar(0);
        w.uvar(0);
        this.calls++;
        this.lastLen[index] = -1;
        out.end(at);
      },
    });
  }

  /**
   * A function whose calls may be NEXT entries (./next.ts): everything is
   * encoded after the call (it hands nothing in that the call could
   * overwrite). A call with its last CALL's arguments that succeeds again
   * is the difference of its value; any other call is a CALL, and a NEXT
   * may follow it only when it succeeded and stored its value.
   *
   * The hottest wrapper of all (a clock read in a loop): one closure that
   * takes the arguments as they come (nextShaped: at most four), compares
   * them with the last CALL's and reads the stored value from guest memory
   * itself; nothing goes through `A` or a hook unless the call is a CALL.
   * What recording adds to a clock_time_get call fell from 72–79 ns (the
   * generic wrapper with hooks) to ~54 (bench/record-calls.mjs); with the
   * shortcut (shortcutTo, below), through which a NEXT run of the clock
   * goes instead, to ~15–20 (docs/performance.md).
   */
  private wrapNext(index: number, plan: CallPlan, fn: WasiFunction, ctx: CallContext, withShortcut: boolean): WasiFunction {
    const A = this.A;
    const mem = ctx.mem;
    const ptrArg = plan.fixed[0]!;
    const len = plan.fixed[1]!;
    const f = fn as unknown as (a: Arg, b: Arg, c: Arg, d: Arg) => number;
    /** What the function's last call stored, while a NEXT may follow (`based`), and the arguments of the CALL they follow; clock_time_get's is the ring's. */
    const value = withShortcut ? this.ringValue : new NextValue();
    let based = false;
    let la: Arg = 0, lb: Arg = 0, lc: Arg = 0, ld: Arg = 0;
    /** A CALL record of this call (`ret` -1: it threw); a NEXT may follow one that stored its value. */
    const call = (ret: number, a: Arg, b: Arg, c: Arg, d: Arg): void => {
      A[0] = a; A[1] = b; A[2] = c; A[3] = d;
      this.calls++;
      this.endRun();
      const out = this.out;
      const w = out.out;
      const at = out.begin(Tag.Call);
      w.uvar(index);
      encodeArgs(w, plan, A);
      w.uvar(ret + 1);
      if (ret >= 0) encodeWrites(w, plan, mem, A, ret === 0, this.lists);
      else w.uvar(0);
      out.end(at);
      based = false;
      if (shortcut !== null) shortcut.armed.value = 0;
      if (ret !== 0) return;
      let p = -1;
      try { p = mem.check(A[ptrArg] as number, len); } catch { return; /* nothing stored: the CALL says so */ }
      value.read(mem.u8, p, len);
      la = a; lb = b; lc = c; ld = d;
      based = true;
      if (shortcut !== null) arm(shortcut, a, b, c);
    };
    /**
     * clock_time_get's (id, ptr) when the trampoline found (id, precision,
     * ptr) its last CALL's: the value goes into the ring (./clock-ring.ts),
     * unchecked (drainRing makes a value too far from the one before a
     * CALL). The clock is read and its value stored here when wasi's own
     * function says how (ClockTimeGet.now) and the pointer is aligned in
     * memory, as a C timestamp's is: the BigInt read is the one kept.
     * Otherwise the wrapped call stores it and it is read back (aligned to
     * 4), or the call is a CALL, which re-arms or disarms the shortcut.
     */
    const shortcutTo = (ring: ClockRing): RepeatShortcut => {
      const clock = fn as unknown as (id: Arg, precision: Arg, ptr: Arg) => number;
      const ring64 = ring.u64;
      const ring32 = ring.u32;
      // Its own arguments, not A: a drain may come while A holds another call's, about to be recorded.
      const armed: Arg[] = [0, 0, 0, 0];
      this.ringCall = (at: number): void => {
        armed[0] = la; armed[1] = lb; armed[2] = lc; armed[3] = ld;
        this.endRun();
        const w = this.out.out;
        const rec = this.out.begin(Tag.Call);
        w.uvar(index);
        encodeArgs(w, plan, armed);
        w.uvar(1); // errno 0
        encodeStored(w, (armed[ptrArg] as number) >>> 0, ring.valueBytes(at), 0, len);
        this.out.end(rec);
      };
      const readBack = (id: number, ptr: number): number => {
        let r: number;
        try {
          r = clock(id, lb, ptr);
        } catch (e) {
          call(-1, id, lb, ptr, ld);
          throw e;
        }
        const p = ptr >>> 0;
        const u32 = mem.u32view;
        const q = p >>> 2;
        if (r === 0 && (p & 3) === 0 && q + 1 < u32.length) {
          const n = this.ringLen;
          ring32[2 * n] = u32[q]!;
          ring32[2 * n + 1] = u32[q + 1]!;
          if ((this.ringLen = n + 1) === RING) this.drainRing();
          return 0;
        }
        call(r, id, lb, ptr, ld);
        return r;
      };
      const now = (fn as ClockTimeGet).now;
      if (now === undefined) return newShortcut(readBack);
      return newShortcut((id: number, ptr: number): number => {
        // Not 8-aligned in memory as the views stand: the wrapped call stores. Checked first: the clock is read once a call, here or there.
        const i = mem.u64Index(ptr);
        if (i < 0) return readBack(id, ptr);
        const t = now(id);
        if (t === null) return readBack(id, ptr); // an unknown clock: the call's to refuse
        mem.u64view[i] = t;
        const n = this.ringLen;
        ring64[n] = t;
        if ((this.ringLen = n + 1) === RING) this.drainRing();
        return 0;
      });
    };
    const shortcut = withShortcut ? shortcutTo(this.ring ??= new ClockRing()) : null;
    if (shortcut !== null) this.ringIndex = index;
    const wrapped = ((a: Arg, b: Arg, c: Arg, d: Arg): number => {
      let r: number;
      try {
        r = f(a, b, c, d);
      } catch (e) {
        call(-1, a, b, c, d);
        throw e;
      }
      // BigInts (i64 arguments) compare by value; an argument the function does not take is undefined both times.
      if (r === 0 && based && a === la && b === lb && c === lc && d === ld) {
        if (this.ringLen !== 0) this.drainRing(); // `value` is then the last one stored
        const p = ((ptrArg === 0 ? a : ptrArg === 1 ? b : ptrArg === 2 ? c : d) as number) >>> 0;
        const u8 = mem.u8;
        if (p + len <= u8.length) {
          const lo = u32At(u8, p);
          const hi = len === 8 ? u32At(u8, p + 4) : 0;
          const diff = value.diffTo(lo, hi, len);
          if (diff === diff) {
            value.lo = lo;
            value.hi = hi;
            this.calls++;
            this.next(index, diff);
            return r;
          }
        }
      }
      call(r, a, b, c, d);
      return r;
    }) as unknown as WasiFunction;
    return shortcut === null ? wrapped : Object.assign(wrapped, { shortcut });
  }

  /** The run ended: its exit status and error line; the file is complete. */
  end(end: RecordingEnd): void {
    this.endRun();
    this.out.record(Tag.End, (w) => w.bytes(utf8.encode(JSON.stringify(end))));
    this.out.close();
  }

  /** Stop without an END record (the run could not finish): what was recorded stays readable. */
  abandon(): void {
    this.endRun();
    this.out.close();
  }
}

