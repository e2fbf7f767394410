// Runs one test/c program in a browser worker with tswasi/browser (the
// dist/browser bundle): a memfs volume built by replaying the Node test's
// setup operations, stdio as bytes and sinks, preopened at /sandbox.
import { Volume, WASI } from '/tswasi.js';

function replay(vol, ops) {
  for (const [method, args] of ops) vol[method](...args);
}

/** A comparable picture of a subtree (type, size, content, mtime), or '' when absent. */
function snapshot(vol, dir) {
  if (!vol.existsSync(dir)) return '';
  const out = [];
  const walk = (p) => {
    const st = vol.lstatSync(p);
    const entry = [p, st.mode, Number(st.size), Number(st.mtimeMs)];
    if (st.isDirectory()) for (const n of vol.readdirSync(p).map(String).sort()) walk(`${p}/${n}`);
    else if (st.isSymbolicLink()) entry.push(String(vol.readlinkSync(p)));
    else entry.push(Array.from(vol.readFileSync(p)).join(','));
    out.push(entry);
  };
  walk(dir);
  return JSON.stringify(out);
}

function concat(chunks) {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) { all.set(c, off); off += c.length; }
  return new TextDecoder().decode(all);
}

self.onmessage = async ({ data: c }) => {
  const out = [];
  const err = [];
  const res = {};
  try {
    const vol = new Volume();
    replay(vol, c.ops);
    const outside = () => snapshot(vol, '/outside') + snapshot(vol, '/etc');
    res.outsideBefore = outside();
    const module = await WebAssembly.compile(c.wasm);
    const wasi = new WASI({
      args: c.argv, env: c.env, stdin: c.stdin,
      stdout: { write: (b) => out.push(b.slice()) },
      stderr: { write: (b) => err.push(b.slice()) },
      preopens: { '/sandbox': vol },
    });
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
    res.code = wasi.start(instance);
    res.outsideAfter = outside();
  } catch (e) {
    res.error = String(e?.stack ?? e);
  }
  res.stdout = concat(out);
  res.stderr = concat(err);
  self.postMessage(res);
};
