/**
 * The explorer's web server (`tswasi view [FILE]`): the page's few static
 * files, and the chosen module as ./module.wasm, on 127.0.0.1 only. It serves
 * a fixed list of names, so no request path ever reaches the filesystem.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built page: dist/explorer (this file is dist/src/view-server.js). */
const EXPLORER_DIR = fileURLToPath(new URL('../explorer/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'page.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

export interface ViewServer {
  /** The page's address, with ?module=NAME, ?trace=NAME or ?recording=NAME when a file was given. */
  url: string;
  close(): Promise<void>;
}

export interface ViewFile {
  name: string;
  bytes: Uint8Array;
  /** A module to run, a `tswasi run --trace=json` file to show, or a `--record` recording to step through. */
  kind: 'module' | 'trace' | 'recording';
}

/** Where the page fetches each kind of file from, and its content type. */
const SERVED: Record<ViewFile['kind'], { path: string; type: string }> = {
  module: { path: '/module.wasm', type: 'application/wasm' },
  trace: { path: '/trace.json', type: 'application/json' },
  recording: { path: '/recording.rec', type: 'application/gzip' },
};

/** Serve the explorer (and `file` as module.wasm, trace.json or recording.rec) on 127.0.0.1:port (0: any free port). */
export async function startViewServer(opts: { port?: number; file?: ViewFile } = {}): Promise<ViewServer> {
  const files = new Map<string, { type: string; body: Uint8Array }>();
  for (const [name, type] of Object.entries(TYPES)) {
    let body: Uint8Array;
    try {
      body = readFileSync(EXPLORER_DIR + name);
    } catch {
      throw new Error(`the explorer page is not built (${EXPLORER_DIR}${name} is missing): run npm run build`);
    }
    files.set(`/${name}`, { type, body });
  }
  files.set('/', files.get('/index.html')!);
  const f = opts.file;
  if (f) files.set(SERVED[f.kind].path, { type: SERVED[f.kind].type, body: f.bytes });

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const f = req.method === 'GET' || req.method === 'HEAD' ? files.get(path) : undefined;
    if (!f) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': f.type, 'content-length': f.body.length, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff',
      // Cross-origin isolation: the page may use SharedArrayBuffer (stdin typed while the guest runs).
      'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp',
    });
    res.end(req.method === 'HEAD' ? undefined : f.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const query = f ? `?${f.kind}=${encodeURIComponent(basename(f.name))}` : '';
  return {
    url: `http://127.0.0.1:${port}/${query}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
