import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import {
  CompressionType,
  InvalidRecordBatchError,
  iterateBatches,
  RecordBatchView,
  scanBatches,
  validateBatch,
} from '../src/records/record-batch.js';

const require = createRequire(import.meta.url);
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const Long = require('kafkajs/src/utils/long.js');

async function kafkajsBatch(firstOffset: number, n: number): Promise<Buffer> {
  const records = Array.from({ length: n }, (_, i) =>
    Record({ offsetDelta: i, timestampDelta: i, key: Buffer.from(`k${i}`), value: Buffer.from(`value-${i}`) }),
  );
  const enc = await RecordBatch({
    firstOffset: Long.fromNumber(firstOffset),
    firstTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_000 + n - 1,
    lastOffsetDelta: n - 1,
    producerId: Long.fromNumber(42),
    producerEpoch: 3,
    firstSequence: 7,
    records,
  });
  return enc.buffer as Buffer;
}

describe('RecordBatchView', () => {
  test('reads header fields of a kafkajs-built batch', async () => {
    const buf = await kafkajsBatch(100, 3);
    const v = new RecordBatchView(buf);
    expect(v.baseOffset).toBe(100n);
    expect(v.sizeInBytes).toBe(buf.length);
    expect(v.magic).toBe(2);
    expect(v.compression).toBe(CompressionType.None);
    expect(v.timestampType).toBe(0);
    expect(v.isTransactional).toBe(false);
    expect(v.isControl).toBe(false);
    expect(v.lastOffsetDelta).toBe(2);
    expect(v.lastOffset).toBe(102n);
    expect(v.baseTimestamp).toBe(1_700_000_000_000n);
    expect(v.maxTimestamp).toBe(1_700_000_000_002n);
    expect(v.producerId).toBe(42n);
    expect(v.producerEpoch).toBe(3);
    expect(v.baseSequence).toBe(7);
    expect(v.lastSequence).toBe(9);
    expect(v.recordCount).toBe(3);
    expect(v.verifyCrc()).toBe(true);
    expect(() => validateBatch(v)).not.toThrow();
  });

  test('setBaseOffset / setPartitionLeaderEpoch keep the CRC valid', async () => {
    const buf = await kafkajsBatch(0, 2);
    const v = new RecordBatchView(buf);
    v.setBaseOffset(123_456_789_012n);
    v.setPartitionLeaderEpoch(17);
    expect(v.baseOffset).toBe(123_456_789_012n);
    expect(v.partitionLeaderEpoch).toBe(17);
    expect(v.verifyCrc()).toBe(true);
  });

  test('setMaxTimestampAndLogAppendTime sets the type bit and recomputes the CRC', async () => {
    const buf = await kafkajsBatch(0, 2);
    const v = new RecordBatchView(buf);
    v.setMaxTimestampAndLogAppendTime(1_800_000_000_000n);
    expect(v.timestampType).toBe(1);
    expect(v.maxTimestamp).toBe(1_800_000_000_000n);
    expect(v.verifyCrc()).toBe(true);
  });

  test('a flipped payload bit fails the CRC', async () => {
    const buf = await kafkajsBatch(0, 2);
    for (const pos of [21, 30, 61, buf.length - 1]) {
      const copy = Buffer.from(buf);
      copy[pos]! ^= 0x10;
      const v = new RecordBatchView(copy);
      expect(v.verifyCrc()).toBe(false);
      expect(() => validateBatch(v)).toThrowError(InvalidRecordBatchError);
      try {
        validateBatch(v);
      } catch (e) {
        expect((e as InvalidRecordBatchError).reason).toBe('crc');
      }
    }
  });

  test('validateBatch rejects inconsistent counts and bad magic', async () => {
    const buf = await kafkajsBatch(0, 3);
    const badCount = Buffer.from(buf);
    badCount.writeInt32BE(2, 57);
    const v = new RecordBatchView(badCount);
    v.writeCrc();
    expect(() => validateBatch(v)).toThrow(expect.objectContaining({ reason: 'count' }));
    expect(() => validateBatch(v, { allowCompacted: true })).not.toThrow();
    const badMagic = Buffer.from(buf);
    badMagic.writeInt8(1, 16);
    expect(() => validateBatch(new RecordBatchView(badMagic))).toThrow(expect.objectContaining({ reason: 'magic' }));
  });
});

describe('iterateBatches / scanBatches', () => {
  test('splits a concatenated blob', async () => {
    const parts = [await kafkajsBatch(0, 1), await kafkajsBatch(1, 5), await kafkajsBatch(6, 2)];
    const blob = Buffer.concat(parts);
    const offsets = [...iterateBatches(blob)].map((v) => v.baseOffset);
    expect(offsets).toEqual([0n, 1n, 6n]);
    const res = scanBatches(blob);
    expect(res).toEqual({ validBytes: blob.length, batches: 3, stop: 'end' });
  });

  test('a blob cut at every byte reports exactly the complete prefix', async () => {
    const parts = [await kafkajsBatch(0, 1), await kafkajsBatch(1, 4), await kafkajsBatch(5, 2)];
    const blob = Buffer.concat(parts);
    const ends: number[] = [];
    let acc = 0;
    for (const p of parts) {
      acc += p.length;
      ends.push(acc);
    }
    for (let cut = 0; cut <= blob.length; cut++) {
      const expected = [0, ...ends].filter((e) => e <= cut).pop()!;
      const seen: bigint[] = [];
      const res = scanBatches(blob.subarray(0, cut), (v) => seen.push(v.baseOffset));
      expect(res.validBytes).toBe(expected);
      expect(res.stop).toBe(cut === expected ? 'end' : 'truncated');
      expect(seen.length).toBe(res.batches);
      expect([...iterateBatches(blob.subarray(0, cut))].length).toBe(res.batches);
    }
  });

  test('reports corruption reasons', async () => {
    const a = await kafkajsBatch(0, 1);
    const b = await kafkajsBatch(1, 1);
    const badCrc = Buffer.concat([a, b]);
    badCrc[a.length + 70]! ^= 1;
    expect(scanBatches(badCrc)).toEqual({ validBytes: a.length, batches: 1, stop: 'bad-crc' });
    const badLen = Buffer.concat([a, b]);
    badLen.writeInt32BE(10, a.length + 8);
    expect(scanBatches(badLen).stop).toBe('bad-length');
    expect(() => [...iterateBatches(badLen)]).toThrow(InvalidRecordBatchError);
    const badMagic = Buffer.concat([a, b]);
    badMagic.writeInt8(1, a.length + 16);
    expect(scanBatches(badMagic)).toEqual({ validBytes: a.length, batches: 1, stop: 'bad-magic' });
    expect(scanBatches(Buffer.alloc(100)).stop).toBe('bad-length');
  });
});
