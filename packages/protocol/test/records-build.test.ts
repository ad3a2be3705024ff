import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  buildControlBatch,
  buildRecordBatch,
  CompressionType,
  controlBatchType,
  decodeRecords,
  InvalidRecordBatchError,
  parseControlRecordKey,
  parseEndTxnMarkerValue,
  RecordBatchView,
  summarizeRecords,
  validateBatch,
} from '../src/records/index.js';
import { sizeOfVarint, VarintReader, writeVarint, writeVarlongBig } from '../src/records/varint.js';

describe('varints', () => {
  test('round trip across int32 and large varlong ranges', () => {
    const values = [0, 1, -1, 63, -64, 64, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, -(2 ** 40), 2 ** 52 - 1, -(2 ** 52) + 1];
    const buf = Buffer.alloc(200);
    let pos = 0;
    for (const v of values) {
      const before = pos;
      pos = writeVarint(buf, pos, v);
      expect(pos - before).toBe(sizeOfVarint(v));
    }
    const r = new VarintReader(buf, 0, pos);
    for (const v of values) expect(r.readVarlong()).toBe(v);
    expect(r.pos).toBe(pos);
  });
  test('64-bit varlongs are exact', () => {
    const values = [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n, -(2n ** 53n) - 5n];
    const buf = Buffer.alloc(100);
    let pos = 0;
    for (const v of values) pos = writeVarlongBig(buf, pos, v);
    const r = new VarintReader(buf, 0, pos);
    for (const v of values) expect(r.readVarlong()).toBe(v);
    const small = Buffer.alloc(10);
    const end = writeVarlongBig(small, 0, 5n);
    expect(new VarintReader(small, 0, end).readVarlong()).toBe(5);
  });
  test('truncated varint throws a typed error', () => {
    const r = new VarintReader(Buffer.from([0xff, 0xff]), 0, 2);
    expect(() => r.readVarint()).toThrow(InvalidRecordBatchError);
  });
});

