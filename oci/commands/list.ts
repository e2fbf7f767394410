/**
 * `list`: runc's. When runc's files make every container's state plain
 * (../runc-state.ts), the list is printed here as runc 1.1 prints it
 * (list.go): a table by text/tabwriter (minwidth 12, padding 3), `-f json`
 * by Go's encoder, `-q` the ids. Anything else — one container runc must
 * be asked about, a root that cannot be read, a name or value Go would
 * escape or lay out otherwise — goes to the native runtime as it came.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Invocation } from '../argv.js';
import type { Context } from '../context.js';
import { readRuncContainer } from '../runc-state.js';
import { writeOut } from '../../src/stdio.js';
import type { RuntimeState } from '../wasm-state.js';

/** /etc/passwd's name for `uid`, or runc's "#UID" (libcontainer/user's LookupUid). */
function ownerName(uid: number, passwd: string | undefined): string {
  for (const line of passwd?.split('\n') ?? []) {
    const f = line.split(':');
    if (f.length >= 3 && f[2] === String(uid)) return f[0]!;
  }
  return `#${uid}`;
}

/** Every container under `root`, in name order (Go's os.ReadDir), or undefined for runc to list. */
function containers(root: string): RuntimeState[] | undefined {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return undefined;
  }
  let passwd: string | undefined;
  try { passwd = fs.readFileSync('/etc/passwd', 'utf8'); } catch { /* every owner is #UID, as runc's */ }
  const out: RuntimeState[] = [];
  for (const name of entries.filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    const c = readRuncContainer(root, name);
    if (c === undefined) return undefined;
    out.push({ ...c.state, owner: ownerName(fs.statSync(path.join(root, name)).uid, passwd) });
  }
  return out;
}

/** Text that Go writes as it is: printable ASCII, nothing its JSON encoder escapes (<, >, &, quotes, backslashes). */
const plain = (s: string): boolean => /^[\x20-\x7e]*$/.test(s) && !/[<>&"\\]/.test(s);

/** Go's time.Format(RFC3339Nano) of a UTC time is the text runc stored, when it has this shape. */
const RFC3339_NANO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$/;

/** text/tabwriter with runc's settings: each column as wide as its widest cell plus 3, at least 12; the last cell as it is. */
function table(rows: readonly string[][]): string {
  const widths = rows[0]!.slice(0, -1).map((_, j) => Math.max(12, ...rows.map((r) => r[j]!.length + 3)));
  return rows.map((r) => r.map((cell, j) => (j < widths.length ? cell.padEnd(widths[j]!) : cell)).join('') + '\n').join('');
}

export function main(ctx: Context, inv: Invocation): number {
  const root = ctx.runcRoot();
  const format = inv.options.value('format') ?? 'table';
  const list = root === undefined || (format !== 'table' && format !== 'json') ? undefined : containers(root);
  const texts = list?.flatMap((s) => [s.id, s.bundle, s.rootfs ?? '', s.owner ?? '', ...Object.entries(s.annotations ?? {}).flat()]);
  if (list === undefined || !texts!.every(plain) || !list.every((s) => RFC3339_NANO_UTC.test(s.created ?? ''))) return ctx.delegate();
  if (inv.options.flag('quiet')) {
    writeOut(list.map((s) => `${s.id}\n`).join(''));
  } else if (format === 'json') {
    // Go's encoder: compact, the struct's field order, annotations omitted when empty; no containers is null.
    writeOut((list.length === 0 ? 'null' : JSON.stringify(list.map((s) => ({
      ociVersion: s.ociVersion, id: s.id, pid: s.pid, status: s.status, bundle: s.bundle, rootfs: s.rootfs, created: s.created,
      ...(s.annotations === undefined ? {} : { annotations: s.annotations }), owner: s.owner,
    })))) + '\n');
  } else {
    writeOut(table([['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'], ...list.map((s) => [s.id, String(s.pid ?? 0), s.status, s.bundle, s.created!, s.owner!])]));
  }
  return 0;
}
