// @ts-check
// An OCI image layout (image-spec image-layout.md) as a tar, written in the
// test: what `ctr images import` reads. Its image has one tar layer, a
// config with the given platform and entrypoint.
import { createHash } from 'node:crypto';

/**
 * A ustar archive of regular files (mode 0755: a module is run).
 * @param {[string, Uint8Array][]} files
 */
export function tar(files) {
  /** @type {Buffer[]} */
  const parts = [];
  for (const [name, data] of files) {
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, 'utf8');
    h.write('0000755\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148); // checksum: spaces while it is summed
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    parts.push(h, Buffer.from(data), Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/**
 * An image with one tar layer of `files`; or, with `modules`, a Wasm image
 * as runwasi's oci-tar-builder makes it: an image config with an empty
 * `rootfs` and each module a layer of its own, not a tar (media types such
 * as application/wasm), named by an org.opencontainers.image.title annotation.
 * @param {{ name: string, files?: [string, Uint8Array][], modules?: { mediaType: string, title: string, bytes: Uint8Array }[], os: string, architecture: string, entrypoint?: string[] }} image
 * @returns {Buffer} the layout, as a tar for `ctr images import`
 */
export function ociLayout({ name, files = [], modules, os, architecture, entrypoint }) {
  /** @type {[string, Uint8Array][]} */
  const blobs = [];
  const put = (/** @type {Uint8Array} */ b) => {
    const digest = `sha256:${createHash('sha256').update(b).digest('hex')}`;
    blobs.push([`blobs/sha256/${digest.slice(7)}`, b]);
    return { digest, size: b.length };
  };
  /** @type {object[]} */
  let layers;
  /** @type {string[]} */
  let diffIds;
  if (modules === undefined) {
    const layerDesc = put(tar(files));
    layers = [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layerDesc }];
    diffIds = [layerDesc.digest];
  } else {
    layers = modules.map((m) => ({ mediaType: m.mediaType, ...put(m.bytes), annotations: { 'org.opencontainers.image.title': m.title } }));
    diffIds = [];
  }
  const config = Buffer.from(JSON.stringify({ architecture, os, config: entrypoint === undefined ? {} : { Entrypoint: entrypoint }, rootfs: { type: 'layers', diff_ids: diffIds } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...put(config) },
    layers,
  }));
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...put(manifest), platform: { os, architecture }, annotations: { 'io.containerd.image.name': name } }],
  }));
  return tar([['oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')], ['index.json', index], ...blobs]);
}
