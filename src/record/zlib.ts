/**
 * node:zlib, loaded when a recording is written or read: every `tswasi run`
 * imports the recorder, few record, and on Node 26 node:zlib loads its zip
 * modules and the streams with it (~1 ms).
 */
import { createRequire } from 'node:module';

export const zlib = (): typeof import('node:zlib') => createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib');
