import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  heapGrowingPercentFor,
  MIN_HEAP_HEADROOM_BYTES,
  primeMallocReuse,
  SERVER_HEAP_GROWING_PERCENT,
  tuneHeapGrowth,
} from '../src/process-tuning.js';

const fixture = fileURLToPath(new URL('./fixtures/malloc-faults.ts', import.meta.url));

function faultsPerMiB(mode: 'primed' | 'plain'): { primed: boolean; faultsPerMiB: number } {
  const out = execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', fixture, mode], {
    encoding: 'utf8',
    env: { ...process.env, GLIBC_TUNABLES: '' },
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('tuneHeapGrowth', () => {
  it('leaves a growing factor the operator chose alone', () => {
    expect(tuneHeapGrowth({ NODE_OPTIONS: '--max-old-space-size=512 --heap_growing_percent=50' })).toBe(false);
    expect(tuneHeapGrowth({ NODE_OPTIONS: '--heap-growing-percent=50' })).toBe(false);
  });

  it('applies otherwise', () => {
    expect(tuneHeapGrowth({})).toBe(true);
  });

  it('keeps the minimum headroom over small heaps and a 4x limit over large ones', () => {
    const MB = 1024 * 1024;
    const limit = (live: number) => live * (1 + heapGrowingPercentFor(live) / 100);
    for (const live of [2 * MB, 8 * MB, 20 * MB])
      expect(limit(live) - live).toBeGreaterThanOrEqual(MIN_HEAP_HEADROOM_BYTES);
    expect(heapGrowingPercentFor(8 * MB)).toBe(1200);
    expect(heapGrowingPercentFor(500 * MB)).toBe(SERVER_HEAP_GROWING_PERCENT);
    expect(heapGrowingPercentFor(0)).toBe(heapGrowingPercentFor(1024 * 1024));
  });
});

describe('primeMallocReuse', () => {
  it('leaves malloc settings the operator chose alone', () => {
    expect(primeMallocReuse({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=1048576' })).toBe(false);
    expect(primeMallocReuse({ MALLOC_MMAP_THRESHOLD_: '1048576' })).toBe(false);
  });

  it.runIf(process.platform === 'linux')(
    'makes 1 MiB buffers reuse heap memory instead of faulting in new pages',
    () => {
      // Filling fresh pages faults each in (256 per MiB); glibc's own threshold adjustment avoids some
      // of that unprimed (15-30 faults per MiB measured), reused heap memory none (0-0.7).
      const plain = faultsPerMiB('plain');
      const primed = faultsPerMiB('primed');
      expect(plain.primed).toBe(false);
      expect(primed.primed).toBe(true);
      expect(plain.faultsPerMiB).toBeGreaterThan(4);
      expect(primed.faultsPerMiB).toBeLessThan(2);
      expect(primed.faultsPerMiB).toBeLessThan(plain.faultsPerMiB / 4);
    },
  );
});
