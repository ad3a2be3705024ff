import { createRequire } from 'node:module';
import { beforeAll, describe, expect, test } from 'vitest';
import { crc32 } from '../src/crc.js';
import {
  buildControlBatch,
  buildRecordBatch,
  CompressionType,
  compress,
  convertBatchesToLegacy,
  convertLegacyToBatch,
  decodeMessageSet,
  decodeRecords,
  decompress,
  encodeMessageSet,
  InvalidRecordBatchError,
  iterateBatches,
  type LegacyMagic,
  RecordBatchView,
  recordsMagic,
  UnsupportedDownConversionError,
  validateBatch,
  xxhash32,
} from '../src/records/index.js';

const require = createRequire(import.meta.url);
const kafkajs = require('kafkajs');
const MessageSet = require('kafkajs/src/protocol/messageSet/index.js');
const MessageSetDecoder = require('kafkajs/src/protocol/messageSet/decoder.js');
const MessageProtocol = require('kafkajs/src/protocol/message/index.js');
const Encoder = require('kafkajs/src/protocol/encoder.js');
const Decoder = require('kafkajs/src/protocol/decoder.js');

beforeAll(() => {
  for (const type of [CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
    kafkajs.CompressionCodecs[type] = () => ({
      compress: async (encoder: { buffer: Buffer }) => compress(type, encoder.buffer),
      decompress: async (buf: Buffer) => decompress(type, buf),
    });
  }
});

const LEGACY_CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4];
const TS = 1_650_000_000_000;

function msgs(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    key: i % 4 === 1 ? null : Buffer.from(`key${i}`),
    value: i % 6 === 5 ? null : Buffer.from(`value ${i} `.repeat(1 + (i % 9))),
    timestamp: TS + i * 3 - (i % 2) * 1000,
  }));
}

async function kafkajsDecode(buf: Buffer) {
  return MessageSetDecoder(new Decoder(buf), buf.length);
}

describe('legacy message sets: Brook round trip', () => {
  for (const magic of [0, 1] as const) {
    for (const codec of LEGACY_CODECS) {
      test(`magic ${magic} codec ${codec}`, async () => {
        const input = msgs(50);
        const buf = encodeMessageSet(input, { magic, compression: codec, baseOffset: 1000n });
        expect(recordsMagic(buf)).toBe(magic);
        const out = decodeMessageSet(buf);
        expect(out.length).toBe(50);
        out.forEach((m, i) => {
          expect(m.offset).toBe(1000n + BigInt(i));
          expect(m.magic).toBe(magic);
          expect(m.key).toEqual(input[i]!.key);
          expect(m.value).toEqual(input[i]!.value);
          expect(m.timestamp).toBe(magic === 0 ? -1n : BigInt(input[i]!.timestamp));
        });
        // kafkajs reads what we write (including the v0 LZ4 broken header checksum via our codec).
        const theirs = await kafkajsDecode(buf);
        expect(theirs.length).toBe(50);
        theirs.forEach((m: Record<string, unknown>, i: number) => {
          expect(m.offset).toBe(String(1000 + i));
          expect(m.key).toEqual(input[i]!.key);
          expect(m.value).toEqual(input[i]!.value);
          if (magic === 1) expect(m.timestamp).toBe(String(input[i]!.timestamp));
        });
      });
    }
  }
  test('v0 LZ4 wrapper uses the legacy broken header checksum; v1 the correct one', () => {
    const v0 = encodeMessageSet(msgs(3), { magic: 0, compression: CompressionType.Lz4 });
    const v1 = encodeMessageSet(msgs(3), { magic: 1, compression: CompressionType.Lz4 });
    const wrappedValue = (b: Buffer, magic: number) => b.subarray(12 + (magic === 1 ? 22 : 14));
    const lz0 = wrappedValue(v0, 0);
    const lz1 = wrappedValue(v1, 1);
    expect(lz0.readUInt32LE(0)).toBe(0x184d2204);
    expect(lz1.readUInt32LE(0)).toBe(0x184d2204);
    // Header checksum byte (no content size / dict id => at 6): broken variant hashes the magic too.
    expect(lz1[6]).toBe((xxhash32(lz1, 4, 6) >>> 8) & 0xff);
    expect(lz0[6]).toBe((xxhash32(lz0, 0, 6) >>> 8) & 0xff);
    expect(decodeMessageSet(v0).length).toBe(3);
  });
});

