/**
 * The shim's Stats: a container's cgroup v1 counters, as containerd's
 * cgroups library (v1.0.4, what containerd 1.6 and its runc shim use)
 * reads them, encoded as io.containerd.cgroups.v1.Metrics — the runc
 * shim's answer on a cgroup v1 host, what `ctr task metrics` prints and
 * what the CRI plugin turns into container stats (CPU usage, memory
 * working set). Field numbers from proto/cgroups-v1-metrics.proto.
 *
 * Read here: pids, cpu (cpuacct and the cpu controller's throttling),
 * memory (memory.stat, the usage/swap/kernel/kernel-tcp counters) and the
 * OOM control. Left out: hugetlb, blkio and rdma, which the CRI plugin does
 * not read. A counter whose file is absent is left at zero.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writer } from './pb.js';

/** The Any type URL of the message (containerd's typeurl: the message's full name). */
export const CGROUPS_V1_METRICS = 'io.containerd.cgroups.v1.Metrics';

/** USER_HZ: cpuacct.stat counts in these ticks (the library's clockTicks). */
const CLOCK_TICKS = 100n;
const NS_PER_S = 1_000_000_000n;

function read(dir: string | undefined, file: string): string | undefined {
  if (dir === undefined) return undefined;
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8');
  } catch {
    return undefined;
  }
}

/** A file holding one unsigned number; undefined when absent or not a number. */
function readU64(dir: string | undefined, file: string): bigint | undefined {
  const t = read(dir, file)?.trim();
  return t !== undefined && /^\d+$/.test(t) ? BigInt(t) : undefined;
}

/** "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.oom_control). */
function readKeyed(dir: string | undefined, file: string): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const line of read(dir, file)?.split('\n') ?? []) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v && /^\d+$/.test(v)) m.set(k, BigInt(v));
  }
  return m;
}

/** memory.stat's keys, in MemoryStat's field order (1–32). */
const MEMORY_STAT = [
  'cache', 'rss', 'rss_huge', 'mapped_file', 'dirty', 'writeback', 'pgpgin', 'pgpgout', 'pgfault', 'pgmajfault',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable', 'hierarchical_memory_limit', 'hierarchical_memsw_limit',
  'total_cache', 'total_rss', 'total_rss_huge', 'total_mapped_file', 'total_dirty', 'total_writeback', 'total_pgpgin', 'total_pgpgout',
  'total_pgfault', 'total_pgmajfault', 'total_inactive_anon', 'total_active_anon', 'total_inactive_file', 'total_active_file', 'total_unevictable',
] as const;

/** MemoryStat's MemoryEntry fields 33–36 and the files behind them ("memory.<module>.<name>"). */
const MEMORY_ENTRIES = [[33, ''], [34, 'memsw'], [35, 'kmem'], [36, 'kmem.tcp']] as const;

/** A MemoryEntry; an accounting the kernel does not keep (no swap, no kmem) reads as zeros, as the library leaves it. */
function memoryEntry(dir: string, module: string): Writer {
  const file = (name: string): string => (module === '' ? `memory.${name}` : `memory.${module}.${name}`);
  return new Writer()
    .uint64(1, readU64(dir, file('limit_in_bytes')) ?? 0n)
    .uint64(2, readU64(dir, file('usage_in_bytes')) ?? 0n)
    .uint64(3, readU64(dir, file('max_usage_in_bytes')) ?? 0n)
    .uint64(4, readU64(dir, file('failcnt')) ?? 0n);
}

/** io.containerd.cgroups.v1.Metrics of the cgroups in `paths` (subsystem → directory, as runc's state lists them). */
export function cgroupV1Metrics(paths: Readonly<Record<string, string>>): Uint8Array {
  const m = new Writer();

  const pids = paths['pids'];
  if (pids !== undefined && fs.existsSync(pids)) {
    // "max" is no limit: 0, as the library reports it.
    m.message(2, new Writer().uint64(1, readU64(pids, 'pids.current') ?? 0n).uint64(2, readU64(pids, 'pids.max') ?? 0n));
  }

  const cpuacct = paths['cpuacct'];
  if (cpuacct !== undefined && fs.existsSync(cpuacct)) {
    const ticks = readKeyed(cpuacct, 'cpuacct.stat');
    const perCpu = (read(cpuacct, 'cpuacct.usage_percpu') ?? '').trim().split(/\s+/).filter((v) => /^\d+$/.test(v)).map(BigInt);
    const usage = new Writer()
      .uint64(1, readU64(cpuacct, 'cpuacct.usage') ?? 0n)
      .uint64(2, ((ticks.get('system') ?? 0n) * NS_PER_S) / CLOCK_TICKS)
      .uint64(3, ((ticks.get('user') ?? 0n) * NS_PER_S) / CLOCK_TICKS)
      .packedUint64(4, perCpu);
    const cpuStat = readKeyed(paths['cpu'], 'cpu.stat');
    const throttling = new Writer()
      .uint64(1, cpuStat.get('nr_periods') ?? 0n)
      .uint64(2, cpuStat.get('nr_throttled') ?? 0n)
      .uint64(3, cpuStat.get('throttled_time') ?? 0n);
    m.message(3, new Writer().message(1, usage).message(2, throttling));
  }

  const memory = paths['memory'];
  if (memory !== undefined && fs.existsSync(memory)) {
    const stat = readKeyed(memory, 'memory.stat');
    const w = new Writer();
    MEMORY_STAT.forEach((key, i) => w.uint64(i + 1, stat.get(key) ?? 0n));
    for (const [field, module] of MEMORY_ENTRIES) w.message(field, memoryEntry(memory, module));
    m.message(4, w);
    const oom = readKeyed(memory, 'memory.oom_control');
    m.message(9, new Writer().uint64(1, oom.get('oom_kill_disable') ?? 0n).uint64(2, oom.get('under_oom') ?? 0n).uint64(3, oom.get('oom_kill') ?? 0n));
  }
  return m.finish();
}

/**
 * How many of the container's processes the OOM killer ended: its memory
 * cgroup's count (v1 memory.oom_control, v2 memory.events), for a process
 * no conmon watched (a container with a terminal: ./terminal.ts).
 */
export function oomKills(paths: Record<string, string>): bigint {
  const v1 = paths['memory'];
  if (v1 !== undefined && v1 !== '') return readKeyed(v1, 'memory.oom_control').get('oom_kill') ?? 0n;
  const v2 = paths[''];
  return v2 !== undefined && v2 !== '' ? readKeyed(v2, 'memory.events').get('oom_kill') ?? 0n : 0n;
}
