/**
 * `delete`: containerd runs it in a container's bundle when the shim that
 * served it is gone (killed, crashed) or never answered: stop and remove
 * what the container left — runc's container (killed), the Wasm bundle
 * copy, the rootfs mount, and the dead shim's socket (which the runc shim
 * leaves) — and print a DeleteResponse (exit status 137, the runc shim's
 * answer: the process was killed with the shim).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { removeCopies } from '../bundle-copies.js';
import { findNativeRuntime } from '../native.js';
import { idProblem } from '../runc-errors.js';
import type { ShimFlags } from './flags.js';
import { encodeDeleted, now } from './messages.js';
import { boundRecord, checkName, runcRoot, socketPath } from './paths.js';
import { mounted, rootfsDir } from './rootfs.js';

export async function main(f: ShimFlags): Promise<number> {
  checkName('namespace', f.namespace);
  const bad = idProblem(f.id);
  if (bad !== null) throw new Error(bad);
  const bundle = f.bundle !== '' ? f.bundle : process.cwd();
  const root = runcRoot(f.namespace);
  // containerd runs this after every shim's end, a clean one too: most often runc has nothing left.
  if (fs.existsSync(path.join(root, f.id))) {
    try {
      execFileSync(findNativeRuntime(undefined), ['--root', root, 'delete', '--force', f.id], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      process.stderr.write(`runc delete ${f.id}: ${String((e as { stderr?: Buffer }).stderr ?? '').trim()}\n`);
    }
  }
  removeCopies(root, f.id);
  while (mounted(rootfsDir(bundle))) {
    try { execFileSync('umount', ['-R', rootfsDir(bundle)], { stdio: 'ignore' }); } catch { break; }
  }
  let pid = 0;
  try { pid = Number(fs.readFileSync(path.join(bundle, 'tswasi-shim', 'init', 'pid'), 'utf8')) || 0; } catch { /* never created */ }
  fs.rmSync(path.join(bundle, 'tswasi-shim'), { recursive: true, force: true });
  await removeDeadSocket(bundle);
  process.stdout.write(encodeDeleted(pid, 128 + 9, now()));
  return 0;
}

/** The pod's shim socket, if no shim answers on it any more (another container of the pod may still be served). */
async function removeDeadSocket(bundle: string): Promise<void> {
  let sock: string;
  try { sock = socketPath(fs.readFileSync(path.join(bundle, 'address'), 'utf8').trim()); } catch { return; }
  const refused = await new Promise<boolean>((resolve) => {
    const c = net.createConnection(sock);
    c.once('connect', () => { c.destroy(); resolve(false); });
    c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
  if (refused) {
    fs.rmSync(sock, { force: true });
    fs.rmSync(boundRecord(`unix://${sock}`), { force: true }); // if it was a spare's
  }
}
