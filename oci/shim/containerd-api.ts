/**
 * The three calls of containerd's own API the shim makes, to read a Wasm
 * image's module from the content store (image-module.ts): Containers.Get
 * (the container's image name), Images.Get (the image's target) and
 * Content.Read (a blob). Field numbers are those of proto/containers.proto,
 * images.proto, descriptor.proto and content.proto (containerd v1.6; the
 * same in 1.7).
 */
import { Fields, Writer } from './pb.js';
import type { CallLimits, GrpcClient } from './grpc.js';

/** containerd.types.Descriptor (an OCI descriptor). */
export interface Descriptor { mediaType: string; digest: string; size: number }

const SMALL: CallLimits = { timeoutMs: 10_000, maxBytes: 1 << 20 };

/** GetContainerRequest{id}, GetImageRequest{name}, ReadContentRequest{digest} (offset 0, size 0: all of it): field 1 each. */
export const encodeGet = (key: string): Uint8Array => new Writer().string(1, key).finish();

/** GetContainerResponse → container.image. */
export function decodeContainerImage(b: Uint8Array): string {
  return Fields.decode(b).message(1)?.string(3) ?? '';
}

/** GetImageResponse → image.target, or null. */
export function decodeImageTarget(b: Uint8Array): Descriptor | null {
  const target = Fields.decode(b).message(1)?.message(3) ?? null;
  return target === null ? null : { mediaType: target.string(1), digest: target.string(2), size: target.uint(3) };
}

/** ReadContentResponse{offset, data}. */
export function decodeReadContent(b: Uint8Array): { offset: number; data: Uint8Array } {
  const f = Fields.decode(b);
  return { offset: f.uint(1), data: f.bytes(2) };
}

/** The image name of container `id` ('' for a container made without one, such as `ctr run --rootfs`). */
export async function containerImage(c: GrpcClient, id: string): Promise<string> {
  const [res] = await c.call('/containerd.services.containers.v1.Containers/Get', encodeGet(id), SMALL);
  return res === undefined ? '' : decodeContainerImage(res);
}

/** The target descriptor of image `name`. */
export async function imageTarget(c: GrpcClient, name: string): Promise<Descriptor> {
  const [res] = await c.call('/containerd.services.images.v1.Images/Get', encodeGet(name), SMALL);
  const target = res === undefined ? null : decodeImageTarget(res);
  if (target === null) throw new Error(`image ${name} has no target`);
  return target;
}

/**
 * The whole blob `digest`, which must be `size` bytes: the server streams
 * it in pieces (ReadContentResponse{offset, data}), taken in order.
 */
export async function readContent(c: GrpcClient, digest: string, size: number, timeoutMs: number): Promise<Uint8Array> {
  // Each piece carries a few bytes of framing besides its data.
  const pieces = await c.call('/containerd.services.content.v1.Content/Read', encodeGet(digest), { timeoutMs, maxBytes: size + 4096 + (size >> 10) });
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of pieces) {
    const { offset, data } = decodeReadContent(p);
    if (offset !== at || at + data.length > size) throw new Error(`content ${digest}: pieces out of order or longer than ${size} bytes`);
    out.set(data, at);
    at += data.length;
  }
  if (at !== size) throw new Error(`content ${digest}: ${at} bytes, the descriptor says ${size}`);
  return out;
}
