import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { crc32c } from '@brook/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CorruptRecordError,
  LogManager,
  OffsetOutOfRangeError,
  type PartitionLog,
  RecordTooLargeError,
} from '../src/index.js';
import { batch, batchBases, records, rmDir, silentLogger, tempDir } from './helpers.js';

const modes = [
  ['file', true],
  ['memory', false],
] as const;

describe.each(modes)('PartitionLog (%s)', (_name, onDisk) => {
  let dir: string;
  let mgr: LogManager;

  beforeEach(async () => {
    dir = await tempDir();
    mgr = await LogManager.open({ dataDir: onDisk ? dir : null, logger: silentLogger, tailCacheBytes: 1024 });
  });
  afterEach(async () => {
    await mgr.close();
    await rmDir(dir);
  });

  it('assigns offsets in call order and returns them', async () => {
    const log = await mgr.create('t', 0);
    const a = log.append(batch({ count: 3 }));
    const b = log.append(batch({ count: 2 }));
    expect([a.baseOffset, a.lastOffset, b.baseOffset, b.lastOffset]).toEqual([0n, 2n, 3n, 4n]);
    expect(a.logAppendTime).toBe(-1n);
    expect(log.logEndOffset).toBe(5n);
    expect(log.highWatermark).toBe(5n);
    const r = log.read(0n, 1 << 20);
    expect(records(r).map((x) => x.offset)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(records(r).map((x) => x.value)).toEqual(['v-0', 'v-1', 'v-2', 'v-0', 'v-1']);
  });

  it('appends several batches in one call with one base offset each', async () => {
    const log = await mgr.create('t', 0);
    const blob = Buffer.concat([batch({ count: 2 }), batch({ count: 3 }), batch({ count: 1 })]);
    const res = log.append(blob);
    expect([res.baseOffset, res.lastOffset]).toEqual([0n, 5n]);
    expect(batchBases(log.read(0n, 1 << 20))).toEqual([0n, 2n, 5n]);
  });

  it('reads across segment boundaries and finds every offset through the index', async () => {
    const log = await mgr.create('t', 0, { segmentBytes: 1000, indexIntervalBytes: 100 });
    const expected: string[] = [];
    for (let i = 0; i < 60; i++) {
      const n = 1 + (i % 4);
      log.append(batch({ count: n, value: `b${i}` }));
      for (let j = 0; j < n; j++) expected.push(`b${i}-${j}`);
    }
    expect(log.segmentCount).toBeGreaterThan(3);
    const all = records(log.read(0n, 1 << 20));
    expect(all.map((r) => r.value)).toEqual(expected);
    expect(all.map((r) => r.offset)).toEqual(expected.map((_, i) => BigInt(i)));
    // Every offset: the read starts with the batch containing it.
    for (let o = 0; o < expected.length; o++) {
      const r = records(log.read(BigInt(o), 1));
      expect(r.length).toBeGreaterThan(0);
      expect(r[0]!.offset).toBeLessThanOrEqual(BigInt(o));
      expect(r[r.length - 1]!.offset).toBeGreaterThanOrEqual(BigInt(o));
      expect(r.find((x) => x.offset === BigInt(o))?.value).toBe(expected[o]);
    }
  });

  it('respects maxBytes with whole batches, minOneBatch and maxOffset', async () => {
    const log = await mgr.create('t', 0, { segmentBytes: 1500 });
    const one = batch({ count: 1, valueSize: 200 });
    const size = one.length;
    for (let i = 0; i < 20; i++) log.append(batch({ count: 1, valueSize: 200 }));
    const r = log.read(0n, size * 3 + 10);
    expect(r.bytes).toBe(size * 3);
    expect(batchBases(r)).toEqual([0n, 1n, 2n]);
    expect(log.read(0n, 10).bytes).toBe(size);
    expect(log.read(0n, 10, { minOneBatch: false }).bytes).toBe(0);
    expect(batchBases(log.read(3n, 1 << 20, { maxOffset: 7n }))).toEqual([3n, 4n, 5n, 6n]);
    expect(log.read(20n, 100).bytes).toBe(0);
    expect(() => log.read(21n, 100)).toThrow(OffsetOutOfRangeError);
    expect(() => log.read(-1n, 100)).toThrow(OffsetOutOfRangeError);
  });

  it('splitAt ends a read at the next chunk boundary once that many bytes are collected', async () => {
    const log = await mgr.create('t', 0, { segmentBytes: 1500 });
    const size = batch({ count: 1, valueSize: 200 }).length;
    for (let i = 0; i < 20; i++) log.append(batch({ count: 1, valueSize: 200 }));
    // Whatever mix of file reads, tail chunks and segments: whole batches, in order, the first one
    // always, and no further chunk once splitAt bytes are there.
    for (let from = 0; from < 20; from++) {
      const r = log.read(BigInt(from), 1 << 20, { splitAt: size * 2 });
      const bases = batchBases(r);
      expect(bases[0]).toBe(BigInt(from));
      expect(bases).toEqual(bases.map((_, i) => BigInt(from + i)));
      expect(r.bytes).toBe(r.chunks.reduce((n, c) => n + c.length, 0));
      const beforeLast = r.bytes - r.chunks[r.chunks.length - 1]!.length;
      expect(beforeLast).toBeLessThan(size * 2);
      expect(r.bytes).toBeLessThanOrEqual(log.read(BigInt(from), 1 << 20).bytes);
    }
    expect(log.read(0n, 1 << 20, { splitAt: 0 }).chunks.length).toBe(1);
  });

  it('keeps small appends contiguous in the tail cache, also across a truncation', async () => {
    const log = await mgr.create('t', 0);
    for (let i = 0; i < 5; i++) log.append(batch({ count: 1, value: `a${i}` }));
    const r = log.read(0n, 1 << 20);
    if (!onDisk) expect(r.chunks.length).toBe(1);
    const held = Buffer.from(r.chunks[r.chunks.length - 1]!);
    const view = r.chunks[r.chunks.length - 1]!;
    await log.truncateTo(3n);
    for (let i = 0; i < 4; i++) log.append(batch({ count: 1, value: `b${i}` }));
    // A reader's earlier slice is not overwritten by appends after the cut.
    expect(view.equals(held)).toBe(true);
    expect(records(log.read(0n, 1 << 20)).map((x) => x.value)).toEqual([
      'a0-0',
      'a1-0',
      'a2-0',
      'b0-0',
      'b1-0',
      'b2-0',
      'b3-0',
    ]);
  });

  it('refuses corrupt batches with typed errors and writes nothing', async () => {
    const log = await mgr.create('t', 0, { maxMessageBytes: 5000 });
    log.append(batch());
    const before = log.sizeInBytes;
    const good = batch({ count: 2 });
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 1]! ^= 1;
    const badMagic = Buffer.from(good);
    badMagic[16] = 1;
    const shortLen = Buffer.from(good);
    shortLen.writeInt32BE(10, 8);
    const cases: Array<[Buffer, string]> = [
      [Buffer.concat([batch(), badCrc]), 'crc'],
      [badMagic, 'magic'],
      [shortLen, 'length'],
      [good.subarray(0, good.length - 3), 'length'],
      [Buffer.concat([good, Buffer.alloc(5)]), 'truncated'],
    ];
    for (const [buf, reason] of cases) {
      let err: unknown;
      try {
        log.append(buf);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CorruptRecordError);
      expect((err as CorruptRecordError).reason).toBe(reason);
    }
    // Record count that disagrees with lastOffsetDelta.
    const badCount = Buffer.from(good);
    badCount.writeInt32BE(5, 23);
    badCount.writeUInt32BE(crc32c(badCount, 21), 17);
    expect(() => log.append(badCount)).toThrow(CorruptRecordError);
    expect(() => log.append(batch({ valueSize: 6000 }))).toThrow(RecordTooLargeError);
    expect(log.sizeInBytes).toBe(before);
    expect(log.logEndOffset).toBe(1n);
    expect(log.append(batch()).baseOffset).toBe(1n);
  });

  it('stamps LogAppendTime and keeps the CRC valid', async () => {
    const log = await mgr.create('t', 0, { messageTimestampType: 'LogAppendTime' });
    const res = log.append(batch({ count: 2, timestamp: 5 }), { now: 123_456 });
    expect(res.logAppendTime).toBe(123_456n);
    const recs = records(log.read(0n, 1 << 20));
    expect(recs.map((r) => r.timestamp)).toEqual([123_456n, 123_456n]);
    expect(log.offsetForTimestamp(100_000n)).toEqual({ offset: 0n, timestamp: 123_456n });
  });

  it('looks offsets up by timestamp', async () => {
    const log = await mgr.create('t', 0, { segmentBytes: 1200, indexIntervalBytes: 50 });
    // Batch i holds records with timestamps 1000 + 10*i + j.
    for (let i = 0; i < 40; i++) {
      log.append(batch({ count: 3, timestamps: [1000 + 10 * i, 1000 + 10 * i + 1, 1000 + 10 * i + 2] }));
    }
    expect(log.segmentCount).toBeGreaterThan(2);
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 3; j++) {
        const ts = 1000 + 10 * i + j;
        expect(log.offsetForTimestamp(BigInt(ts))).toEqual({ offset: BigInt(3 * i + j), timestamp: BigInt(ts) });
      }
      // Between batches: the first record of the next batch.
      if (i < 39) {
        expect(log.offsetForTimestamp(BigInt(1000 + 10 * i + 5))?.offset).toBe(BigInt(3 * (i + 1)));
      }
    }
    expect(log.offsetForTimestamp(0n)).toEqual({ offset: 0n, timestamp: 1000n });
    expect(log.offsetForTimestamp(5000n)).toBeNull();
    expect(log.offsetForTimestamp(-2n)).toEqual({ offset: 0n, timestamp: -1n });
    expect(log.offsetForTimestamp(-1n)).toEqual({ offset: 120n, timestamp: -1n });
    expect(log.offsetForTimestamp(-3n)).toEqual({ offset: 119n, timestamp: 1392n });
  });

  it('finds the max timestamp when it is not the last record', async () => {
    const log = await mgr.create('t', 0, { segmentBytes: 300 });
    log.append(batch({ count: 3, timestamps: [10, 99, 20] }));
    log.append(batch({ count: 2, timestamps: [30, 40] }));
    expect(log.offsetForTimestamp(-3n)).toEqual({ offset: 1n, timestamp: 99n });
  });

  it('skips records below the log start in timestamp lookups', async () => {
    const log = await mgr.create('t', 0);
    log.append(batch({ count: 3, timestamps: [100, 200, 300] }));
    log.append(batch({ count: 2, timestamps: [400, 500] }));
    await log.deleteRecordsBefore(3n);
    expect(log.offsetForTimestamp(150n)).toEqual({ offset: 3n, timestamp: 400n });
    expect(log.offsetForTimestamp(-2n)?.offset).toBe(3n);
  });

  it('rolls on segment.ms using batch timestamps', async () => {
    const log = await mgr.create('t', 0, { segmentMs: 1000 });
    log.append(batch({ timestamp: 10_000 }));
    log.append(batch({ timestamp: 10_500 }));
    expect(log.segmentCount).toBe(1);
    log.append(batch({ timestamp: 11_001 }));
    expect(log.segmentCount).toBe(2);
    expect(records(log.read(0n, 1 << 20)).length).toBe(3);
  });

  it('advances the log start for DeleteRecords and drops whole segments below it', async () => {
    const log = await mgr.create('t', 0, { segmentBytes: 500 });
    for (let i = 0; i < 30; i++) log.append(batch({ count: 2 }));
    const segs = log.segmentCount;
    expect(await log.deleteRecordsBefore(31n)).toBe(31n);
    expect(log.logStartOffset).toBe(31n);
    expect(log.segmentCount).toBeLessThan(segs);
    expect(() => log.read(30n, 100)).toThrow(OffsetOutOfRangeError);
    const first = records(log.read(31n, 1 << 20));
    expect(first[0]!.offset).toBe(30n); // the batch containing 31
    await expect(log.deleteRecordsBefore(1000n)).rejects.toThrow(OffsetOutOfRangeError);
    expect(await log.deleteRecordsBefore(-1n)).toBe(60n);
    expect(log.read(60n, 100).bytes).toBe(0);
    expect(log.append(batch()).baseOffset).toBe(60n);
  });

  it('truncates to an offset, across segments, and keeps appending', async () => {
    const log = await mgr.create('t', 0, { segmentBytes: 400 });
    for (let i = 0; i < 30; i++) log.append(batch({ count: 1, value: `x${i}` }));
    expect(log.segmentCount).toBeGreaterThan(3);
    await log.truncateTo(12n);
    expect(log.logEndOffset).toBe(12n);
    expect(log.highWatermark).toBe(12n);
    expect(records(log.read(0n, 1 << 20)).map((r) => r.value)).toEqual(Array.from({ length: 12 }, (_, i) => `x${i}-0`));
    expect(log.append(batch({ value: 'new' })).baseOffset).toBe(12n);
    expect(records(log.read(12n, 1 << 20))[0]!.value).toBe('new-0');
    await log.truncateTo(0n);
    expect(log.logEndOffset).toBe(0n);
    expect(log.append(batch()).baseOffset).toBe(0n);
  });

  it('wakes onAppend listeners and stops after unsubscribe', async () => {
    const log = await mgr.create('t', 0);
    let n = 0;
    const off = log.onAppend(() => n++);
    log.append(batch());
    log.append(batch());
    off();
    log.append(batch());
    expect(n).toBe(2);
  });

  it('keeps the high watermark settable and clamped', async () => {
    const log = await mgr.create('t', 0);
    log.append(batch({ count: 5 }));
    log.setHighWatermark(3n);
    expect(log.highWatermark).toBe(3n);
    expect(log.read(0n, 1 << 20, { maxOffset: log.highWatermark }).bytes).toBe(0); // batch 0..4 crosses HW
    log.setHighWatermark(100n);
    expect(log.highWatermark).toBe(5n);
  });
});

