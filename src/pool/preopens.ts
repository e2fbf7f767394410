/**
 * A pooled call's preopens, both ways across the thread boundary: the
 * caller's host paths and memfs Volumes become specs that can be cloned
 * (a Volume's content as a snapshot), the guest's thread turns them back
 * into directory sources, and the volumes' content after the run is written
 * back into the caller's Volumes.
 */
import { createRequire } from 'node:module';
import type { Volume } from 'memfs';
import type { DirSource } from '../../wasi/index.js';
import { restoreVolume, type PreopenSpec, type VolumeSnapshot } from './task.js';

/** `limit`: the bytes of file data the guest may grow the volume to (default 1 GiB; wasi/fs/mem-quota.ts). */
export type PreopenSource = string | Volume | { host: string; readonly?: boolean } | { volume: Volume; readonly?: boolean; limit?: number };

function isVolume(v: unknown): v is Volume {
  return typeof v === 'object' && v !== null && '_core' in v && 'toJSON' in v;
}

function snapshot(vol: Volume): VolumeSnapshot {
  return vol.toJSON(undefined, undefined, false, true) as VolumeSnapshot;
}

/** The caller's side: specs for the task, and the Volumes to write back into. */
export function preopenSpecs(given: Readonly<Record<string, PreopenSource>> | undefined): { specs: Record<string, PreopenSpec>; volumes: Map<string, Volume> } {
  const specs: Record<string, PreopenSpec> = {};
  const volumes = new Map<string, Volume>();
  for (const [guest, src] of Object.entries(given ?? {})) {
    if (typeof src === 'string') specs[guest] = { host: src };
    else if (isVolume(src)) { volumes.set(guest, src); specs[guest] = { volume: snapshot(src) }; }
    else if ('host' in src) specs[guest] = { host: src.host, readonly: src.readonly ?? false };
    else {
      if (src.limit !== undefined && !(Number.isFinite(src.limit) && src.limit >= 0)) throw new RangeError(`preopen ${guest}: limit must be a number of bytes >= 0, not ${String(src.limit)}`);
      volumes.set(guest, src.volume);
      specs[guest] = { volume: snapshot(src.volume), readonly: src.readonly ?? false, ...(src.limit !== undefined ? { limit: src.limit } : {}) };
    }
  }
  return { specs, volumes };
}

/** The caller's side after the run: each Volume gets the content the guest left. */
export function writeBack(volumes: ReadonlyMap<string, Volume>, after: Record<string, VolumeSnapshot> | undefined): void {
  for (const [guest, vol] of volumes) {
    const snap = after?.[guest];
    if (snap !== undefined) restoreVolume(vol as never, snap);
  }
}

type MemfsModule = typeof import('memfs');
let memfsModule: MemfsModule | null = null;
const loadMemfs = (): MemfsModule => (memfsModule ??= createRequire(import.meta.url)('memfs') as MemfsModule);
type GuestVolume = InstanceType<MemfsModule['Volume']>;

/** The guest's side: directory sources for its WASI, and the volumes to snapshot after the run. */
export function preopenSources(specs: Record<string, PreopenSpec>): { preopens: Record<string, DirSource>; volumes: Map<string, GuestVolume> } {
  const preopens: Record<string, DirSource> = {};
  const volumes = new Map<string, GuestVolume>();
  for (const [guest, spec] of Object.entries(specs)) {
    if ('host' in spec) {
      preopens[guest] = { host: spec.host, readonly: spec.readonly ?? false };
    } else {
      const { vol } = loadMemfs().memfs();
      restoreVolume(vol as never, spec.volume);
      volumes.set(guest, vol);
      preopens[guest] = { volume: vol, readonly: spec.readonly ?? false, ...(spec.limit !== undefined ? { limit: spec.limit } : {}) };
    }
  }
  return { preopens, volumes };
}

/** The guest's side after the run: each volume's content, to go back to the caller. */
export function snapshots(volumes: ReadonlyMap<string, GuestVolume>): Record<string, VolumeSnapshot> | undefined {
  if (volumes.size === 0) return undefined;
  const out: Record<string, VolumeSnapshot> = {};
  for (const [guest, vol] of volumes) out[guest] = vol.toJSON(undefined, undefined, false, true) as VolumeSnapshot;
  return out;
}
