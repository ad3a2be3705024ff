// Tuning for a process that is a broker (`brook start`), not for applications embedding one:
// tuneHeapGrowth() before the broker starts, primeMallocReuse() once it is ready.
//
// V8 heap growth: the broker's own JS heap is small (~10 MB), so V8's default old-generation limit
// leaves ~10 MB of slack, and a mark-compact started whenever the request stream pushed past it: at
// 20k small produces/s that was one every ~0.3-0.5 s, each a 2-7 ms pause plus concurrent-marking
// threads taking a core of two, which set the produce p99 latency. V8 also counts Buffer memory
// allocated since the last mark-compact against that limit, and at 600 MB/s of ~1 MiB request frames
// (freed by scavenges, but 20-60 MB in flight between them) a 4x limit on an 8 MB heap started a
// mark-compact every ~70 ms, ~10% of the broker's CPU. So the limit keeps at least 96 MB of headroom
// over the live heap, and 4x for larger heaps: the growing factor is recomputed after every
// mark-compact (a flag V8 reads at every GC; Node's start-up heap flags cannot be set after start):
// 13 -> 3 mark-compacts/s at 600 MB/s of 1 KiB records.
//
// malloc reuse: every produce request of ~1 MiB arrives in many socket reads and is assembled into
// one buffer. glibc serves allocations of 128 KiB and up with a fresh mmap and unmaps them on free,
// so each request paid page faults and the kernel zeroing a MiB (0.4-0.9 CPU-s per GB of such buffers
// on these VMs, against 0.05 reused). glibc raises its mmap threshold to the size of any mmapped block
// that is freed (up to 32 MiB; the trim threshold follows at twice that), so allocating and freeing
// one 16 MiB block makes later buffers up to 16 MiB come from the heap and be reused.
//
// Both together, paired A/B against the previous tuning (4x growth, no priming), 1 KiB records on
// disk: 603 vs 536 MB/s, 1.57 vs 1.88 broker CPU-s/GB.
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

const HEAP_FLAG = 'heap-growing-percent';
/** Growing factor 1 + 300/100 = 4: the floor, for heaps above MIN_HEAP_HEADROOM_BYTES / 3. */
export const SERVER_HEAP_GROWING_PERCENT = 300;
/** Old-generation headroom kept over the live heap at the least (see the top of this file). */
export const MIN_HEAP_HEADROOM_BYTES = 96 * 1024 * 1024;
/** Below glibc's DEFAULT_MMAP_THRESHOLD_MAX (32 MiB on 64-bit): frees above it leave the threshold alone. */
export const MALLOC_PRIME_BYTES = 16 * 1024 * 1024;

/** The growing percent that leaves at least MIN_HEAP_HEADROOM_BYTES over `liveBytes`. */
export function heapGrowingPercentFor(liveBytes: number): number {
  const live = Math.max(liveBytes, 1024 * 1024);
  return Math.max(SERVER_HEAP_GROWING_PERCENT, Math.ceil((MIN_HEAP_HEADROOM_BYTES / live) * 100));
}

let growthObserver: PerformanceObserver | null = null;

/**
 * Sets V8's heap growing factor now and after every mark-compact, unless the operator set it
 * (node --heap-growing-percent=N or NODE_OPTIONS).
 */
export function tuneHeapGrowth(env: NodeJS.ProcessEnv = process.env): boolean {
  const given = [...process.execArgv, env.NODE_OPTIONS ?? ''].some((a) => a.replaceAll('_', '-').includes(HEAP_FLAG));
  if (given) return false;
  const apply = () =>
    v8.setFlagsFromString(`--${HEAP_FLAG}=${heapGrowingPercentFor(v8.getHeapStatistics().used_heap_size)}`);
  apply();
  if (growthObserver === null) {
    growthObserver = new PerformanceObserver((list) => {
      if (list.getEntries().some(isMarkCompact)) apply();
    });
    growthObserver.observe({ entryTypes: ['gc'] });
  }
  return true;
}

/**
 * Raises glibc's dynamic mmap threshold (see the top of this file), on Linux, unless the operator
 * tuned malloc through GLIBC_TUNABLES or MALLOC_*_ variables. Costs one forced full GC (~12 ms with
 * the broker loaded).
 */
export function primeMallocReuse(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform !== 'linux') return false;
  if (env.GLIBC_TUNABLES?.includes('malloc') || Object.keys(env).some((k) => /^MALLOC_\w+_$/.test(k))) return false;
  allocateAndDrop(MALLOC_PRIME_BYTES);
  // The free happens when V8 collects the buffer; a forced GC makes that now. --expose-gc only
  // takes effect in contexts created after it is set, so the gc function comes from a new one.
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  return true;
}

function isMarkCompact(entry: PerformanceEntry): boolean {
  const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
  return detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
}

function allocateAndDrop(bytes: number): void {
  const block = Buffer.allocUnsafeSlow(bytes);
  block[0] = 1;
}
