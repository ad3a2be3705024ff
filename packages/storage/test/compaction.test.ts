import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compactLog, LogManager, type PartitionLog, SimulatedCrash } from '../src/index.js';
import { batch, records, rmDir, silentLogger, tempDir } from './helpers.js';

/** Small deterministic PRNG so failures reproduce. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Model {
  latest: Map<string, { offset: bigint; value: string | null }>;
  history: Map<bigint, { key: string; value: string | null }>;
}

function appendRandom(log: PartitionLog, model: Model, rand: () => number, n: number): void {
  for (let i = 0; i < n; i++) {
    const count = 1 + Math.floor(rand() * 4);
    const keys: string[] = [];
    const values: Array<string | null> = [];
    for (let j = 0; j < count; j++) {
      keys.push(`k${Math.floor(rand() * 25)}`);
      values.push(rand() < 0.2 ? null : `v${Math.floor(rand() * 1e6)}`);
    }
    const res = log.append(batch({ keys, values, timestamp: 1_000 }));
    keys.forEach((k, j) => {
      const offset = res.baseOffset + BigInt(j);
      model.latest.set(k, { offset, value: values[j]! });
      model.history.set(offset, { key: k, value: values[j]! });
    });
  }
}

/** The log's view after compaction must agree with the model. */
function check(log: PartitionLog, model: Model, tombstonesGone: boolean): void {
  const recs = records(log.read(log.logStartOffset, 1 << 30));
  let prev = -1n;
  const lastSeen = new Map<string, { offset: bigint; value: string | null }>();
  for (const r of recs) {
    expect(r.offset).toBeGreaterThan(prev);
    prev = r.offset;
    // Offsets preserved: each surviving record is the one appended at that offset.
    expect(model.history.get(r.offset)).toEqual({ key: r.key, value: r.value });
    lastSeen.set(r.key!, { offset: r.offset, value: r.value });
  }
  for (const [k, m] of model.latest) {
    const seen = lastSeen.get(k);
    if (m.value === null && tombstonesGone) expect(seen === undefined || seen.value === null).toBe(true);
    else expect(seen).toEqual(m);
  }
}

describe.each([
  ['file', true],
  ['memory', false],
] as const)('compaction (%s)', (_n, onDisk) => {
  let dir: string;
  let mgr: LogManager;
  beforeEach(async () => {
    dir = await tempDir();
    mgr = await LogManager.open({ dataDir: onDisk ? dir : null, logger: silentLogger, compactionCheckIntervalMs: 0 });
  });
  afterEach(async () => {
    await mgr.close();
    await rmDir(dir);
  });

  for (const seed of [1, 2, 3]) {
    it(`keeps the newest record per key over random keyed appends with tombstones (seed ${seed})`, async () => {
      const rand = rng(seed);
      const log = await mgr.create('c', 0, {
        cleanupPolicy: 'compact',
        segmentBytes: 700,
        deleteRetentionMs: 1_000_000,
      });
      const model: Model = { latest: new Map(), history: new Map() };
      for (let round = 0; round < 5; round++) {
        appendRandom(log, model, rand, 40);
        const r = await compactLog(log, { force: true, now: 2_000 });
        expect(r).not.toBeNull();
        check(log, model, false);
      }
      // With everything cleanable, the log is exactly the model: one record per key.
      log.roll();
      await compactLog(log, { force: true, now: 2_000 });
      const recs = records(log.read(log.logStartOffset, 1 << 30));
      const expected = [...model.latest.entries()]
        .map(([key, m]) => ({ offset: m.offset, key, value: m.value }))
        .sort((a, b) => (a.offset < b.offset ? -1 : 1));
      expect(recs.map((r) => ({ offset: r.offset, key: r.key, value: r.value }))).toEqual(expected);
      // After delete.retention.ms the tombstones go too.
      const res = await compactLog(log, { force: true, now: 10_000_000 });
      expect(res!.tombstonesRemoved).toBe(expected.filter((e) => e.value === null).length);
      const after = records(log.read(log.logStartOffset, 1 << 30));
      expect(after.map((r) => r.offset)).toEqual(expected.filter((e) => e.value !== null).map((e) => e.offset));
      // The log still appends and reads at the end.
      const next = log.logEndOffset;
      expect(log.append(batch({ keys: ['z'] })).baseOffset).toBe(next);
      if (onDisk) {
        await mgr.close();
        mgr = await LogManager.open({ dataDir: dir, logger: silentLogger, compactionCheckIntervalMs: 0 });
        const again = records(mgr.get('c', 0)!.read(0n, 1 << 30));
        expect(again.map((r) => r.offset)).toEqual([...after.map((r) => r.offset), next]);
      }
    });
  }

  it('never touches the active segment and respects min.compaction.lag.ms', async () => {
    const log = await mgr.create('c', 0, { cleanupPolicy: 'compact', segmentBytes: 100_000, minCompactionLagMs: 0 });
    for (let i = 0; i < 50; i++) log.append(batch({ keys: ['same'] }));
    expect(await compactLog(log, { force: true })).toBeNull();
    expect(records(log.read(0n, 1 << 30)).length).toBe(50);
    const lag = await mgr.create('d', 0, { cleanupPolicy: 'compact', segmentBytes: 300, minCompactionLagMs: 60_000 });
    for (let i = 0; i < 20; i++) lag.append(batch({ keys: ['same'], timestamp: 1_000_000 }));
    expect(await compactLog(lag, { force: true, now: 1_030_000 })).toBeNull();
    expect(await compactLog(lag, { force: true, now: 1_070_000 })).not.toBeNull();
  });
});

describe('compaction crash safety', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rmDir(dir);
  });

  for (const crashAt of ['before-journal', 'after-journal', 'mid-swap'] as const) {
    it(`a crash ${crashAt} leaves either the old or the new segments, never a mix`, async () => {
      const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger, compactionCheckIntervalMs: 0 });
      const log = await mgr.create('c', 0, { cleanupPolicy: 'compact', segmentBytes: 500 });
      const model: Model = { latest: new Map(), history: new Map() };
      appendRandom(log, model, rng(9), 80);
      const before = records(log.read(0n, 1 << 30));
      await expect(compactLog(log, { force: true, now: 2_000, crashAt })).rejects.toThrow(SimulatedCrash);
      mgr.abandon();
      const mgr2 = await LogManager.open({ dataDir: dir, logger: silentLogger, compactionCheckIntervalMs: 0 });
      const log2 = mgr2.get('c', 0)!;
      const after = records(log2.read(0n, 1 << 30));
      if (crashAt === 'before-journal') expect(after).toEqual(before);
      else expect(after.length).toBeLessThan(before.length);
      check(log2, model, false);
      expect(fs.readdirSync(log2.dir!).filter((f) => f.endsWith('.deleted') || f === 'cleaning')).toEqual([]);
      expect(log2.append(batch({ keys: ['x'] })).baseOffset).toBe(log.logEndOffset);
      await mgr2.close();
    });
  }
});
