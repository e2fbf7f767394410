/**
 * The container process of a Wasm container. `create` starts it; it
 * prepares everything (filesystem, module compiled), says so on fd 3, then
 * — in "init" mode — waits on exec.fifo until `start`, and runs the guest
 * with the stdio `create` was given. Its exit status is the guest's.
 *
 *   node container.js init <state-dir>
 *   node container.js exec <state-dir> <process.json>
 */
import fs from 'node:fs';
import path from 'node:path';
import { WASI } from '../wasi/index.js';
import { compileModule } from '../src/module.js';
import { instantiate } from '../src/runner.js';
import { isTrap, trapLine } from '../src/trap.js';
import { compileWat, looksLikeWat } from '../src/wat.js';
import { buildContainerFs, containerPreopens, readContainerFile } from './filesystem.js';
import { tracerFor } from '../src/trace/setup.js';
import { parseSpec, type Process } from './spec.js';
import { EXEC_FIFO, RECORD_FILE, type ContainerRecord } from './state-store.js';

const READY_FD = 3;

function report(line: string): void {
  try {
    fs.writeSync(READY_FD, line + '\n');
    fs.closeSync(READY_FD);
  } catch { /* nobody listens (exec without a reader) */ }
}

/** Environment entries "K=V" → record; the first of duplicate names wins, as execve's getenv. */
function envRecord(list: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    const k = i < 0 ? kv : kv.slice(0, i);
    if (!(k in env)) env[k] = i < 0 ? '' : kv.slice(i + 1);
  }
  return env;
}

async function main(): Promise<number> {
  const [mode, stateDir, processFile] = process.argv.slice(2);
  if ((mode !== 'init' && mode !== 'exec') || stateDir === undefined) {
    process.stderr.write('usage: container.js init|exec <state-dir> [process.json]\n');
    return 2;
  }
  let run: () => number;
  try {
    const rec = JSON.parse(fs.readFileSync(path.join(stateDir, RECORD_FILE), 'utf8')) as ContainerRecord;
    const configFile = path.join(rec.bundle, 'config.json');
    const spec = parseSpec(fs.readFileSync(configFile, 'utf8'), configFile);
    const proc: Process | undefined = mode === 'exec'
      ? JSON.parse(fs.readFileSync(processFile!, 'utf8')) as Process
      : spec.process;
    if (proc === undefined || !proc.args || proc.args.length === 0) throw new Error('process.args is empty');
    if (proc.terminal) throw new Error('a terminal (process.terminal, podman run -t) is not supported for Wasm containers');
    const cfs = buildContainerFs(spec, rec.bundle);
    const cwd = proc.cwd || '/';
    const entry = proc.args[0]!;
    const bytes = readContainerFile(cfs.ns, entry, cwd);
    if (bytes === null) throw new Error(`entrypoint ${entry} not found in the container`);
    const wasm = looksLikeWat(bytes) ? await compileWat(bytes, entry) : bytes;
    const module = compileModule(wasm, entry);
    const preopens = containerPreopens(cfs, cwd);
    const tracer = rec.trace !== undefined && mode === 'init' ? tracerFor({ spec: rec.trace.spec, file: rec.trace.file, summary: true }) : tracerFor(undefined);
    const wasi = new WASI({
      args: proc.args, env: envRecord(proc.env ?? []), extraFds: preopens,
      ...(tracer !== null ? { wrapImport: tracer.wrap } : {}),
    });
    const instance = instantiate(module, wasi.getImportObject());
    run = () => {
      try {
        return wasi.start(instance);
      } finally {
        if (tracer !== null) {
          tracer.close();
          // A Chrome trace is one JSON document: no table after it.
          if (rec.trace !== undefined && !tracer.summaryInFile && !rec.trace.spec.includes('chrome')) fs.appendFileSync(rec.trace.file, '\n' + tracer.summary() + '\n');
        }
      }
    };
  } catch (e) {
    report(`error: ${(e as Error).message}`);
    return 1;
  }
  report('ok');

  if (mode === 'init') {
    // Wait until `start` opens the other end (runc's exec.fifo protocol). A
    // non-blocking open, retried: if create died half-way and the state was
    // deleted, the FIFO is gone and this process leaves instead of waiting for ever.
    const fifo = path.join(stateDir, EXEC_FIFO);
    let fd: number | null = null;
    const cell = new Int32Array(new SharedArrayBuffer(4));
    while (fd === null) {
      try {
        fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'ENOENT') return 1;
        if (code !== 'ENXIO') throw e;
        Atomics.wait(cell, 0, 0, 10);
      }
    }
    fs.writeSync(fd, '0');
    fs.closeSync(fd);
  }
  try {
    return run();
  } catch (e) {
    if (isTrap(e)) {
      process.stderr.write(trapLine(e) + '\n');
      return 134;
    }
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main();
