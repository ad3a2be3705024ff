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

  it('never blocks appends: appends and reads run and stay correct while the same log compacts', async () => {
    const rand = rng(7);
    const log = await mgr.create('c', 0, { cleanupPolicy: 'compact', segmentBytes: 1_500, deleteRetentionMs: 1e9 });
    const model: Model = { latest: new Map(), history: new Map() };
    appendRandom(log, model, rand, 300);
    // Compaction takes the inactive segments as they stand when it starts.
    const cleanableEnd = log.segments[log.segments.length - 1]!.baseOffset;
    let done = false;
    const compaction = compactLog(log, { force: true, now: 2_000 });
    compaction.then(
      () => {
        done = true;
      },
      () => {
        done = true;
      },
    );
    let appendsWhileCompacting = 0;
    const concurrent: bigint[] = [];
    for (let i = 0; !done && i < 100_000; i++) {
      const key = `k${Math.floor(rand() * 25)}`;
      const value = `during-${i}`;
      const res = log.append(batch({ keys: [key], values: [value], timestamp: 1_000 }));
      if (log.compacting) appendsWhileCompacting++;
      model.latest.set(key, { offset: res.baseOffset, value });
      model.history.set(res.baseOffset, { key, value });
      concurrent.push(res.baseOffset);
      // Read back what was just appended, and something from the range being compacted.
      expect(records(log.read(res.baseOffset, 1 << 20))[0]).toMatchObject({ offset: res.baseOffset, key, value });
      const old = records(log.read(log.logStartOffset + BigInt(Math.floor(rand() * Number(cleanableEnd))), 4096));
      for (const r of old) expect(model.history.get(r.offset)).toEqual({ key: r.key, value: r.value });
      await new Promise((r) => setImmediate(r));
    }
    const result = await compaction;
    expect(result).not.toBeNull();
    expect(appendsWhileCompacting).toBeGreaterThan(0);
    // The appends rolled new segments during the compaction; the swap kept them behind its output.
    const rolled = log.segments.filter((seg) => seg.baseOffset > cleanableEnd).length;
    expect(rolled).toBeGreaterThan(0);
    expect(log.segmentCount).toBe(result!.segmentsAfter + 1 + rolled);
    // Exactly: below cleanableEnd the newest record per key of that range; from it on, everything.
    const newestBelow = new Map<string, bigint>();
    for (const [o, r] of model.history) if (o < cleanableEnd) newestBelow.set(r.key, o);
    const expected = [...model.history.entries()]
      .filter(([o, r]) => o >= cleanableEnd || newestBelow.get(r.key) === o)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([offset, r]) => ({ offset, key: r.key, value: r.value }));
    const got = records(log.read(log.logStartOffset, 1 << 30)).map((r) => ({
      offset: r.offset,
      key: r.key,
      value: r.value,
    }));
    expect(got).toEqual(expected);
    expect(got.filter((r) => r.offset >= concurrent[0]!).map((r) => r.offset)).toEqual(concurrent);
    expect(log.logEndOffset).toBe(concurrent[concurrent.length - 1]! + 1n);
    check(log, model, false);
    if (onDisk) {
      await mgr.close();
      mgr = await LogManager.open({ dataDir: dir, logger: silentLogger, compactionCheckIntervalMs: 0 });
      const again = records(mgr.get('c', 0)!.read(0n, 1 << 30));
      expect(again.map((r) => ({ offset: r.offset, key: r.key, value: r.value }))).toEqual(expected);
    }
  });
});

