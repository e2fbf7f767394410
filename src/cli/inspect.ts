/** `tswasi inspect MODULE [--json]`. */
import { WASI_FUNCTIONS } from '../../wasi/functions.js';
import { UserError } from '../errors.js';
import { formatReport, inspectModule } from '../inspect.js';
import { readModule } from '../module.js';
import { compileWat, looksLikeWat } from '../wat.js';
import { ASSEMBLYSCRIPT_ENV } from '../assemblyscript.js';

export async function inspect(file: string, json: boolean): Promise<number> {
  try {
    let bytes = readModule(file);
    if (looksLikeWat(bytes)) bytes = await compileWat(bytes, file);
    const provided = (module: string, name: string): boolean =>
      (module === 'wasi_snapshot_preview1' && name in WASI_FUNCTIONS) || (module === 'env' && ASSEMBLYSCRIPT_ENV.includes(name));
    const report = inspectModule(bytes, provided);
    process.stdout.write((json ? JSON.stringify(report, null, 2) : formatReport(file, report)) + '\n');
    return 0;
  } catch (e) {
    process.stderr.write(`error: ${e instanceof UserError ? e.message : (e as Error).message}\n`);
    return 1;
  }
}