describe('buildRecordBatch', () => {
  test('property: random records round trip for every codec', () => {
    const rec = fc.record({
      key: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
      value: fc.option(fc.uint8Array({ maxLength: 200 }), { nil: null }),
      headers: fc.array(
        fc.record({
          key: fc.string({ maxLength: 10 }),
          value: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
        }),
        { maxLength: 3 },
      ),
      timestamp: fc.oneof(
        fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }),
        fc.bigInt({ min: 1_600_000_000_000n, max: 1_800_000_000_000n }),
      ),
    });
    fc.assert(
      fc.property(
        fc.array(rec, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(0, 1, 2, 3, 4),
        fc.bigInt({ min: 0n, max: 2n ** 62n }),
        (records, codec, baseOffset) => {
          const buf = buildRecordBatch({ baseOffset, records, compression: codec as CompressionType });
          const view = new RecordBatchView(buf);
          validateBatch(view);
          const decoded = decodeRecords(view);
          expect(decoded.length).toBe(records.length);
          decoded.forEach((d, i) => {
            const r = records[i]!;
            expect(d.offset).toBe(baseOffset + BigInt(i));
            expect(d.timestamp).toBe(r.timestamp);
            expect(d.key === null ? null : new Uint8Array(d.key)).toEqual(r.key);
            expect(d.value === null ? null : new Uint8Array(d.value)).toEqual(r.value);
            expect(d.headers.map((h) => ({ key: h.key, value: h.value && new Uint8Array(h.value) }))).toEqual(
              r.headers,
            );
          });
          let max = records[0]!.timestamp;
          for (const r of records) if (r.timestamp > max) max = r.timestamp;
          expect(view.maxTimestamp).toBe(max);
          expect(summarizeRecords(view).maxTimestamp).toBe(max);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('string keys/values and defaults', () => {
    const buf = buildRecordBatch({ records: [{ key: 'k', value: 'välue' }, {}], timestamp: 1000 });
    const v = new RecordBatchView(buf);
    expect(v.producerId).toBe(-1n);
    expect(v.producerEpoch).toBe(-1);
    expect(v.baseSequence).toBe(-1);
    expect(v.partitionLeaderEpoch).toBe(-1);
    expect(v.baseTimestamp).toBe(1000n);
    const [a, b] = decodeRecords(v);
    expect(a!.key!.toString()).toBe('k');
    expect(a!.value!.toString()).toBe('välue');
    expect(b!.key).toBeNull();
    expect(b!.value).toBeNull();
    expect(b!.timestamp).toBe(1000n);
  });

  test('LogAppendTime: every record reports the batch maxTimestamp', () => {
    const buf = buildRecordBatch({
      records: [
        { value: 'a', timestamp: 5 },
        { value: 'b', timestamp: 6 },
      ],
      timestampType: 1,
      timestamp: 777n,
    });
    const v = new RecordBatchView(buf);
    expect(v.timestampType).toBe(1);
    expect(v.maxTimestamp).toBe(777n);
    expect(decodeRecords(v).map((r) => r.timestamp)).toEqual([777n, 777n]);
    // Stamping a new LogAppendTime later changes what readers see.
    v.setMaxTimestampAndLogAppendTime(999n);
    expect(v.verifyCrc()).toBe(true);
    expect(decodeRecords(v).map((r) => r.timestamp)).toEqual([999n, 999n]);
  });

  test('explicit offset deltas (compacted batch)', () => {
    const buf = buildRecordBatch({
      baseOffset: 100n,
      records: [
        { value: 'a', offsetDelta: 0 },
        { value: 'b', offsetDelta: 5 },
      ],
    });
    const v = new RecordBatchView(buf);
    expect(v.lastOffsetDelta).toBe(5);
    expect(v.lastOffset).toBe(105n);
    expect(decodeRecords(v).map((r) => r.offset)).toEqual([100n, 105n]);
    expect(() => validateBatch(v)).toThrow(expect.objectContaining({ reason: 'count' }));
    expect(() => validateBatch(v, { allowCompacted: true })).not.toThrow();
  });

  test('empty batch (all records compacted away)', () => {
    const buf = buildRecordBatch({ records: [], lastOffsetDelta: 9, producerId: 5n, producerEpoch: 1 });
    const v = new RecordBatchView(buf);
    expect(v.sizeInBytes).toBe(61);
    expect(v.recordCount).toBe(0);
    expect(v.lastOffsetDelta).toBe(9);
    expect(v.verifyCrc()).toBe(true);
    expect(decodeRecords(v)).toEqual([]);
  });

  test('declared count mismatch and trailing bytes are rejected', () => {
    const buf = buildRecordBatch({ records: [{ value: 'a' }, { value: 'b' }], timestamp: 0 });
    const fewer = Buffer.from(buf);
    fewer.writeInt32BE(1, 57);
    expect(() => decodeRecords(new RecordBatchView(fewer))).toThrow(expect.objectContaining({ reason: 'count' }));
    const more = Buffer.from(buf);
    more.writeInt32BE(3, 57);
    expect(() => decodeRecords(new RecordBatchView(more))).toThrow(InvalidRecordBatchError);
    const huge = Buffer.from(buf);
    huge.writeInt32BE(0x7fffffff, 57);
    expect(() => decodeRecords(new RecordBatchView(huge))).toThrow(InvalidRecordBatchError);
  });

  test('corrupt record bytes never read out of bounds', () => {
    const buf = buildRecordBatch({
      records: Array.from({ length: 5 }, (_, i) => ({
        key: `k${i}`,
        value: `v${i}`,
        headers: [{ key: 'h', value: 'x' }],
      })),
      timestamp: 0,
    });
    for (let pos = 61; pos < buf.length; pos++) {
      for (const x of [0x01, 0x80, 0xff]) {
        const copy = Buffer.from(buf);
        copy[pos]! ^= x;
        try {
          decodeRecords(new RecordBatchView(copy));
          summarizeRecords(new RecordBatchView(copy));
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidRecordBatchError);
        }
      }
    }
  });

  test('corrupt compressed payload raises a typed error', () => {
    const buf = buildRecordBatch({ records: [{ value: 'x'.repeat(1000) }], compression: CompressionType.Zstd });
    const copy = Buffer.from(buf.subarray(0, buf.length - 4));
    copy.writeInt32BE(copy.length - 12, 8);
    expect(() => decodeRecords(new RecordBatchView(copy))).toThrow(
      expect.objectContaining({ name: 'CompressionError' }),
    );
  });
});

describe('control batches', () => {
  test('commit and abort markers', () => {
    for (const type of ['commit', 'abort'] as const) {
      const buf = buildControlBatch(type, 4242n, 7, 13, 1_700_000_000_000n, {
        baseOffset: 50n,
        partitionLeaderEpoch: 2,
      });
      const v = new RecordBatchView(buf);
      validateBatch(v);
      expect(v.isControl).toBe(true);
      expect(v.isTransactional).toBe(true);
      expect(v.producerId).toBe(4242n);
      expect(v.producerEpoch).toBe(7);
      expect(v.baseSequence).toBe(-1);
      expect(v.baseOffset).toBe(50n);
      expect(controlBatchType(v)).toBe(type);
      const [rec] = decodeRecords(v);
      expect(parseControlRecordKey(rec!.key)).toEqual({ version: 0, type: type === 'commit' ? 1 : 0 });
      expect(parseEndTxnMarkerValue(rec!.value)).toEqual({ version: 0, coordinatorEpoch: 13 });
      expect(rec!.timestamp).toBe(1_700_000_000_000n);
    }
  });
  test('non-control batch', () => {
    expect(controlBatchType(new RecordBatchView(buildRecordBatch({ records: [{ value: 'a' }] })))).toBeNull();
  });
});
