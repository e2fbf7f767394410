/**
 * A Wasm image whose module is a layer of its own, not a file in a tar
 * layer: runwasi's "OCI images with Wasm layers" (oci-tar-builder),
 * wasm-to-oci's images and the CNCF wasm working group's artifact. Its
 * config says architecture "wasm" (os "wasip1" or "wasi"), and each module
 * is a layer whose media type is a Wasm one. containerd (1.7 and later)
 * leaves such layers out of the snapshot it unpacks, so the container's
 * rootfs holds no module; the shim reads it from containerd's content
 * store, as runwasi's shim does (containerd/client.rs load_modules).
 *
 * Everything read is checked: descriptors' digests and sizes (the blob
 * must hash to its digest), JSON shapes, and a bound on every size.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { containerImage, imageTarget, readContent, type Descriptor } from './containerd-api.js';
import { GrpcCode, GrpcError, type GrpcClient } from './grpc.js';

/** The layer media types that are a Wasm module (runwasi's supported_layers_types, wasm-to-oci's, the CNCF artifact's). */
export const WASM_LAYER_TYPES: ReadonlySet<string> = new Set([
  'application/wasm',
  'application/vnd.bytecodealliance.wasm.component.layer.v0+wasm',
  'application/vnd.wasm.content.layer.v1+wasm',
]);
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const MANIFEST_TYPES = new Set(['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json']);
/** The annotation that names a layer (image-spec annotations.md): the module's name. */
const TITLE = 'org.opencontainers.image.title';
/** Manifests, indexes and configs are small; a module may be large, but not past this. */
const MAX_JSON = 4 << 20;
export const MAX_MODULE = 1 << 30;

export interface ImageModule {
  /** The layer's title, else its digest: argv[0] when the container has no args. */
  name: string;
  digest: string;
  bytes: Uint8Array;
}

interface Layer extends Descriptor { title: string | undefined }

const DIGEST = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

function descriptor(v: unknown, what: string): Layer {
  const d = v as { mediaType?: unknown; digest?: unknown; size?: unknown; annotations?: Record<string, unknown> } | null;
  if (d === null || typeof d !== 'object' || typeof d.mediaType !== 'string' || typeof d.digest !== 'string' || !DIGEST.test(d.digest) || !Number.isSafeInteger(d.size) || (d.size as number) < 0) {
    throw new Error(`${what}: not a valid descriptor`);
  }
  const title = d.annotations?.[TITLE];
  return { mediaType: d.mediaType, digest: d.digest, size: d.size as number, title: typeof title === 'string' ? title : undefined };
}

/** A blob of the content store, whole and as its digest says. */
async function blob(c: GrpcClient, d: Descriptor, max: number): Promise<Uint8Array> {
  if (!DIGEST.test(d.digest)) throw new Error(`content ${JSON.stringify(d.digest)}: not a valid digest`);
  if (d.size > max) throw new Error(`content ${d.digest}: ${d.size} bytes, more than ${max}`);
  // A large module gets time in proportion: 10 s, plus 1 s for each 16 MiB.
  const bytes = await readContent(c, d.digest, d.size, 10_000 + Math.ceil(d.size / (16 << 20)) * 1000);
  const [algorithm, hex] = d.digest.split(':') as [string, string];
  if (createHash(algorithm).update(bytes).digest('hex') !== hex) throw new Error(`content ${d.digest}: the bytes do not match their digest`);
  return bytes;
}

async function json(c: GrpcClient, d: Descriptor, what: string): Promise<Record<string, unknown>> {
  const bytes = await blob(c, d, MAX_JSON);
  let v: unknown;
  try { v = JSON.parse(Buffer.from(bytes).toString('utf8')); } catch { throw new Error(`${what} ${d.digest}: not JSON`); }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what} ${d.digest}: not a JSON object`);
  return v as Record<string, unknown>;
}

const isWasmPlatform = (p: { architecture?: unknown } | undefined): boolean => p?.architecture === 'wasm';

/**
 * The module of container `id`'s image, or null when its image is not one
 * with Wasm layers (no image, a Linux image, a Wasm image whose module is a
 * file of a tar layer). `argv0` picks a layer by title when there are
 * several (its base name, as runwasi's entrypoint names a module);
 * otherwise the first Wasm layer is the module.
 */
export async function imageModule(c: GrpcClient, id: string, argv0: string | undefined): Promise<ImageModule | null> {
  let name: string;
  try {
    name = await containerImage(c, id);
  } catch (e) {
    // A container containerd does not know (a bundle made by hand): no image.
    if (e instanceof GrpcError && e.code === GrpcCode.NOT_FOUND) return null;
    throw e;
  }
  if (name === '') return null;
  let target: Descriptor = await imageTarget(c, name);
  if (INDEX_TYPES.has(target.mediaType)) {
    const index = await json(c, target, 'index');
    const manifests = Array.isArray(index['manifests']) ? index['manifests'] as unknown[] : [];
    const wasm = manifests.find((m) => isWasmPlatform((m as { platform?: { architecture?: unknown } }).platform));
    if (wasm === undefined) return null;
    target = descriptor(wasm, `index of ${name}`);
  }
  if (!MANIFEST_TYPES.has(target.mediaType)) return null;
  const manifest = await json(c, target, 'manifest');
  const config = await json(c, descriptor(manifest['config'], `manifest of ${name}`), 'config');
  if (!isWasmPlatform(config)) return null;
  const layers = (Array.isArray(manifest['layers']) ? manifest['layers'] as unknown[] : []).map((l, i) => descriptor(l, `layer ${i} of ${name}`)).filter((l) => WASM_LAYER_TYPES.has(l.mediaType));
  if (layers.length === 0) return null;
  const base = argv0 === undefined ? undefined : path.posix.basename(argv0);
  const layer = layers.find((l) => l.title !== undefined && l.title === base) ?? layers[0]!;
  return { name: layer.title ?? layer.digest, digest: layer.digest, bytes: await blob(c, layer, MAX_MODULE) };
}
