/** `tswasi view [FILE] [--port N]`: the explorer page on 127.0.0.1, with FILE (a module, a JSON trace or a recording) loaded. */
import { UserError } from '../errors.js';
import { isWasmBinary, readModule } from '../module.js';
import { RecordingError } from '../record/format.js';
import { parseRecording } from '../record/reader.js';
import { type ViewFile, startViewServer } from '../view-server.js';

/** FILE as the page will take it: a wasm module, JSON lines from `--trace=json`, or a `--record` recording (gzip). */
function viewFile(file: string): ViewFile {
  const bytes = readModule(file);
  if (isWasmBinary(bytes)) return { name: file, bytes, kind: 'module' };
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    // Checked here too, so a bad recording is one line and exit 1 rather than a page that says so.
    try {
      parseRecording(bytes);
    } catch (e) {
      if (e instanceof RecordingError) throw new UserError(`recording ${file} ${e.message}`);
      throw e;
    }
    return { name: file, bytes, kind: 'recording' };
  }
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  if (head.startsWith('{')) return { name: file, bytes, kind: 'trace' };
  throw new UserError(`${file} is neither a WebAssembly module, a tswasi --trace=json file nor a tswasi --record recording`);
}

export async function view(file: string | undefined, port: number): Promise<number> {
  try {
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`invalid --port ${port}: expected 0-65535`);
    const server = await startViewServer({ port, ...(file !== undefined ? { file: viewFile(file) } : {}) });
    process.stdout.write(`tswasi explorer: ${server.url}\n(the page runs modules in your browser; Ctrl-C stops this server)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return 0;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const msg = e instanceof UserError ? e.message : err.code === 'EADDRINUSE' ? `port ${port} is in use (try --port 0)` : err.message;
    process.stderr.write(`error: ${msg}\n`);
    return 1;
  }
}
