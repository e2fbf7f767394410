/**
 * How much file data a guest may keep in a memfs volume. memfs holds each
 * file in one Buffer, so a one-byte write at offset 3 GB asks the host for
 * 3 GB at once (measured: 12 GB RSS and 44 s for one fd_pwrite through the
 * pool, which copies volumes between threads). A volume is the host's memory,
 * so its growth is bounded: past the limit a write, truncate or allocate
 * fails with NOSPC, as on a full tmpfs, and nothing is allocated.
 */
import type { Volume } from 'memfs';
import { Errno } from '../abi.js';
import { WasiError } from '../errors.js';

/** The default bound on a volume's file data (the sum of its files' sizes). */
export const DEFAULT_VOLUME_LIMIT = 1024 ** 3;

/**
 * memfs cannot hold a file larger than one Buffer; its capacity doubles, so
 * a file of more than 2 GiB could ask for a 4 GiB Buffer, Node 20's maximum.
 */
const MAX_FILE_SIZE = 2 ** 31;

/** The part of @jsonjoy.com/fs-core's inode we read. */
interface MemNode { getSize(): number }

export class VolumeQuota {
  /**
   * An upper bound on the bytes in use: growth is added, shrinking is not
   * (an unlink or truncate elsewhere would have to be tracked), so before it
   * refuses anything it counts the volume exactly. NaN until first needed.
   */
  private used = Number.NaN;

  constructor(private readonly vol: Volume, readonly limit: number) {
    if (!(limit >= 0)) throw new TypeError(`volume limit must be a number of bytes ≥ 0, got ${limit}`);
  }

  /** Allow a file of `from` bytes to become `to` bytes, or throw FBIG/NOSPC. */
  grow(from: number, to: number): void {
    if (to <= from) return;
    if (to > MAX_FILE_SIZE) throw new WasiError(Errno.FBIG);
    const growth = to - from;
    if (!(this.used + growth <= this.limit)) {
      this.used = this.measure();
      if (this.used + growth > this.limit) throw new WasiError(Errno.NOSPC);
    }
    this.used += growth;
  }

  private measure(): number {
    let sum = 0;
    for (const node of Object.values(this.vol._core.inodes) as unknown as MemNode[]) sum += node.getSize();
    return sum;
  }
}
