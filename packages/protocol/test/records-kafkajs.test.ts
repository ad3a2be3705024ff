// Interop with kafkajs's own v2 record batch encoder/decoder, for every codec. kafkajs ships only
// gzip; snappy/lz4/zstd are registered here as kafkajs codecs backed by Brook's implementations.
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  buildRecordBatch,
  CompressionType,
  compress,
  type DecodedRecord,
  decodeRecords,
  decompress,
  iterateBatches,
  RecordBatchView,
  summarizeRecords,
  validateBatch,
} from '../src/records/index.js';

const require = createRequire(import.meta.url);
const kafkajs = require('kafkajs');
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const Decoder = require('kafkajs/src/protocol/decoder.js');
const Long = require('kafkajs/src/utils/long.js');

const CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
] as const;

beforeAll(() => {
  for (const type of [CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
    kafkajs.CompressionCodecs[type] = () => ({
      compress: async (encoder: { buffer: Buffer }) => compress(type, encoder.buffer),
      decompress: async (buf: Buffer) => decompress(type, buf),
    });
  }
});

interface Msg {
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer }[];
  timestamp: number;
}

const BASE_TS = 1_700_000_000_000;

function messages(n: number): Msg[] {
  return Array.from({ length: n }, (_, i) => ({
    key: i % 5 === 3 ? null : Buffer.from(`key-${i}`),
    value: i % 7 === 6 ? null : Buffer.from(`value-${i}-`.repeat(1 + (i % 13))),
    headers:
      i % 3 === 0
        ? []
        : [
            { key: 'h1', value: Buffer.from(`hv-${i}`) },
            { key: 'ünicode-ключ', value: Buffer.from([0, 1, 2, i & 0xff]) },
          ],
    // Non-monotonic timestamps, including one far in the past.
    timestamp: BASE_TS + ((i * 7919) % 5000) - (i === 4 ? 10_000_000_000 : 0),
  }));
}

async function kafkajsEncode(msgs: Msg[], compression: number, firstOffset: bigint): Promise<Buffer> {
  const firstTs = msgs[0]!.timestamp;
  const records = msgs.map((m, i) =>
    Record({
      offsetDelta: i,
      timestampDelta: m.timestamp - firstTs,
      key: m.key,
      value: m.value,
      headers: Object.fromEntries(m.headers.map((h) => [h.key, h.value])),
    }),
  );
  const enc = await RecordBatch({
    compression,
    firstOffset: Long.fromString(firstOffset.toString()),
    firstTimestamp: firstTs,
    maxTimestamp: Math.max(...msgs.map((m) => m.timestamp)),
    lastOffsetDelta: msgs.length - 1,
    producerId: Long.fromNumber(1234),
    producerEpoch: 5,
    firstSequence: 99,
    partitionLeaderEpoch: 3,
    records,
  });
  return enc.buffer as Buffer;
}

function expectRecords(decoded: DecodedRecord[], msgs: Msg[], firstOffset: bigint): void {
  expect(decoded.length).toBe(msgs.length);
  decoded.forEach((r, i) => {
    const m = msgs[i]!;
    expect(r.offset).toBe(firstOffset + BigInt(i));
    expect(r.timestamp).toBe(BigInt(m.timestamp));
    expect(r.key).toEqual(m.key);
    expect(r.value === null ? null : Buffer.from(r.value)).toEqual(m.value);
    expect(r.headers.map((h) => [h.key, h.value && Buffer.from(h.value)])).toEqual(
      m.headers.map((h) => [h.key, h.value]),
    );
  });
}

describe('kafkajs-built batches decode with Brook', () => {
  for (const codec of CODECS) {
    test(`codec ${codec}`, async () => {
      const msgs = messages(200);
      const buf = await kafkajsEncode(msgs, codec, 5_000_000_000n);
      const [view, ...rest] = [...iterateBatches(buf)];
      expect(rest.length).toBe(0);
      expect(view!.compression).toBe(codec);
      validateBatch(view!);
      expect(view!.producerId).toBe(1234n);
      expect(view!.producerEpoch).toBe(5);
      expect(view!.baseSequence).toBe(99);
      expect(view!.partitionLeaderEpoch).toBe(3);
      expectRecords(decodeRecords(view!), msgs, 5_000_000_000n);
      const summary = summarizeRecords(view!);
      expect(summary.count).toBe(200);
      expect(summary.maxTimestamp).toBe(BigInt(Math.max(...msgs.map((m) => m.timestamp))));
      expect(summary.nullKeys).toBe(msgs.filter((m) => m.key === null).length);
    });
  }
});

describe('Brook-built batches decode with kafkajs', () => {
  for (const codec of CODECS) {
    test(`codec ${codec}`, async () => {
      const msgs = messages(200);
      const buf = buildRecordBatch({
        baseOffset: 42n,
        records: msgs.map((m) => ({ key: m.key, value: m.value, headers: m.headers, timestamp: m.timestamp })),
        compression: codec,
        producerId: 77n,
        producerEpoch: 2,
        baseSequence: 10,
        isTransactional: true,
        partitionLeaderEpoch: 9,
      });
      const view = new RecordBatchView(buf);
      validateBatch(view);
      expect(view.sizeInBytes).toBe(buf.length);
      expect(view.maxTimestamp).toBe(BigInt(Math.max(...msgs.map((m) => m.timestamp))));
      expectRecords(decodeRecords(view), msgs, 42n);

      const batch = await decodeKafkajsBatch(new Decoder(buf));
      expect(batch.inTransaction).toBe(true);
      expect(batch.producerId).toBe('77');
      expect(batch.partitionLeaderEpoch).toBe(9);
      expect(batch.records.length).toBe(200);
      batch.records.forEach((r: Record<string, unknown>, i: number) => {
        const m = msgs[i]!;
        expect(r.offset).toBe(String(42 + i));
        expect(r.timestamp).toBe(String(m.timestamp));
        expect(r.key).toEqual(m.key);
        expect(r.value).toEqual(m.value);
        expect(r.headers).toEqual(Object.fromEntries(m.headers.map((h) => [h.key, h.value])));
      });
    });
  }
});
