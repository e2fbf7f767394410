/** `tswasi replay FILE [--module M]`: re-run a recording (docs/record-replay.md). */
import { writeAll } from '../../wasi/index.js';
import { UserError, errorLine, failureLine } from '../errors.js';
import { contentHash } from '../module-cache.js';
import { compileModule, readModule } from '../module.js';
import { RecordingError } from '../record/format.js';
import { readRecording } from '../record/reader.js';
import { Replayer } from '../record/replayer.js';
import { runGuest } from '../run-guest.js';

export async function replay(file: string, modulePath: string | undefined): Promise<number> {
  try {
    let rec;
    try {
      rec = readRecording(file);
    } catch (e) {
      if (e instanceof RecordingError) throw new UserError(`recording ${file} ${e.message}`);
      throw e;
    }
    const wasm = modulePath === undefined ? rec.module : readModule(modulePath);
    const note = modulePath !== undefined && contentHash(wasm) !== rec.header.module.sha256 ? ` (${modulePath} is not the recorded module)` : '';
    const module = compileModule(wasm, modulePath ?? file, { cache: false });
    const replayer = new Replayer(rec, (stream, bytes) => { writeAll(stream, bytes, 0, bytes.length); }, note);
    const { header } = rec;
    // No preopen, no host stdio: every call is answered by the replayer.
    const outcome = runGuest({
      module,
      wasi: { args: [], env: {}, stdin: new Uint8Array(0), stdout: { write() {} }, stderr: { write() {} }, wrapImport: replayer.wrap },
      invoke: header.invoke,
      invokeArgs: header.invokeArgs,
    });
    const error = outcome.error !== undefined ? errorLine(outcome.error) : undefined;
    const diverged = replayer.finish(outcome.exitCode, error);
    if (diverged !== undefined) throw new UserError(diverged);
    if (error !== undefined) process.stderr.write(error + '\n');
    for (const r of outcome.results ?? []) process.stdout.write(`${String(r)}\n`);
    return outcome.exitCode;
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`error: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(failureLine(e) + '\n');
    return 70;
  }
}
