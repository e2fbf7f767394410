// @ts-check
// new WASI()'s imports have the spec's wasm types (wasi/trampoline.ts): a
// module importing a WASI function with another type fails to link, as in
// wasmtime, for every user of the class, traced or not; the right types link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WASI } from '../dist/wasi/index.js';
import { WASI_FUNCTIONS, wasmParams } from '../dist/wasi/functions.js';
import { compileWat } from './helpers/wasm.mjs';

/**
 * A module importing `name` as `type` (a WAT func type), with a memory and _start.
 * @param {string} name
 * @param {string} type
 */
async function importing(name, type) {
  const wat = `(module (import "wasi_snapshot_preview1" "${name}" (func ${type})) (memory (export "memory") 1) (func (export "_start")))`;
  return new WebAssembly.Module(await compileWat(wat));
}

const specType = (/** @type {import('../dist/wasi/functions.js').WasiFunctionSpec} */ f) => {
  const params = wasmParams(f.params);
  return `${params.length ? `(param ${params.join(' ')})` : ''} ${f.results.length ? `(result ${f.results.join(' ')})` : ''}`;
};

for (const traced of [false, true]) {
  /** @type {import('../dist/wasi/index.js').WASIOptions} */
  const options = traced ? { wrapImport: (name, fn) => fn } : {};
  test(`every import links with the spec's type and is refused with another${traced ? ' (traced)' : ''}`, async () => {
    for (const [name, f] of Object.entries(WASI_FUNCTIONS)) {
      const right = await importing(name, specType(f));
      assert.doesNotThrow(() => new WebAssembly.Instance(right, new WASI(options).getImportObject()), name);
      // Only the functions a module imports (what runGuest asks for): typed the same way.
      assert.doesNotThrow(() => new WebAssembly.Instance(right, new WASI(options).getImportObject([name, name])), name);
      const params = wasmParams(f.params);
      // One parameter too many, and (where there is one) the last parameter's type swapped.
      const wrongs = [specType({ ...f, params: [...f.params, ['extra', 'u32']] })];
      if (params.length > 0) {
        const swapped = [...params.slice(0, -1), params.at(-1) === 'i32' ? 'i64' : 'i32'];
        wrongs.push(`(param ${swapped.join(' ')}) ${f.results.length ? '(result i32)' : ''}`);
      }
      for (const wrong of wrongs) {
        const m = await importing(name, wrong);
        for (const only of [undefined, [name]]) {
          assert.throws(() => new WebAssembly.Instance(m, new WASI(options).getImportObject(only)),
            (e) => e instanceof WebAssembly.LinkError && e.message.includes(`"${name}"`) && /does not match the expected type/.test(e.message),
            `${name} imported as ${wrong}${only ? ' (only its own import)' : ''}`);
        }
      }
    }
  });
}

test('wasiImport functions still run when called from JS (fd_write to a sink, proc_exit unwinds)', async () => {
  /** @type {Buffer[]} */
  const chunks = [];
  const wasi = new WASI({ stdout: { write: (c) => { chunks.push(Buffer.from(c)); } } });
  const m = await importing('fd_write', specType(WASI_FUNCTIONS.fd_write));
  const inst = new WebAssembly.Instance(m, wasi.getImportObject());
  wasi.attach(inst);
  const memory = /** @type {WebAssembly.Memory} */ (inst.exports.memory);
  const u8 = new Uint8Array(memory.buffer);
  const dv = new DataView(memory.buffer);
  // Called from JS as a guest would: wasm values in, an errno out.
  const fdWrite = /** @type {(fd: number, iovs: number, iovsLen: number, nwritten: number) => number} */ (wasi.wasiImport.fd_write);
  const procExit = /** @type {(code: number) => never} */ (wasi.wasiImport.proc_exit);
  u8.set(new TextEncoder().encode('hi\n'), 64);
  dv.setUint32(0, 64, true);
  dv.setUint32(4, 3, true);
  assert.equal(fdWrite(1, 0, 1, 16), 0);
  assert.equal(dv.getUint32(16, true), 3);
  assert.equal(Buffer.concat(chunks).toString(), 'hi\n');
  assert.throws(() => procExit(7), (/** @type {{ code: number }} */ e) => e.code === 7);
});
