import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogManager } from '../src/index.js';
import { batch, records, rmDir, silentLogger, tempDir } from './helpers.js';

describe.each([
  ['file', true],
  ['memory', false],
] as const)('retention (%s)', (_n, onDisk) => {
  let dir: string;
  let mgr: LogManager;
  beforeEach(async () => {
    dir = await tempDir();
    mgr = await LogManager.open({ dataDir: onDisk ? dir : null, logger: silentLogger, retentionCheckIntervalMs: 0 });
  });
  afterEach(async () => {
    await mgr.close();
    await rmDir(dir);
  });

  it('deletes segments older than retention.ms, whether or not anyone read them', async () => {
    const log = await mgr.create('t', 0, { segmentBytes: 400, retentionMs: 10_000 });
    for (let i = 0; i < 30; i++) log.append(batch({ timestamp: 1_000 * i }));
    const segs = log.segmentCount;
    // now = 35s: records older than 25s go, whole segments only.
    const deleted = await mgr.runRetention(35_000);
    expect(deleted).toBeGreaterThan(0);
    expect(log.segmentCount).toBe(segs - deleted);
    const recs = records(log.read(log.logStartOffset, 1 << 20));
    expect(recs[0]!.offset).toBe(log.logStartOffset);
    expect(recs[recs.length - 1]!.offset).toBe(29n);
    // Every remaining segment but the first has data newer than the cutoff.
    expect(Number(recs[0]!.timestamp)).toBeLessThanOrEqual(25_000);
    expect(log.logStartOffset).toBeGreaterThan(0n);
    if (onDisk) {
      const files = fs.readdirSync(path.join(dir, 't-0')).filter((f) => f.endsWith('.log'));
      expect(files.length).toBe(log.segmentCount);
    }
  });

  it('expires the active segment too, rolling first', async () => {
    const log = await mgr.create('t', 0, { retentionMs: 1_000 });
    for (let i = 0; i < 5; i++) log.append(batch({ timestamp: 100 }));
    expect(await log.runRetention(10_000)).toBe(1);
    expect([log.logStartOffset, log.logEndOffset, log.sizeInBytes]).toEqual([5n, 5n, 0]);
    expect(log.append(batch({ timestamp: 20_000 })).baseOffset).toBe(5n);
  });

  it('deletes the oldest segments beyond retention.bytes', async () => {
    const log = await mgr.create('t', 0, { segmentBytes: 1000, retentionBytes: 2500, retentionMs: -1 });
    for (let i = 0; i < 50; i++) log.append(batch({ valueSize: 50 }));
    const before = log.sizeInBytes;
    await log.runRetention();
    expect(log.sizeInBytes).toBeLessThanOrEqual(2500 + 1000);
    expect(log.sizeInBytes).toBeGreaterThan(2500 - 1000);
    expect(log.sizeInBytes).toBeLessThan(before);
    expect(log.logEndOffset).toBe(50n);
    expect(records(log.read(log.logStartOffset, 1 << 20)).length).toBe(Number(50n - log.logStartOffset));
  });

  it('keeps everything with retention -1 and for compact-only topics', async () => {
    const a = await mgr.create('a', 0, { segmentBytes: 300, retentionMs: -1 });
    const b = await mgr.create('b', 0, { segmentBytes: 300, retentionMs: 1, cleanupPolicy: 'compact' });
    for (let i = 0; i < 10; i++) {
      a.append(batch({ timestamp: 1 }));
      b.append(batch({ timestamp: 1, keys: ['k'] }));
    }
    expect(await mgr.runRetention(1e12)).toBe(0);
    expect([a.logStartOffset, b.logStartOffset]).toEqual([0n, 0n]);
  });

  it('runs in the background on a timer', async () => {
    const m = await LogManager.open({ dataDir: null, logger: silentLogger, retentionCheckIntervalMs: 20 });
    const log = await m.create('t', 0, { retentionMs: 1 });
    log.append(batch({ timestamp: 1 }));
    for (let i = 0; i < 100 && log.logStartOffset === 0n; i++) await new Promise((r) => setTimeout(r, 10));
    expect(log.logStartOffset).toBe(1n);
    await m.close();
  });
});
