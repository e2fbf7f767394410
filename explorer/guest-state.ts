/** What the explorer shows of a running guest: its fd table and the files of its volume. */
import type { Volume, WASI } from '../wasi/browser.js';
import { abi } from '../wasi/browser.js';
import type { FdRow, GuestState, TreeEntry } from './protocol.js';

function walk(vol: InstanceType<typeof Volume>, dir: string, out: TreeEntry[]): void {
  for (const name of (vol.readdirSync(dir) as string[]).map(String).sort()) {
    const p = dir === '/' ? `/${name}` : `${dir}/${name}`;
    const st = vol.lstatSync(p);
    if (st.isDirectory()) {
      out.push({ path: p, kind: 'dir', size: 0 });
      walk(vol, p, out);
    } else {
      out.push({ path: p, kind: st.isSymbolicLink() ? 'symlink' : 'file', size: Number(st.size) });
    }
  }
}

export function snapshot(wasi: WASI, vol: InstanceType<typeof Volume>): GuestState {
  const fds: FdRow[] = [];
  for (const [fd, e] of wasi.fds.entries()) {
    fds.push({ fd, label: e.label, filetype: abi.FILETYPE_NAMES[e.filetype] ?? String(e.filetype), rights: `0x${e.rightsBase.toString(16)}` });
  }
  const files: TreeEntry[] = [];
  walk(vol, '/', files);
  return { fds, files };
}

/**
 * The state when the guest ended: its fds as they were at its last call
 * (start() closes them all on the way out), the files as they are now.
 */
export function atExit(lastState: string, vol: InstanceType<typeof Volume>): GuestState {
  const files: TreeEntry[] = [];
  walk(vol, '/', files);
  return { fds: (JSON.parse(lastState) as GuestState).fds, files };
}
