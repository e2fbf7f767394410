/**
 * `tswasi inspect`: what a module is — imports (and which tswasi provides),
 * exports with signatures, memories, command or reactor, WASI version,
 * custom sections (name, producers), size, AssemblyScript or not.
 * Read straight from the binary format (core spec, chapter 5).
 */
import { WASI_FUNCTIONS, WASI_GROUPS, signatureText, wasiImportType, type Group } from '../wasi/functions.js';
import { UserError } from './errors.js';

const VALTYPES: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' };
const KINDS = ['func', 'table', 'memory', 'global', 'tag'];

export interface FuncType { params: string[]; results: string[] }
export interface Limits { min: number; max: number | null; shared: boolean; memory64: boolean }
/**
 * `provided`: the host supplies this import with this type, so it links. `expected`: the
 * type tswasi gives a WASI function the module imports with another type (it would not link).
 */
export interface ImportEntry { module: string; name: string; kind: string; type?: string; limits?: Limits; provided: boolean; expected?: string }
export interface ExportEntry { name: string; kind: string; type?: string; limits?: Limits }
export interface ModuleReport {
  size: number;
  kind: 'command' | 'reactor' | 'library';
  wasi: string | null;
  assemblyscript: boolean;
  imports: ImportEntry[];
  exports: ExportEntry[];
  memories: Array<Limits & { exported: string | null; imported: string | null }>;
  functions: { imported: number; defined: number; named: number };
  customSections: Array<{ name: string; size: number }>;
  producers: Record<string, string[]>;
  start: boolean;
  /** The wasi_snapshot_preview1 functions it imports, by their group in wasi/functions.ts (`sock`: it serves on sockets the host gives it). */
  wasiGroups: Partial<Record<Group, string[]>>;
}

/** Imported preview1 functions by group, in the table's group order. */
function wasiGroupsOf(imports: readonly ImportEntry[]): Partial<Record<Group, string[]>> {
  const out: Partial<Record<Group, string[]>> = {};
  for (const g of WASI_GROUPS) {
    const names = imports.filter((i) => i.module === 'wasi_snapshot_preview1' && i.kind === 'func' && WASI_FUNCTIONS[i.name]?.group === g).map((i) => i.name);
    if (names.length > 0) out[g] = names;
  }
  return out;
}

class Reader {
  constructor(readonly b: Uint8Array, public at = 0) {}
  byte(): number {
    if (this.at >= this.b.length) throw new UserError('malformed module: unexpected end');
    return this.b[this.at++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  }
  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
  limits(): Limits {
    const flags = this.byte();
    const min = this.u32();
    const max = flags & 1 ? this.u32() : null;
    return { min, max, shared: (flags & 2) !== 0, memory64: (flags & 4) !== 0 };
  }
}

const sig = (t: FuncType | undefined): string => (t === undefined ? '?' : signatureText(t.params, t.results));

export function inspectModule(bytes: Uint8Array, provided: (module: string, name: string) => boolean): ModuleReport {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new UserError('not a WebAssembly module (bad magic number)');
  const r = new Reader(bytes, 8);
  const types: FuncType[] = [];
  const funcTypes: number[] = [];
  const imports: ImportEntry[] = [];
  const exportsRaw: Array<{ name: string; kind: number; index: number }> = [];
  const memories: Array<Limits & { exported: string | null; imported: string | null }> = [];
  const custom: Array<{ name: string; size: number }> = [];
  const producers: Record<string, string[]> = {};
  let importedFuncs = 0;
  let named = 0;
  let start = false;
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.at + size;
    // A section we skip unread (code, data, ...) must still fit: a module cut short is not reported as whole.
    if (end > bytes.length) throw new UserError(`malformed module: section ${id} says ${size} bytes, ${bytes.length - r.at} are left`);
    if (id === 0) {
      const name = r.name();
      custom.push({ name, size });
      if (name === 'producers') {
        for (let n = r.u32(); n > 0; n--) {
          const field = r.name();
          const values: string[] = [];
          for (let m = r.u32(); m > 0; m--) { const v = r.name(); const ver = r.name(); values.push(ver ? `${v} ${ver}` : v); }
          producers[field] = values;
        }
      } else if (name === 'name') {
        while (r.at < end) {
          const sub = r.byte();
          const len = r.u32();
          const subEnd = r.at + len;
          if (sub === 1) named = r.u32();
          r.at = subEnd;
        }
      }
    } else if (id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        const form = r.byte();
        if (form !== 0x60) throw new UserError('unsupported type section (GC types)');
        const params = Array.from({ length: r.u32() }, () => VALTYPES[r.byte()] ?? '?');
        const results = Array.from({ length: r.u32() }, () => VALTYPES[r.byte()] ?? '?');
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        const module = r.name();
        const name = r.name();
        const kind = r.byte();
        const entry: ImportEntry = { module, name, kind: KINDS[kind] ?? '?', provided: false };
        if (kind === 0) {
          const t = r.u32();
          entry.type = sig(types[t]);
          funcTypes.push(t);
          importedFuncs++;
          const expected = wasiImportType(module, name);
          if (expected !== undefined && expected !== entry.type) entry.expected = expected;
          entry.provided = entry.expected === undefined && provided(module, name);
        }
        else if (kind === 1) { r.byte(); entry.limits = r.limits(); }
        else if (kind === 2) { entry.limits = r.limits(); memories.push({ ...entry.limits, exported: null, imported: `${module}::${name}` }); }
        else if (kind === 3) { entry.type = VALTYPES[r.byte()] ?? '?'; entry.type += r.byte() ? ' mut' : ''; }
        else if (kind === 4) { r.byte(); r.u32(); }
        imports.push(entry);
      }
    } else if (id === 3) {
      for (let n = r.u32(); n > 0; n--) funcTypes.push(r.u32());
    } else if (id === 5) {
      for (let n = r.u32(); n > 0; n--) memories.push({ ...r.limits(), exported: null, imported: null });
    } else if (id === 7) {
      for (let n = r.u32(); n > 0; n--) exportsRaw.push({ name: r.name(), kind: r.byte(), index: r.u32() });
    } else if (id === 8) {
      start = true;
    }
    r.at = end;
  }
  const exports: ExportEntry[] = exportsRaw.map((e) => {
    const x: ExportEntry = { name: e.name, kind: KINDS[e.kind] ?? '?' };
    if (e.kind === 0) x.type = sig(types[funcTypes[e.index]!]);
    if (e.kind === 2) { const m = memories[e.index]; if (m) { m.exported = e.name; x.limits = { min: m.min, max: m.max, shared: m.shared, memory64: m.memory64 }; } }
    return x;
  });
  const names = new Set(exportsRaw.map((e) => e.name));
  const wasiModules = new Set(imports.map((i) => i.module).filter((m) => m.startsWith('wasi_')));
  const assemblyscript = imports.some((i) => i.module === 'env' && i.name === 'abort' && i.type === '(i32, i32, i32, i32) -> ()')
    || ['__new', '__pin', '__unpin', '__collect'].every((n) => names.has(n));
  return {
    size: bytes.length,
    kind: names.has('_start') ? 'command' : names.has('_initialize') ? 'reactor' : 'library',
    wasi: wasiModules.has('wasi_snapshot_preview1') ? 'preview1 (wasi_snapshot_preview1)' : wasiModules.has('wasi_unstable') ? 'preview0 (wasi_unstable)' : null,
    assemblyscript,
    imports,
    exports,
    memories,
    functions: { imported: importedFuncs, defined: funcTypes.length - importedFuncs, named },
    customSections: custom,
    producers,
    start,
    wasiGroups: wasiGroupsOf(imports),
  };
}

