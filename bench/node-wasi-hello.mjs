// node:wasi doing what `tswasi run hello.wasm` does: read, compile, WASI, start.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { argv, exit } from 'node:process';
const file = argv[2];
const module = new WebAssembly.Module(readFileSync(file));
const wasi = new WASI({ version: 'preview1', args: [file], env: {}, preopens: {} });
const instance = new WebAssembly.Instance(module, wasi.getImportObject());
exit(wasi.start(instance));