describe('kafkajs-encoded legacy message sets decode with Brook', () => {
  for (const magic of [0, 1] as const) {
    test(`magic ${magic} uncompressed and gzip wrapper`, async () => {
      const input = msgs(20);
      const entries = input.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp }));
      const plain: Buffer = MessageSet({ messageVersion: magic, compression: 0, entries }).buffer;
      // kafkajs writes offset -1 for uncompressed producer messages; the broker assigns real ones.
      const decodedPlain = decodeMessageSet(plain);
      expect(decodedPlain.map((m) => m.value)).toEqual(input.map((m) => m.value));
      expect(decodedPlain.every((m) => m.offset === -1n)).toBe(true);
      // Placeholder offsets: the produce path reassigns them.
      expect(() => convertLegacyToBatch(plain)).toThrow(InvalidRecordBatchError);
      const up = new RecordBatchView(convertLegacyToBatch(plain, { baseOffset: 0n }));
      validateBatch(up);
      expect(decodeRecords(up).map((r) => [r.offset, r.key, r.value])).toEqual(
        input.map((m, i) => [BigInt(i), m.key, m.value]),
      );

      // Compressed: inner set with offsets 0..n-1, wrapped in one message (as kafkajs's produce does).
      const innerSet: Buffer = MessageSet({ messageVersion: magic, compression: CompressionType.Gzip, entries }).buffer;
      const wrapperMsg = MessageProtocol({ version: magic })({
        compression: CompressionType.Gzip,
        timestamp: TS,
        key: null,
        value: compress(CompressionType.Gzip, innerSet),
      });
      const wrapped: Buffer = new Encoder()
        .writeInt64(input.length - 1)
        .writeInt32(wrapperMsg.size())
        .writeEncoder(wrapperMsg).buffer;
      const decoded = decodeMessageSet(wrapped);
      expect(decoded.map((m) => m.offset)).toEqual(input.map((_, i) => BigInt(i)));
      expect(decoded.map((m) => m.key)).toEqual(input.map((m) => m.key));
      if (magic === 1) expect(decoded.map((m) => m.timestamp)).toEqual(input.map((m) => BigInt(m.timestamp)));

      const batch = new RecordBatchView(convertLegacyToBatch(wrapped));
      validateBatch(batch);
      expect(batch.compression).toBe(CompressionType.Gzip);
      expect(decodeRecords(batch).map((r) => r.value)).toEqual(input.map((m) => m.value));
    });
  }
});

describe('legacy decode edge cases', () => {
  test('v1 relative inner offsets become absolute from the wrapper offset', () => {
    const buf = encodeMessageSet(msgs(5), { magic: 1, compression: CompressionType.Gzip, baseOffset: 0n });
    buf.writeBigInt64BE(504n, 0); // broker-assigned wrapper offset = last absolute offset
    // The wrapper offset is outside the CRC, so this is still valid.
    expect(decodeMessageSet(buf).map((m) => m.offset)).toEqual([500n, 501n, 502n, 503n, 504n]);
  });
  test('LogAppendTime wrapper timestamp applies to inner messages', () => {
    const buf = encodeMessageSet(msgs(3), {
      magic: 1,
      compression: CompressionType.Snappy,
      timestampType: 1,
      timestamp: 42n,
    });
    const out = decodeMessageSet(buf);
    expect(out.map((m) => [m.timestamp, m.timestampType])).toEqual([
      [42n, 1],
      [42n, 1],
      [42n, 1],
    ]);
  });
  test('CRC corruption and bad magic are typed errors', () => {
    const buf = encodeMessageSet(msgs(2), { magic: 1 });
    const bad = Buffer.from(buf);
    bad[40]! ^= 1;
    expect(() => decodeMessageSet(bad)).toThrow(expect.objectContaining({ reason: 'crc' }));
    expect(decodeMessageSet(bad, { verifyCrc: false }).length).toBe(2);
    const badMagic = Buffer.from(buf);
    badMagic.writeInt8(7, 16);
    expect(() => decodeMessageSet(badMagic)).toThrow(expect.objectContaining({ reason: 'magic' }));
  });
  test('a partial trailing message is ignored, at every cut', () => {
    const buf = encodeMessageSet(msgs(4), { magic: 0 });
    const full = decodeMessageSet(buf);
    for (let cut = 0; cut <= buf.length; cut++) {
      const got = decodeMessageSet(buf.subarray(0, cut));
      expect(full.slice(0, got.length)).toEqual(got);
    }
  });
  test('corrupt compressed wrapper is a typed error', () => {
    const buf = encodeMessageSet(msgs(4), { magic: 1, compression: CompressionType.Gzip });
    const cut = Buffer.from(buf);
    cut[cut.length - 6]! ^= 0xff; // inside the gzip trailer (CRC/ISIZE)
    // Fix the message CRC so only the compressed payload is bad.
    cut.writeUInt32BE(crc32(cut, 16), 12);
    expect(() => decodeMessageSet(cut)).toThrow(expect.objectContaining({ name: 'CompressionError' }));
  });
  test('zstd is rejected for legacy encoding', () => {
    expect(() => encodeMessageSet(msgs(1), { magic: 1, compression: CompressionType.Zstd })).toThrow(
      InvalidRecordBatchError,
    );
  });
});

