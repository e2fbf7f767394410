/** `tswasi replay FILE [--module M]`: re-run a recording (docs/record-replay.md). */
import { UserError, errorLine, failureLine } from '../errors.js';
import { contentHash } from '../module-cache.js';
import { compileModule, readModule } from '../module.js';
import { RecordingError } from '../record/format.js';
import { Replayer } from '../record/replayer.js';
import { loadRecording, replayOutcome, replayOutput, replayWasiOptions } from '../record/session.js';
import { runGuest } from '../run-guest.js';

export async function replay(file: string, modulePath: string | undefined): Promise<number> {
  try {
    let rec;
    try {
      rec = loadRecording(file);
    } catch (e) {
      if (e instanceof RecordingError) throw new UserError(e.message);
      throw e;
    }
    if (modulePath === undefined && rec.module.length === 0) throw new UserError(`recording ${file} does not hold its module (its recorder was given a compiled one): give it with --module M`);
    const wasm = modulePath === undefined ? rec.module : readModule(modulePath);
    const note = modulePath !== undefined && contentHash(wasm) !== rec.header.module.sha256 ? ` (${modulePath} is not the recorded module)` : '';
    const module = compileModule(wasm, modulePath ?? file, { cache: false });
    const output = replayOutput(1, 2, true);
    const replayer = new Replayer(rec, output, note);
    const { header } = rec;
    // No preopen, no host stdio: every call is answered by the replayer.
    let outcome;
    try {
      outcome = replayOutcome(replayer, runGuest({ module, wasi: replayWasiOptions(replayer), invoke: header.invoke, invokeArgs: header.invokeArgs }));
    } finally {
      output.flush();
    }
    if (outcome.error !== undefined) process.stderr.write(errorLine(outcome.error) + '\n');
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
