import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LOG_CONFIG, LogClosedError, LogManager } from '../src/index.js';
import { batch, records, rmDir, silentLogger, tempDir } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LogManager', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rmDir(dir);
  });

  it("uses Kafka's defaults", () => {
    expect(DEFAULT_LOG_CONFIG).toMatchObject({
      segmentBytes: 1073741824,
      retentionMs: 604800000,
      retentionBytes: -1,
      indexIntervalBytes: 4096,
      segmentIndexBytes: 10485760,
      cleanupPolicy: 'delete',
      deleteRetentionMs: 86400000,
      messageTimestampType: 'CreateTime',
      maxMessageBytes: 1048588,
    });
  });

  it('creates idempotently, lists, deletes files, and rejects bad names and configs', async () => {
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger });
    const [a, b] = await Promise.all([mgr.create('t', 0), mgr.create('t', 0)]);
    expect(a).toBe(b);
    await mgr.create('t', 1);
    await mgr.create('other.topic_x', 0);
    expect([...mgr.logs()].map((l) => `${l.topic}-${l.partition}`).sort()).toEqual(['other.topic_x-0', 't-0', 't-1']);
    a.append(batch());
    await mgr.delete('t', 0);
    expect(mgr.get('t', 0)).toBeUndefined();
    expect(fs.existsSync(path.join(dir, 't-0'))).toBe(false);
    expect(() => a.append(batch())).toThrow(LogClosedError);
    await expect(mgr.create('bad/name', 0)).rejects.toThrow(RangeError);
    await expect(mgr.create('t', -1)).rejects.toThrow(RangeError);
    await expect(mgr.create('t', 5, { segmentBytes: 0 })).rejects.toThrow(RangeError);
    // Re-created after delete: a fresh, empty log.
    const again = await mgr.create('t', 0);
    expect(again.logEndOffset).toBe(0n);
    await mgr.close();
  });

  it('reopens every partition of a data dir concurrently', async () => {
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger });
    for (let i = 0; i < 300; i++) (await mgr.create(`t${i % 7}`, i)).append(batch({ count: 1 + (i % 3) }));
    await mgr.close();
    for (const crash of [false, true]) {
      const m = await LogManager.open({ dataDir: dir, logger: silentLogger, openConcurrency: 16 });
      expect(m.recoveredCleanly).toBe(!crash);
      const logs = [...m.logs()];
      expect(logs.length).toBe(300);
      for (const l of logs) expect(l.logEndOffset).toBe(BigInt(1 + (l.partition % 3)));
      if (crash) await m.close();
      else m.abandon();
    }
  });

  it('persists config overrides and applies updateConfig', async () => {
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger, defaultConfig: { retentionMs: 5 } });
    const log = await mgr.create('t', 0, { cleanupPolicy: 'compact' });
    expect(log.config.retentionMs).toBe(5);
    log.updateConfig({ segmentBytes: 12345 });
    await mgr.close();
    const mgr2 = await LogManager.open({ dataDir: dir, logger: silentLogger });
    expect(mgr2.get('t', 0)!.config).toMatchObject({ cleanupPolicy: 'compact', segmentBytes: 12345 });
    await mgr2.close();
  });

  it('flushes on flush.messages', async () => {
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger });
    const log = await mgr.create('t', 0, { flushMessages: 3 });
    const before = log.lastFlushMs;
    await new Promise((r) => setTimeout(r, 5));
    log.append(batch({ count: 2 }));
    expect(log.lastFlushMs).toBe(before);
    log.append(batch({ count: 2 }));
    expect(log.lastFlushMs).toBeGreaterThan(before);
    await log.settle();
    expect(log.flushedOffset).toBe(4n);
    await mgr.close();
  });

  it('flushes on flush.ms (manager timer) without flush.messages being reached', async () => {
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger, flushCheckIntervalMs: 10 });
    const timed = await mgr.create('t', 0, { flushMs: 100 });
    const never = await mgr.create('n', 0); // Kafka's default: leave it to the OS
    const t0 = Date.now();
    await timed.flush(); // restarts the flush.ms clock at or after t0
    for (let i = 0; i < 3; i++) {
      timed.append(batch({ count: 2 }));
      never.append(batch({ count: 2 }));
    }
    expect([timed.flushedOffset, never.flushedOffset]).toEqual([0n, 0n]);
    while (timed.flushedOffset < 6n && Date.now() - t0 < 5_000) await sleep(5);
    expect(timed.flushedOffset).toBe(6n);
    // Not before flush.ms: a slow machine only makes this later.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    await sleep(50);
    expect(never.flushedOffset).toBe(0n);
    expect(never.logEndOffset).toBe(6n);
    await mgr.close();
  });

  it('flushes on flush.ms from the append path when no timer runs', async () => {
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger, flushCheckIntervalMs: 0 });
    const log = await mgr.create('t', 0, { flushMs: 200 });
    await log.flush();
    log.append(batch({ count: 3 }));
    await sleep(250);
    expect(log.flushedOffset).toBe(0n); // nothing flushes between appends without the timer
    log.append(batch({ count: 2 }));
    await log.settle();
    expect(log.flushedOffset).toBe(5n);
    await mgr.close();
  });

  it('in-memory mode keeps nothing on disk', async () => {
    const mgr = await LogManager.open({ dataDir: null, logger: silentLogger });
    const log = await mgr.create('t', 0, { segmentBytes: 200 });
    for (let i = 0; i < 20; i++) log.append(batch({ value: `m${i}` }));
    expect(log.segmentCount).toBeGreaterThan(1);
    expect(records(log.read(0n, 1 << 20)).map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}-0`));
    await mgr.close();
  });
});