describe('conversion between legacy and v2', () => {
  for (const magic of [0, 1] as LegacyMagic[]) {
    for (const codec of LEGACY_CODECS) {
      test(`magic ${magic} codec ${codec}: legacy -> v2 -> legacy`, () => {
        const input = msgs(30);
        const legacy = encodeMessageSet(input, { magic, compression: codec, baseOffset: 77n });
        const batchBuf = convertLegacyToBatch(legacy);
        const view = new RecordBatchView(batchBuf);
        validateBatch(view);
        expect(view.compression).toBe(codec);
        expect(view.baseOffset).toBe(77n);
        const recs = decodeRecords(view);
        recs.forEach((r, i) => {
          expect(r.offset).toBe(77n + BigInt(i));
          expect(r.key).toEqual(input[i]!.key);
          expect(r.value).toEqual(input[i]!.value);
          expect(r.timestamp).toBe(magic === 0 ? -1n : BigInt(input[i]!.timestamp));
          expect(r.headers).toEqual([]);
        });
        const back = decodeMessageSet(convertBatchesToLegacy(batchBuf, magic));
        expect(back).toEqual(decodeMessageSet(legacy));
      });
    }
  }

  test('v2 batches down-convert with offsets/keys/values/timestamps; control batches dropped', () => {
    const a = buildRecordBatch({
      baseOffset: 10n,
      records: [
        { key: 'a', value: '1', timestamp: 100, headers: [{ key: 'dropped', value: 'x' }] },
        { key: 'b', value: '2', timestamp: 99 },
      ],
    });
    const ctrl = buildControlBatch('commit', 1n, 0, 0, 5, { baseOffset: 12n });
    const b = buildRecordBatch({
      baseOffset: 13n,
      records: [
        { key: null, value: '3', timestamp: 200 },
        { value: '4', timestamp: 201 },
      ],
      compression: CompressionType.Lz4,
    });
    const blob = Buffer.concat([a, ctrl, b, b.subarray(0, 30)]); // partial tail ignored
    for (const magic of [0, 1] as const) {
      const out = decodeMessageSet(convertBatchesToLegacy(blob, magic));
      expect(out.map((m) => m.offset)).toEqual([10n, 11n, 13n, 14n]);
      expect(out.map((m) => m.value?.toString())).toEqual(['1', '2', '3', '4']);
      expect(out.map((m) => m.key?.toString() ?? null)).toEqual(['a', 'b', null, null]);
      expect(out.map((m) => m.timestamp)).toEqual(magic === 1 ? [100n, 99n, 200n, 201n] : [-1n, -1n, -1n, -1n]);
    }
    // And back up again: one batch per legacy wrapper is not required; offsets survive.
    const up = new RecordBatchView(convertLegacyToBatch(convertBatchesToLegacy(a, 1)));
    expect(decodeRecords(up).map((r) => [r.offset, r.timestamp])).toEqual([
      [10n, 100n],
      [11n, 99n],
    ]);
  });

  test('LogAppendTime batches keep their timestamp type in v1', () => {
    const buf = buildRecordBatch({ records: [{ value: 'x' }, { value: 'y' }], timestampType: 1, timestamp: 5555n });
    for (const codec of [CompressionType.None, CompressionType.Gzip]) {
      const src =
        codec === CompressionType.None
          ? buf
          : buildRecordBatch({
              records: [{ value: 'x' }, { value: 'y' }],
              timestampType: 1,
              timestamp: 5555n,
              compression: codec,
            });
      const out = decodeMessageSet(convertBatchesToLegacy(src, 1));
      expect(out.map((m) => [m.timestamp, m.timestampType])).toEqual([
        [5555n, 1],
        [5555n, 1],
      ]);
    }
  });

  test('zstd cannot be down-converted', () => {
    const buf = buildRecordBatch({ records: [{ value: 'x' }], compression: CompressionType.Zstd });
    expect(() => convertBatchesToLegacy(buf, 1)).toThrow(UnsupportedDownConversionError);
    expect([...iterateBatches(buf)].length).toBe(1);
  });
});