describe.each([
  ['file', true],
  ['memory', false],
] as const)('cleanup.policy=compact,delete (%s)', (_n, onDisk) => {
  let dir: string;
  let mgr: LogManager;
  beforeEach(async () => {
    dir = await tempDir();
    const timers = { compactionCheckIntervalMs: 0, retentionCheckIntervalMs: 0 };
    mgr = await LogManager.open({ dataDir: onDisk ? dir : null, logger: silentLogger, ...timers });
  });
  afterEach(async () => {
    await mgr.close();
    await rmDir(dir);
  });

  type Rec = { offset: bigint; key: string | null; value: string | null };
  const plain = (rs: Rec[]): Rec[] => rs.map((r) => ({ offset: r.offset, key: r.key, value: r.value }));
  /** [base, next base) of every segment, in order (the last one ends at the log end). */
  const layout = (log: PartitionLog) =>
    log.segments.map((seg, i) => ({
      base: seg.baseOffset,
      end: log.segments[i + 1]?.baseOffset ?? log.logEndOffset,
      size: seg.size,
    }));

  it('retention deletes whole old segments by time and by size, compaction cleans the rest', async () => {
    const retentionMs = 10_000;
    const log = await mgr.create('cd', 0, {
      cleanupPolicy: 'compact,delete',
      segmentBytes: 600,
      retentionMs,
      deleteRetentionMs: 1e9,
    });
    // One record per batch, a second apart, 20 keys and a hot one, some tombstones.
    const history = new Map<bigint, { key: string; value: string | null; ts: number }>();
    const append = (i: number) => {
      const key = i % 3 === 0 ? 'hot' : `k${i % 20}`;
      const value = i % 11 === 5 ? null : `v${i}`;
      const o = log.append(batch({ keys: [key], values: [value], timestamp: 1_000 * i })).baseOffset;
      history.set(o, { key, value, ts: 1_000 * i });
    };
    for (let i = 0; i < 100; i++) append(i);
    const current = () => plain(records(log.read(log.logStartOffset, 1 << 30)));
    /** Newest record per key among [from, cleanEnd), everything from cleanEnd on. */
    const compacted = (from: bigint, cleanEnd: bigint): Rec[] => {
      const newest = new Map<string, bigint>();
      for (const [o, r] of history) if (o >= from && o < cleanEnd) newest.set(r.key, o);
      return [...history.entries()]
        .filter(([o, r]) => o >= from && (o >= cleanEnd || newest.get(r.key) === o))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([offset, r]) => ({ offset, key: r.key, value: r.value }));
    };
    /**
     * Whole segments go from the front while `gone` says so; empty ones (left by compaction) go
     * with the next deleted one. Returns how many go and the new log start.
     */
    const frontDeletion = (
      segs: ReturnType<typeof layout>,
      gone: (seg: ReturnType<typeof layout>[number]) => boolean,
    ) => {
      let deleted = 0;
      let start = log.logStartOffset;
      for (let i = 0; i < segs.length; i++) {
        const seg = segs[i]!;
        if (seg.size === 0) continue;
        if (!gone(seg)) break;
        deleted = i + 1;
        start = segs[i + 1]?.base ?? log.logEndOffset;
      }
      return { deleted, start, nonEmpty: segs.slice(0, deleted).filter((seg) => seg.size > 0).length };
    };
    /** retention.ms: a segment's age is that of its newest live record. */
    const byTime = (now: number, live: Rec[]) => (seg: { base: bigint; end: bigint }) => {
      let newest = -1;
      for (const r of live)
        if (r.offset >= seg.base && r.offset < seg.end) newest = Math.max(newest, history.get(r.offset)!.ts);
      return now - newest > retentionMs;
    };

    // 1. Time, before any compaction: at 50 s, segments whose newest record is older than 40 s go.
    const segs1 = layout(log);
    const exp1 = frontDeletion(segs1, byTime(50_000, current()));
    expect(exp1.nonEmpty).toBeGreaterThan(1);
    expect(exp1.deleted).toBeLessThan(segs1.length - 2);
    expect(await mgr.runRetention(50_000)).toBe(exp1.deleted);
    expect(log.logStartOffset).toBe(exp1.start);
    expect(current()).toEqual(compacted(exp1.start, exp1.start)); // nothing compacted yet

    // 2. Compaction of what is left: newest record per key over the inactive segments, offsets kept.
    const cleanEnd = log.segments[log.segments.length - 1]!.baseOffset;
    await mgr.runCompaction(50_000);
    const live2 = compacted(exp1.start, cleanEnd);
    expect(live2.length).toBeLessThan(Number(log.logEndOffset - exp1.start));
    expect(current()).toEqual(live2);

    // 3. Time over compacted segments: each lives as long as its newest surviving record.
    const segs2 = layout(log);
    const exp2 = frontDeletion(segs2, byTime(90_000, live2));
    expect(exp2.nonEmpty).toBeGreaterThan(0);
    expect(exp2.start).toBeLessThan(cleanEnd);
    expect(await mgr.runRetention(90_000)).toBe(exp2.deleted);
    expect(log.logStartOffset).toBe(exp2.start);
    expect(current()).toEqual(live2.filter((r) => r.offset >= exp2.start));

    // 4. More appends and a second compaction (over cleaned and new segments), then size: whole
    // segments from the front while the rest still exceeds retention.bytes.
    for (let i = 100; i < 140; i++) append(i);
    const cleanEnd2 = log.segments[log.segments.length - 1]!.baseOffset;
    await compactLog(log, { force: true, now: 90_000 });
    const live3 = compacted(exp2.start, cleanEnd2);
    expect(current()).toEqual(live3);
    const segs3 = layout(log);
    const total = segs3.reduce((n, seg) => n + seg.size, 0);
    expect(log.sizeInBytes).toBe(total);
    const sizes = segs3.filter((seg) => seg.size > 0).map((seg) => seg.size);
    // Just enough excess for the first two non-empty segments.
    const limit = total - sizes[0]! - sizes[1]! - 1;
    let excess = total - limit;
    const exp3 = frontDeletion(segs3, (seg) => {
      if (excess - seg.size < 0) return false;
      excess -= seg.size;
      return true;
    });
    expect(exp3.nonEmpty).toBe(2);
    log.updateConfig({ retentionMs: -1, retentionBytes: limit });
    expect(await mgr.runRetention(90_000)).toBe(exp3.deleted);
    expect(log.logStartOffset).toBe(exp3.start);
    expect(log.sizeInBytes).toBe(total - sizes[0]! - sizes[1]!);
    const live4 = live3.filter((r) => r.offset >= exp3.start);
    expect(live4.some((r) => r.offset < cleanEnd2)).toBe(true); // compacted segments remain
    expect(live4.filter((r) => r.offset < cleanEnd2).length).toBeLessThan(Number(cleanEnd2 - exp3.start));
    expect(current()).toEqual(live4);
    if (onDisk) {
      await mgr.close();
      mgr = await LogManager.open({ dataDir: dir, logger: silentLogger, compactionCheckIntervalMs: 0 });
      const again = mgr.get('cd', 0)!;
      expect(again.logStartOffset).toBe(exp3.start);
      expect(plain(records(again.read(exp3.start, 1 << 30)))).toEqual(live4);
    }
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
