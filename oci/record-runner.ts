/**
 * The container runner's side of `io.tswasi.record` (./record.ts): the
 * recording file opened in the container's own filesystem, through the
 * namespace the guest sees (chroot rules: no symlink leads out of it), and
 * the run recorded into it as it goes.
 */
import path from 'node:path';
import { resolveIn, type Namespace } from '../src/fs-api.js';
import { UserError } from '../src/errors.js';
import type { GuestOutcome } from '../src/run-guest.js';
import { Recorder } from '../src/record/recorder.js';
import { recordingEnd, recordingStart } from '../src/record/session.js';
import { RecordingWriter } from '../src/record/writer.js';
import type { DirHandle, FileHandle } from '../wasi/fs/handle.js';

/** A recording under way: `wrap` for WASIOptions.wrapImport, `finish` with the run's outcome. */
export interface ContainerRecorder {
  wrap: Recorder['wrap'];
  finish(outcome: GuestOutcome): void;
}

/**
 * Record the run of `module` (its bytes) with what the guest is given into
 * `guestPath` (created, or truncated) in the container; a UserError says why it cannot.
 */
export function recordIn(ns: Namespace, guestPath: string, module: Uint8Array, given: { args: readonly string[]; env: Record<string, string>; preopens: readonly string[] }): ContainerRecorder {
  let file: FileHandle;
  try {
    const dir = resolveIn(ns, path.posix.dirname(guestPath), (d, name) => {
      const h = d.open(name, { create: false, exclusive: false, truncate: false, directory: true, read: true, write: false, append: false, sync: false, dsync: false });
      if (h.kind !== 'dir') { h.close(); throw new Error('not a directory'); }
      return h;
    }) as DirHandle;
    try {
      const h = dir.open(path.posix.basename(guestPath), { create: true, exclusive: false, truncate: true, directory: false, read: false, write: true, append: false, sync: false, dsync: false });
      if (h.kind !== 'file') { h.close(); throw new Error('a directory'); }
      file = h;
    } finally {
      dir.close();
    }
  } catch (e) {
    throw new UserError(`io.tswasi.record ${guestPath}: cannot create the recording in the container (${(e as Error).message})`);
  }
  const f = file;
  const rec = new Recorder(new RecordingWriter((chunk) => {
    for (let off = 0; off < chunk.length;) off += f.write(chunk, off, chunk.length - off, null);
  }, () => f.close()), recordingStart(module, given));
  return { wrap: rec.wrap, finish: (outcome) => rec.end(recordingEnd(outcome)) };
}