const pages = (l: Limits): string => `${l.min} pages (${(l.min * 64).toLocaleString('en')} KiB)` + (l.max === null ? ', no maximum' : `, max ${l.max} pages`) + (l.shared ? ', shared' : '') + (l.memory64 ? ', 64-bit' : '');

export function formatReport(file: string, m: ModuleReport): string {
  const out: string[] = [];
  out.push(`${file}: ${m.size.toLocaleString('en')} bytes, a ${m.kind}${m.kind === 'command' ? ' (_start)' : m.kind === 'reactor' ? ' (_initialize)' : ''}`);
  out.push(`WASI: ${m.wasi ?? 'none'}${m.assemblyscript ? '; built by AssemblyScript' : ''}`);
  const groups = Object.entries(m.wasiGroups);
  if (groups.length > 0) out.push(`WASI calls by group: ${groups.map(([g, names]) => `${g} ${names.length}`).join(', ')}`);
  const sock = m.wasiGroups.sock;
  if (sock !== undefined) out.push(`sockets: ${sock.join(', ')} - it serves on listeners the host gives it (tswasi run --tcplisten/--listenfd; io.tswasi.tcplisten in a container)`);
  out.push(`functions: ${m.functions.defined} defined, ${m.functions.imported} imported${m.functions.named ? `, ${m.functions.named} named (name section)` : ''}`);
  const byModule = new Map<string, ImportEntry[]>();
  for (const i of m.imports) byModule.set(i.module, [...(byModule.get(i.module) ?? []), i]);
  out.push('', `imports (${m.imports.length}):`);
  for (const [mod, list] of byModule) {
    const missing = list.filter((i) => i.kind === 'func' && !i.provided).length;
    out.push(`  ${mod}${missing > 0 ? ` (${missing} not provided by tswasi${list.some((i) => i.expected !== undefined) ? ' as typed' : ''})` : list.every((i) => i.kind !== 'func' || i.provided) && list.some((i) => i.kind === 'func') ? ' (all provided by tswasi)' : ''}`);
    for (const i of list) {
      const what = i.kind === 'func' ? `func ${i.type}` : i.kind === 'memory' ? `memory ${pages(i.limits!)}` : `${i.kind}${i.type ? ' ' + i.type : ''}`;
      out.push(`    ${i.kind === 'func' ? (i.provided ? '✓' : '✗') : ' '} ${i.name}: ${what}${i.expected !== undefined ? ` (wrong type: tswasi's is ${i.expected})` : ''}`);
    }
  }
  out.push('', `exports (${m.exports.length}):`);
  for (const e of m.exports) out.push(`    ${e.name}: ${e.kind}${e.type ? ' ' + e.type : ''}${e.limits ? ' ' + pages(e.limits) : ''}`);
  out.push('', 'memories:');
  if (m.memories.length === 0) out.push('    none');
  m.memories.forEach((mem, i) => out.push(`    ${i}: ${pages(mem)}${mem.exported ? `, exported as "${mem.exported}"` : ''}${mem.imported ? `, imported from ${mem.imported}` : ''}`));
  out.push('', 'custom sections:');
  if (m.customSections.length === 0) out.push('    none');
  for (const c of m.customSections) out.push(`    ${c.name} (${c.size.toLocaleString('en')} bytes)`);
  for (const [field, values] of Object.entries(m.producers)) out.push(`    producers.${field}: ${values.join(', ')}`);
  return out.join('\n');
}
