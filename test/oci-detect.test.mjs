// @ts-check
// oci/detect.ts and oci/entrypoint.ts in-process: is a container Wasm, judged
// from its annotations and its entrypoint's real bytes in a real bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ANNOTATION_CONTAINER_TYPE, ANNOTATION_HANDLER, ANNOTATION_VARIANT, classifyEntrypoint, decide } from '../dist/oci/detect.js';
import { readEntrypoint } from '../dist/oci/entrypoint.js';
import { compileC, compileWat, tempDir, toolchainProblem } from './helpers/wasm.mjs';

/** @typedef {import('../dist/oci/spec.js').Spec} Spec */

/**
 * A bundle dir with rootfs/ holding `files` (path -> bytes) and its Spec.
 * @param {Record<string, string | Uint8Array>} files
 * @param {Partial<Spec> & { args?: string[], cwd?: string }} [more]
 * @returns {{ dir: string, spec: Spec }}
 */
function bundleWith(files, { args = ['/app.wasm'], cwd = '/', ...more } = {}) {
  const dir = tempDir('tswasi-unit-bundle-');
  for (const [p, bytes] of Object.entries(files)) {
    const f = path.join(dir, 'rootfs', p);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, bytes);
  }
  fs.mkdirSync(path.join(dir, 'rootfs'), { recursive: true });
  const spec = /** @type {Spec} */ ({ ociVersion: '1.0.2', root: { path: 'rootfs' }, process: { args, cwd, env: [] }, ...more });
  return { dir, spec };
}

/**
 * The kind of the entrypoint as create sees it: read from the bundle, then classified.
 * @param {{ dir: string, spec: Spec }} b
 */
function kindOf({ dir, spec }) {
  const bytes = readEntrypoint(spec, dir);
  return classifyEntrypoint(spec.process?.args?.[0] ?? '', bytes && bytes.subarray(0, 16));
}

test('entrypoint kinds from real files: a C guest, WAT, an ELF, a script, a name only, a missing file', async (t) => {
  const wasm = compileC('oci_tool');
  if (!wasm) return t.skip(`no toolchain: ${toolchainProblem()}`);
  const wat = '(module (func (export "_start")))';
  assert.ok((await compileWat(wat)).length > 8);
  const files = {
    'app.wasm': fs.readFileSync(wasm),
    'bin/tool': fs.readFileSync(wasm), // Wasm by its bytes whatever its name
    'hello.wat': wat,
    'bin/native': fs.readFileSync(process.execPath).subarray(0, 64),
    'bin/script.wasm': '#!/bin/sh\necho hi\n', // a script named .wasm is native
    'data.wasm': 'not a module at all', // the name is all there is
    'notes.txt': 'text',
  };
  /** @type {Array<[string, string]>} */
  const cases = [
    ['/app.wasm', 'wasm'], ['/bin/tool', 'wasm'], ['/hello.wat', 'wat'], ['/bin/native', 'native'],
    ['/bin/script.wasm', 'native'], ['/data.wasm', 'wasm'], ['/notes.txt', 'unknown'], ['/absent.wasm', 'missing'],
  ];
  for (const [entry, want] of cases) assert.equal(kindOf(bundleWith(files, { args: [entry] })), want, entry);
  // Relative to process.cwd, and through a bind mount (the longest destination wins).
  assert.equal(kindOf(bundleWith(files, { args: ['tool'], cwd: '/bin' })), 'wasm');
  const src = tempDir('tswasi-unit-mount-');
  fs.writeFileSync(path.join(src, 'm.wasm'), fs.readFileSync(wasm));
  const mounts = [{ destination: '/mnt', type: 'bind', source: src, options: ['rbind'] }];
  assert.equal(kindOf(bundleWith(files, { args: ['/mnt/m.wasm'], mounts })), 'wasm');
  assert.equal(kindOf(bundleWith(files, { args: ['/mnt/m.wasm'] })), 'missing');
});

