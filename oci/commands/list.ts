/** `list`: every container tswasi-oci knows, Wasm and native alike. */
import type { Context } from '../context.js';
import { capture } from '../native.js';
import { stateOf } from '../status.js';

interface Row {
  id: string;
  pid: number;
  status: string;
  bundle: string;
  created: string;
  owner: string;
  annotations?: Record<string, string>;
  ociVersion: string;
}

export function list(ctx: Context, format: string, quiet: boolean): number {
  const rows: Row[] = [];
  for (const id of ctx.store.ids()) {
    try {
      const rec = ctx.store.read(id);
      const st = stateOf(ctx.store, rec);
      rows.push({ ociVersion: st.ociVersion, id, pid: st.pid ?? 0, status: st.status, bundle: rec.bundle, created: rec.created, owner: 'root', annotations: rec.annotations ?? {} });
    } catch { /* removed while we looked */ }
  }
  const nativeIds = new Set(ctx.nativeIds());
  if (nativeIds.size > 0) {
    const rootArgs = ctx.globals.root !== undefined ? ['--root', ctx.globals.root] : [];
    const runtimes = new Set(nativeIds.size > 0 ? [...nativeIds].map((id) => ctx.nativeOwner(id)?.runtime).filter((r): r is string => !!r) : []);
    for (const runtime of runtimes) {
      try {
        const out = JSON.parse(capture(runtime, [...rootArgs, 'list', '--format', 'json']) || '[]') as Row[] | null;
        for (const r of out ?? []) if (nativeIds.has(r.id)) rows.push(r);
      } catch { /* the native runtime said nothing useful */ }
    }
  }
  rows.sort((a, b) => a.id.localeCompare(b.id));
  if (quiet) {
    for (const r of rows) process.stdout.write(r.id + '\n');
  } else if (format === 'json') {
    process.stdout.write(JSON.stringify(rows) + '\n');
  } else {
    const table = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'], ...rows.map((r) => [r.id, String(r.pid), r.status, r.bundle, r.created, r.owner])];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table) process.stdout.write(row.map((c, i) => c.padEnd(widths[i]!)).join('   ').trimEnd() + '\n');
  }
  return 0;
}
