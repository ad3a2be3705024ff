import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLEAN_SHUTDOWN_MARKER, DuplicateSequenceError, LogManager, OutOfOrderSequenceError } from '../src/index.js';
import { batch, batchBases, records, rmDir, silentLogger, tempDir } from './helpers.js';

const SEG0 = '00000000000000000000';

describe('recovery', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rmDir(dir);
  });

  /** Writes 5 batches and returns the file bytes and the last batch's start. */
  async function seed(): Promise<{ file: Buffer; lastStart: number; prefixLEO: bigint }> {
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger });
    const log = await mgr.create('t', 0);
    for (let i = 0; i < 4; i++) log.append(batch({ count: 2, value: `p${i}` }));
    const lastStart = log.sizeInBytes;
    log.append(batch({ count: 3, value: 'last' }));
    await mgr.close();
    const file = fs.readFileSync(path.join(dir, 't-0', `${SEG0}.log`));
    return { file, lastStart, prefixLEO: 8n };
  }

  async function reopenWith(file: Buffer): Promise<LogManager> {
    fs.writeFileSync(path.join(dir, 't-0', `${SEG0}.log`), file);
    fs.rmSync(path.join(dir, CLEAN_SHUTDOWN_MARKER), { force: true });
    for (const f of fs.readdirSync(path.join(dir, 't-0'))) {
      if (f.endsWith('.snapshot')) fs.rmSync(path.join(dir, 't-0', f));
    }
    return LogManager.open({ dataDir: dir, logger: silentLogger });
  }

  async function expectPrefix(mgr: LogManager, prefix: Buffer, leo: bigint): Promise<void> {
    const log = mgr.get('t', 0)!;
    expect(log.logEndOffset).toBe(leo);
    expect(log.sizeInBytes).toBe(prefix.length);
    const r = log.read(0n, 1 << 20);
    expect(Buffer.concat(r.chunks).equals(prefix)).toBe(true);
    const res = log.append(batch({ value: 'after' }));
    expect(res.baseOffset).toBe(leo);
    expect(records(log.read(leo, 1 << 20))[0]!.value).toBe('after-0');
    await mgr.close();
  }

  it('a last batch cut at every byte position leaves exactly the batches before it', async () => {
    const { file, lastStart, prefixLEO } = await seed();
    const prefix = file.subarray(0, lastStart);
    for (let cut = lastStart; cut < file.length; cut++) {
      const mgr = await reopenWith(file.subarray(0, cut));
      expect(mgr.recoveredCleanly).toBe(false);
      await expectPrefix(mgr, prefix, prefixLEO);
    }
  });

  it('a flipped bit inside the last batch leaves exactly the batches before it', async () => {
    const { file, lastStart, prefixLEO } = await seed();
    const prefix = file.subarray(0, lastStart);
    // Bytes 0-7 (base offset) and 12-15 (leader epoch) are outside the v2 CRC by design.
    const positions: number[] = [];
    for (let p = lastStart + 8; p < file.length; p++) if (p < lastStart + 12 || p >= lastStart + 16) positions.push(p);
    for (const p of positions) {
      const bad = Buffer.from(file);
      bad[p]! ^= 1 << (p % 8);
      const mgr = await reopenWith(bad);
      await expectPrefix(mgr, prefix, prefixLEO);
    }
  });

  it('drops segments after a corrupt one', async () => {
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger });
    const log = await mgr.create('t', 0, { segmentBytes: 300 });
    for (let i = 0; i < 20; i++) log.append(batch({ value: `v${i}` }));
    const segs = fs
      .readdirSync(path.join(dir, 't-0'))
      .filter((f) => f.endsWith('.log'))
      .sort();
    expect(segs.length).toBeGreaterThan(3);
    mgr.abandon();
    // Corrupt the last byte of the second segment, and make recovery start before it.
    const second = path.join(dir, 't-0', segs[1]!);
    const bytes = fs.readFileSync(second);
    bytes[bytes.length - 1]! ^= 0xff;
    fs.writeFileSync(second, bytes);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 't-0', 'partition.meta'), 'utf8'));
    meta.recoveryPoint = '0';
    fs.writeFileSync(path.join(dir, 't-0', 'partition.meta'), JSON.stringify(meta));
    const mgr2 = await LogManager.open({ dataDir: dir, logger: silentLogger });
    const log2 = mgr2.get('t', 0)!;
    expect(log2.segmentCount).toBe(2);
    const vals = records(log2.read(0n, 1 << 20)).map((r) => r.value);
    expect(vals.length).toBe(Number(log2.logEndOffset));
    expect(vals).toEqual(Array.from({ length: vals.length }, (_, i) => `v${i}-0`));
    expect(log2.append(batch()).baseOffset).toBe(log2.logEndOffset - 1n);
    await mgr2.close();
  });

  it('rebuilds missing or damaged indexes', async () => {
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger });
    const log = await mgr.create('t', 0, { segmentBytes: 2000, indexIntervalBytes: 64 });
    for (let i = 0; i < 60; i++) log.append(batch({ count: 2, timestamps: [100 + i, 100 + i] }));
    await mgr.close();
    const pdir = path.join(dir, 't-0');
    const idx = fs
      .readdirSync(pdir)
      .filter((f) => f.endsWith('.index'))
      .sort();
    expect(idx.length).toBeGreaterThan(2);
    fs.rmSync(path.join(pdir, idx[0]!));
    fs.writeFileSync(path.join(pdir, idx[1]!), Buffer.from([1, 2, 3, 4, 5])); // torn entry
    const tidx = idx[2]!.replace('.index', '.timeindex');
    const t = fs.readFileSync(path.join(pdir, tidx));
    t.writeBigInt64BE(0n, t.length - 12); // timestamps going backwards
    fs.writeFileSync(path.join(pdir, tidx), t);
    const mgr2 = await LogManager.open({ dataDir: dir, logger: silentLogger });
    expect(mgr2.recoveredCleanly).toBe(true);
    const log2 = mgr2.get('t', 0)!;
    for (let o = 0n; o < 120n; o++) {
      expect(records(log2.read(o, 1))[0]!.offset).toBe(o - (o % 2n));
    }
    for (let i = 0; i < 60; i++) expect(log2.offsetForTimestamp(BigInt(100 + i))?.offset).toBe(BigInt(2 * i));
    await mgr2.close();
    expect(fs.existsSync(path.join(pdir, idx[0]!))).toBe(true);
  });

  it('opens fast after a clean shutdown and keeps state', async () => {
    const mgr = await LogManager.open({ dataDir: dir, logger: silentLogger });
    const log = await mgr.create('t', 0, { segmentBytes: 500, retentionMs: 1234 });
    for (let i = 0; i < 10; i++) log.append(batch({ count: 3, timestamps: [10, 20, 30 + i] }));
    await log.deleteRecordsBefore(4n);
    await mgr.close();
    expect(fs.existsSync(path.join(dir, CLEAN_SHUTDOWN_MARKER))).toBe(true);
    const mgr2 = await LogManager.open({ dataDir: dir, logger: silentLogger });
    expect(mgr2.recoveredCleanly).toBe(true);
    expect(fs.existsSync(path.join(dir, CLEAN_SHUTDOWN_MARKER))).toBe(false);
    const log2 = mgr2.get('t', 0)!;
    expect(log2.config.retentionMs).toBe(1234);
    expect(log2.config.segmentBytes).toBe(500);
    expect([log2.logStartOffset, log2.logEndOffset]).toEqual([4n, 30n]);
    expect(log2.offsetForTimestamp(-3n)).toEqual({ offset: 29n, timestamp: 39n });
    expect(log2.append(batch()).baseOffset).toBe(30n);
    expect(batchBases(log2.read(27n, 1 << 20))).toEqual([27n, 30n]);
    await mgr2.close();
  });

  it('rebuilds idempotent producer state after a crash and after a clean restart', async () => {
    for (const clean of [false, true]) {
      const d = path.join(dir, clean ? 'clean' : 'crash');
      const mgr = await LogManager.open({ dataDir: d, logger: silentLogger });
      const log = await mgr.create('t', 0, { segmentBytes: 400 });
      for (let s = 0; s < 10; s++)
        log.append(batch({ producerId: 7n, producerEpoch: 1, baseSequence: s * 2, count: 2 }));
      expect(log.segmentCount).toBeGreaterThan(2);
      await log.settle();
      if (clean) await mgr.close();
      else mgr.abandon();
      const mgr2 = await LogManager.open({ dataDir: d, logger: silentLogger });
      const log2 = mgr2.get('t', 0)!;
      expect(log2.producerState(7n)?.lastSequence).toBe(19);
      let dup: unknown;
      try {
        log2.append(batch({ producerId: 7n, producerEpoch: 1, baseSequence: 16, count: 2 }));
      } catch (e) {
        dup = e;
      }
      expect(dup).toBeInstanceOf(DuplicateSequenceError);
      expect((dup as DuplicateSequenceError).baseOffset).toBe(16n);
      expect(() => log2.append(batch({ producerId: 7n, producerEpoch: 1, baseSequence: 30 }))).toThrow(
        OutOfOrderSequenceError,
      );
      expect(log2.append(batch({ producerId: 7n, producerEpoch: 1, baseSequence: 20 })).baseOffset).toBe(20n);
      await mgr2.close();
    }
  });
});