test('the entrypoint never comes from outside the rootfs', () => {
  const b = bundleWith({ 'in.wasm': '\0asm\x01\0\0\0' });
  fs.writeFileSync(path.join(b.dir, 'outside.wasm'), '\0asm\x01\0\0\0');
  fs.symlinkSync('../outside.wasm', path.join(b.dir, 'rootfs', 'link.wasm'));
  fs.symlinkSync('/etc/passwd', path.join(b.dir, 'rootfs', 'abs.wasm'));
  /** @param {string} entry */
  const at = (entry) => kindOf({ ...b, spec: { ...b.spec, process: { args: [entry], cwd: '/' } } });
  assert.equal(at('/in.wasm'), 'wasm');
  // The symlink resolves inside the rootfs: "../outside.wasm" from "/" is "/outside.wasm", which is not there.
  assert.equal(at('/link.wasm'), 'missing');
  assert.equal(at('/../../outside.wasm'), 'missing');
  assert.equal(at('/abs.wasm'), 'missing');
});

test('a rootfs that is missing or not a directory is an error naming it', () => {
  const b = bundleWith({});
  fs.rmSync(path.join(b.dir, 'rootfs'), { recursive: true });
  assert.throws(() => readEntrypoint(b.spec, b.dir), /^Error: rootfs .*rootfs not found$/);
  fs.writeFileSync(path.join(b.dir, 'rootfs'), 'file');
  assert.throws(() => readEntrypoint(b.spec, b.dir), /rootfs .* is not a directory/);
});

test("decide: crun's annotations, the -smart variants, the pause container, tswasi-oci-wasm", () => {
  /**
   * @param {Record<string, string>} annotations
   * @param {import('../dist/oci/detect.js').EntrypointKind} kind
   * @param {boolean} [every]
   * @param {string[]} [args]
   */
  const d = (annotations, kind, every = false, args = ['/x']) => decide(/** @type {Spec} */ ({ ociVersion: '1.0.2', annotations, process: { args, cwd: '/' } }), kind, every).wasm;
  assert.equal(d({ [ANNOTATION_VARIANT]: 'compat' }, 'native'), true);
  assert.equal(d({ [ANNOTATION_VARIANT]: 'wasm' }, 'unknown'), true);
  assert.equal(d({ [ANNOTATION_VARIANT]: 'compat-smart' }, 'wasm'), true);
  assert.equal(d({ [ANNOTATION_VARIANT]: 'compat-smart' }, 'wat'), true);
  assert.equal(d({ [ANNOTATION_VARIANT]: 'compat-smart' }, 'native'), false);
  assert.equal(d({ [ANNOTATION_VARIANT]: 'wasm-smart' }, 'missing'), false);
  assert.equal(d({ [ANNOTATION_HANDLER]: 'wasm' }, 'native'), true);
  assert.equal(d({ [ANNOTATION_HANDLER]: 'wasm-smart' }, 'wasm'), true);
  assert.equal(d({ [ANNOTATION_HANDLER]: 'wasm-smart' }, 'native'), false);
  // The handler annotation wins over the variant.
  assert.equal(d({ [ANNOTATION_HANDLER]: 'krun', [ANNOTATION_VARIANT]: 'compat' }, 'wasm'), false);
  assert.equal(d({ [ANNOTATION_CONTAINER_TYPE]: 'sandbox', [ANNOTATION_VARIANT]: 'compat' }, 'wasm'), false);
  assert.equal(d({}, 'wasm'), false);
  assert.equal(d({}, 'wasm', true), true);
  assert.equal(d({}, 'wat', true), true);
  assert.equal(d({}, 'native', true), false);
  assert.equal(d({}, 'wasm', true, []), false);
  assert.throws(() => d({ [ANNOTATION_VARIANT]: 'compat' }, 'missing', false, []), /process\.args is empty/);
  assert.match(decide(/** @type {Spec} */ ({ ociVersion: '1.0.2', annotations: { [ANNOTATION_VARIANT]: 'compat-smart' }, process: { args: ['/x'], cwd: '/' } }), 'native', false).reason, /entrypoint is not Wasm/);
});