describe('PartitionLog files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rmDir(dir);
  });

  it('lays out <topic>-<partition>/ with 20-digit segment names and a sparse index', async () => {
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger });
    const log = await mgr.create('my-topic', 3, { segmentBytes: 1000, indexIntervalBytes: 100 });
    for (let i = 0; i < 20; i++) log.append(batch({ count: 1, valueSize: 100 }));
    await mgr.close();
    const files = fs.readdirSync(path.join(dir, 'my-topic-3')).sort();
    expect(files).toContain('00000000000000000000.log');
    expect(files).toContain('00000000000000000000.index');
    expect(files).toContain('00000000000000000000.timeindex');
    const logs = files.filter((f) => f.endsWith('.log'));
    expect(logs.length).toBeGreaterThan(2);
    expect(logs.every((f) => /^\d{20}\.log$/.test(f))).toBe(true);
    const idx = fs.readFileSync(path.join(dir, 'my-topic-3', '00000000000000000000.index'));
    expect(idx.length % 8).toBe(0);
    expect(idx.length).toBeGreaterThan(0);
  });

  it('stores batches exactly as appended, with assigned offsets', async () => {
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger });
    const log = await mgr.create('t', 0);
    log.append(batch({ count: 2 }));
    const b = batch({ count: 3, value: 'raw' });
    log.append(b);
    await log.flush();
    const file = fs.readFileSync(path.join(dir, 't-0', '00000000000000000000.log'));
    expect(file.subarray(file.length - b.length).equals(b)).toBe(true);
    expect(b.readBigInt64BE(0)).toBe(2n);
    await mgr.close();
  });

  it('serves old data from disk and new data from the tail cache identically', async () => {
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger, tailCacheBytes: 2048 });
    const log = await mgr.create('t', 0, { indexIntervalBytes: 256 });
    for (let i = 0; i < 100; i++) log.append(batch({ count: 2, value: `r${i}` }));
    const fromCache = log.read(0n, 1 << 20);
    await mgr.close();
    const mgr2 = await LogManager.open({ dataDir: dir, logger: silentLogger });
    const fromDisk = mgr2.get('t', 0)!.read(0n, 1 << 20);
    expect(Buffer.concat(fromDisk.chunks).equals(Buffer.concat(fromCache.chunks))).toBe(true);
    expect(records(fromDisk).length).toBe(200);
    await mgr2.close();
  });

  it('lets go of appended buffers as soon as the tail cache evicts them', async () => {
    // Large appends are cached by reference; holding evicted ones longer kept request frames alive
    // until they were promoted, and only mark-compacts could free them.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger, tailCacheBytes: 256 * 1024 });
    const log = await mgr.create('t', 0);
    const refs: WeakRef<Buffer>[] = [];
    const append = () => {
      const b = batch({ count: 64, valueSize: 1024 });
      refs.push(new WeakRef(b));
      log.append(b);
    };
    for (let i = 0; i < 20; i++) append();
    await new Promise((r) => setTimeout(r, 0)); // WeakRef targets stay alive until the turn ends
    gc();
    const alive = refs.map((r) => r.deref() !== undefined);
    // ~66 KiB each: the newest few fit in 256 KiB; everything older must be collectable.
    expect(alive.slice(0, 10).some(Boolean)).toBe(false);
    expect(alive.at(-1)).toBe(true);
    expect(records(log.read(0n, 1 << 24)).length).toBe(20 * 64);
    await mgr.close();
  });

  it('fsyncOnAppend resolves durable after a flush, group-committed', async () => {
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger });
    const log: PartitionLog = await mgr.create('t', 0, { fsyncOnAppend: true, segmentBytes: 300 });
    const results = Array.from({ length: 20 }, () => log.append(batch()));
    await Promise.all(results.map((r) => r.durable));
    expect(log.segmentCount).toBeGreaterThan(1);
    await mgr.close();
  });
});
