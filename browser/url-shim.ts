/** node:url for the browser build: memfs's glob support imports it; file URLs map to paths. */
export const URL = globalThis.URL;
export function fileURLToPath(u: string | URL): string {
  const url = typeof u === 'string' ? new globalThis.URL(u) : u;
  if (url.protocol !== 'file:') throw new TypeError('The URL must be of scheme file');
  return decodeURIComponent(url.pathname);
}
export function pathToFileURL(p: string): URL {
  return new globalThis.URL(`file://${encodeURI(p)}`);
}
