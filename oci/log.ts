/**
 * Errors and notes for whoever called us: stderr, and --log in the format
 * asked. containerd's runc shim reads the last JSON line of the log file.
 */
import fs from 'node:fs';
import createDebug from 'debug';
import { writeErr } from '../src/stdio.js';

/** DEBUG=tswasi:oci shows what the runtime does, whatever --log says. */
const debugOci = createDebug('tswasi:oci');

export type LogFormat = 'text' | 'json';

export class Log {
  constructor(private readonly file: string | undefined, private readonly format: LogFormat, readonly debugEnabled: boolean) {}

  private write(level: 'error' | 'warning' | 'info' | 'debug', msg: string): void {
    debugOci('%s: %s', level, msg);
    if (this.file === undefined) return;
    const time = new Date().toISOString();
    const line = this.format === 'json'
      ? JSON.stringify({ level, msg, time }) + '\n'
      : `time="${time}" level=${level} msg=${JSON.stringify(msg)}\n`;
    try { fs.appendFileSync(this.file, line); } catch { /* an unwritable log must not hide the error itself */ }
  }

  error(msg: string): void {
    this.write('error', msg);
    writeErr(`tswasi-oci: ${msg}\n`);
  }

  info(msg: string): void {
    this.write('info', msg);
  }

  debug(msg: string): void {
    if (this.debugEnabled) this.write('debug', msg);
  }
}
