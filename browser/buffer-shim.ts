/**
 * The global `Buffer` memfs and the core expect, in the browser build
 * (esbuild inject): the `buffer` package, with one difference from Node made
 * good. Node's Buffer#copy takes any Uint8Array as its target (random_get
 * copies from a Buffer pool into guest memory that way); buffer@6 takes only
 * Buffers, so copies into other Uint8Arrays are done here as Node does them.
 */
import { Buffer } from 'buffer';

type Copy = (target: Uint8Array, targetStart?: number, sourceStart?: number, sourceEnd?: number) => number;
const bufferCopy = Buffer.prototype.copy as unknown as Copy;

(Buffer.prototype as unknown as { copy: Copy }).copy = function copy(this: Buffer, target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
  if (Buffer.isBuffer(target) || !(target instanceof Uint8Array)) return bufferCopy.call(this, target, targetStart, sourceStart, sourceEnd);
  const end = Math.min(sourceEnd, this.length, sourceStart + (target.length - targetStart));
  if (end <= sourceStart) return 0;
  target.set(this.subarray(sourceStart, end), targetStart);
  return end - sourceStart;
};

export { Buffer };
