// @ts-check
// Where the things the tests drive live: the repository, the built CLIs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILD_DIR = path.join(ROOT, 'test', '.build');
export const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'tswasi.js');
export const OCI_BIN = path.join(ROOT, 'dist', 'oci', 'tswasi-oci.js');
export const OCI_WASM_BIN = path.join(ROOT, 'dist', 'oci', 'tswasi-oci-wasm.js');
