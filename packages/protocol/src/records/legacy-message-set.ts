// Legacy message sets (magic v0 / v1), used by pre-0.11 clients.
//
// MessageSet := (offset int64 | size int32 | Message)*
// Message v0 := crc uint32 | magic int8 | attributes int8 | key bytes | value bytes
// Message v1 := crc uint32 | magic int8 | attributes int8 | timestamp int64 | key bytes | value bytes
// bytes := int32 length (-1 = null) + data. CRC-32 (IEEE) covers magic..end.
// A compressed "wrapper" message carries a whole inner message set (compressed) as its value; its
// offset is the offset of the LAST inner message. v1 inner offsets are relative (0..n-1); v0 inner
// offsets are absolute.
import { crc32 } from '../crc.js';
import { type CompressOptions, compress, type DecompressOptions, decompress } from './compression/index.js';
import {
  CompressionType,
  InvalidRecordBatchError,
  iterateBatches,
  NO_TIMESTAMP,
  TimestampType,
} from './record-batch.js';
import { buildRecordBatch, decodeRecords, type RecordInput } from './records.js';

export const LEGACY_LOG_OVERHEAD = 12;
const CRC_LENGTH = 4;
const MAGIC_OFFSET = 4;
const ATTRIBUTES_OFFSET = 5;
/** crc + magic + attributes + key length + value length. */
export const MESSAGE_OVERHEAD_V0 = 14;
/** v0 overhead + timestamp. */
export const MESSAGE_OVERHEAD_V1 = 22;

export type LegacyMagic = 0 | 1;

export interface LegacyMessage {
  offset: bigint;
  magic: LegacyMagic;
  attributes: number;
  /** NO_TIMESTAMP (-1n) for v0. */
  timestamp: bigint;
  timestampType: TimestampType;
  key: Buffer | null;
  value: Buffer | null;
}

export interface DecodeMessageSetOptions extends DecompressOptions {
  /** Check each message's CRC-32 (default true). */
  verifyCrc?: boolean;
}

interface ShallowMessage extends LegacyMessage {
  crc: number;
}

function fail(reason: 'length' | 'magic' | 'crc' | 'records' | 'compression', msg: string): never {
  throw new InvalidRecordBatchError(reason, `legacy message set: ${msg}`);
}

function readBytes(buf: Buffer, pos: number, end: number): [Buffer | null, number] {
  if (end - pos < 4) fail('records', 'truncated length field');
  const len = buf.readInt32BE(pos);
  pos += 4;
  if (len === -1) return [null, pos];
  if (len < 0 || len > end - pos) fail('records', `bad field length ${len}`);
  return [buf.subarray(pos, pos + len), pos + len];
}

/** Parses one message body buf[pos, end) (after offset and size). */
function parseMessage(buf: Buffer, pos: number, end: number, offset: bigint, verifyCrc: boolean): ShallowMessage {
  if (end - pos < MESSAGE_OVERHEAD_V0) fail('length', `message of ${end - pos} bytes is too small`);
  const crc = buf.readUInt32BE(pos);
  const magic = buf.readInt8(pos + MAGIC_OFFSET);
  if (magic !== 0 && magic !== 1) fail('magic', `unsupported magic ${magic}`);
  if (magic === 1 && end - pos < MESSAGE_OVERHEAD_V1) fail('length', `v1 message of ${end - pos} bytes is too small`);
  if (verifyCrc && crc32(buf, pos + CRC_LENGTH, end) !== crc) fail('crc', `CRC mismatch at offset ${offset}`);
  const attributes = buf.readInt8(pos + ATTRIBUTES_OFFSET);
  let p = pos + ATTRIBUTES_OFFSET + 1;
  let timestamp = NO_TIMESTAMP;
  let timestampType: TimestampType = TimestampType.CreateTime;
  if (magic === 1) {
    timestamp = buf.readBigInt64BE(p);
    p += 8;
    if (attributes & 0x08) timestampType = TimestampType.LogAppendTime;
  }
  const [key, afterKey] = readBytes(buf, p, end);
  const [value, afterValue] = readBytes(buf, afterKey, end);
  if (afterValue !== end) fail('records', `${end - afterValue} trailing bytes in message at offset ${offset}`);
  return { offset, magic, attributes, timestamp, timestampType, key, value, crc };
}

/**
 * Shallow walk: calls `visit` for each complete top-level message; stops silently at a partial
 * trailing message (fetch responses may end mid-message). Returns bytes consumed.
 */
function walkShallow(buf: Buffer, verifyCrc: boolean, visit: (m: ShallowMessage) => void): number {
  let pos = 0;
  while (buf.length - pos >= LEGACY_LOG_OVERHEAD) {
    const offset = buf.readBigInt64BE(pos);
    const size = buf.readInt32BE(pos + 8);
    if (size < MESSAGE_OVERHEAD_V0) fail('length', `message size ${size} at offset ${offset}`);
    if (buf.length - pos - LEGACY_LOG_OVERHEAD < size) break;
    const start = pos + LEGACY_LOG_OVERHEAD;
    visit(parseMessage(buf, start, start + size, offset, verifyCrc));
    pos = start + size;
  }
  return pos;
}

/**
 * Decodes a v0/v1 message set into its logical messages, expanding compressed wrappers (with v1
 * relative inner offsets turned absolute, and LogAppendTime wrappers' timestamp applied to inner
 * messages). Zero-copy for uncompressed messages.
 */
export function decodeMessageSet(buf: Buffer, options: DecodeMessageSetOptions = {}): LegacyMessage[] {
  const verifyCrc = options.verifyCrc ?? true;
  const out: LegacyMessage[] = [];
  walkShallow(buf, verifyCrc, (wrapper) => {
    const codec = wrapper.attributes & 0x07;
    if (codec === CompressionType.None) {
      out.push(strip(wrapper));
      return;
    }
    if (codec > CompressionType.Lz4) fail('compression', `codec ${codec} not allowed for magic ${wrapper.magic}`);
    if (wrapper.value === null) fail('records', 'compressed wrapper with null value');
    const inner: ShallowMessage[] = [];
    const innerBuf = decompress(codec, wrapper.value, options);
    const consumed = walkShallow(innerBuf, verifyCrc, (m) => {
      if ((m.attributes & 0x07) !== 0) fail('compression', 'nested compressed message');
      inner.push(m);
    });
    if (consumed !== innerBuf.length) fail('records', 'truncated inner message set');
    if (inner.length === 0) return;
    if (wrapper.magic === 1) {
      const lastRelative = inner[inner.length - 1]!.offset;
      const base = wrapper.offset - lastRelative;
      const logAppend = wrapper.timestampType === TimestampType.LogAppendTime;
      for (const m of inner) {
        m.offset = base + m.offset;
        if (logAppend) {
          m.timestamp = wrapper.timestamp;
          m.timestampType = TimestampType.LogAppendTime;
        }
        out.push(strip(m));
      }
    } else {
      for (const m of inner) out.push(strip(m));
    }
  });
  return out;
}

function strip(m: ShallowMessage): LegacyMessage {
  return {
    offset: m.offset,
    magic: m.magic,
    attributes: m.attributes,
    timestamp: m.timestamp,
    timestampType: m.timestampType,
    key: m.key,
    value: m.value,
  };
}

/** Magic of the first message in a records blob: 0/1 legacy, 2 record batch, -1 if too short. */
export function recordsMagic(buf: Buffer): number {
  return buf.length > 16 ? buf.readInt8(16) : -1;
}

// ---------------------------------------------------------------------------------------------
// Encoding

export interface LegacyMessageInput {
  /** Absolute offset; defaults to baseOffset + index. */
  offset?: bigint;
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  /** v1 only; defaults to the set's `timestamp` option. */
  timestamp?: bigint | number;
}

export interface EncodeMessageSetOptions {
  magic: LegacyMagic;
  compression?: CompressionType;
  baseOffset?: bigint;
  timestampType?: TimestampType;
  /** Default timestamp for v1 messages (and the wrapper's LogAppendTime). Defaults to now. */
  timestamp?: bigint | number;
  compressOptions?: CompressOptions;
}

function toBuf(b: Buffer | string | null | undefined): Buffer | null {
  if (b === null || b === undefined) return null;
  return typeof b === 'string' ? Buffer.from(b) : b;
}

/** Writes one framed message (offset, size, message) at `pos`; returns the new position. */
function writeMessage(
  out: Buffer,
  pos: number,
  offset: bigint,
  magic: LegacyMagic,
  attributes: number,
  timestamp: bigint,
  key: Buffer | null,
  value: Buffer | null,
): number {
  const size = messageSize(magic, key, value);
  out.writeBigInt64BE(offset, pos);
  out.writeInt32BE(size, pos + 8);
  const start = pos + LEGACY_LOG_OVERHEAD;
  let p = start + MAGIC_OFFSET;
  out.writeInt8(magic, p++);
  out.writeInt8(attributes, p++);
  if (magic === 1) {
    out.writeBigInt64BE(timestamp, p);
    p += 8;
  }
  for (const field of [key, value]) {
    if (field === null) {
      out.writeInt32BE(-1, p);
      p += 4;
    } else {
      out.writeInt32BE(field.length, p);
      field.copy(out, p + 4);
      p += 4 + field.length;
    }
  }
  out.writeUInt32BE(crc32(out, start + CRC_LENGTH, p), start);
  return p;
}

function messageSize(magic: LegacyMagic, key: Buffer | null, value: Buffer | null): number {
  return (magic === 1 ? MESSAGE_OVERHEAD_V1 : MESSAGE_OVERHEAD_V0) + (key?.length ?? 0) + (value?.length ?? 0);
}

/**
 * Encodes messages as a v0/v1 message set. With compression, produces a single wrapper message
 * whose offset is the last inner offset (inner offsets relative for v1, absolute for v0), the way
 * Kafka's MemoryRecordsBuilder does.
 */
export function encodeMessageSet(messages: readonly LegacyMessageInput[], options: EncodeMessageSetOptions): Buffer {
  const { magic } = options;
  const compression = options.compression ?? CompressionType.None;
  if (compression > CompressionType.Lz4) {
    fail('compression', `codec ${compression} not supported by magic ${magic}`);
  }
  const baseOffset = options.baseOffset ?? 0n;
  const defaultTs = options.timestamp === undefined ? BigInt(Date.now()) : BigInt(options.timestamp);
  const logAppend = options.timestampType === TimestampType.LogAppendTime && magic === 1;
  const items = messages.map((m, i) => ({
    offset: m.offset ?? baseOffset + BigInt(i),
    key: toBuf(m.key),
    value: toBuf(m.value),
    timestamp: magic === 0 ? NO_TIMESTAMP : logAppend || m.timestamp === undefined ? defaultTs : BigInt(m.timestamp),
  }));
  const tsAttr = logAppend ? 0x08 : 0;
  const compressed = compression !== CompressionType.None;
  const firstOffset = items[0]?.offset ?? baseOffset;
  let total = 0;
  for (const m of items) total += LEGACY_LOG_OVERHEAD + messageSize(magic, m.key, m.value);
  const inner = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const m of items) {
    const offset = compressed && magic === 1 ? m.offset - firstOffset : m.offset;
    pos = writeMessage(inner, pos, offset, magic, compressed ? 0 : tsAttr, m.timestamp, m.key, m.value);
  }
  if (!compressed || items.length === 0) return inner;

  const value = compress(compression, inner, {
    ...options.compressOptions,
    lz4BrokenHeaderChecksum: magic === 0 && compression === CompressionType.Lz4,
  });
  let maxTs = NO_TIMESTAMP;
  for (const m of items) if (m.timestamp > maxTs) maxTs = m.timestamp;
  const wrapperTs = logAppend ? defaultTs : maxTs;
  const out = Buffer.allocUnsafe(LEGACY_LOG_OVERHEAD + messageSize(magic, null, value));
  writeMessage(out, 0, items[items.length - 1]!.offset, magic, compression | tsAttr, wrapperTs, null, value);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Conversion

export interface ConvertToBatchOptions extends DecodeMessageSetOptions {
  /** Compression of the resulting v2 batch; defaults to the codec of the first wrapper (or none). */
  compression?: CompressionType;
  partitionLeaderEpoch?: number;
  /**
   * Assign offsets baseOffset, baseOffset+1, ... instead of keeping the messages' own offsets.
   * Use this on the produce path: producers' offsets are placeholders (kafkajs writes -1 for every
   * uncompressed message) and the broker assigns real ones, as Kafka's LogValidator does.
   */
  baseOffset?: bigint;
}

/**
 * Up-converts a v0/v1 message set to a single v2 batch (old producers). Keys, values, timestamps
 * and timestamp type are preserved, and offsets too unless `baseOffset` asks for reassignment;
 * v0 messages get NO_TIMESTAMP.
 */
export function convertLegacyToBatch(messageSet: Buffer, options: ConvertToBatchOptions = {}): Buffer {
  const messages = decodeMessageSet(messageSet, options);
  if (messages.length === 0) fail('records', 'no complete messages to convert');
  let compression = options.compression;
  if (compression === undefined) {
    const firstAttr = messageSet.length > 21 ? messageSet.readInt8(LEGACY_LOG_OVERHEAD + ATTRIBUTES_OFFSET) : 0;
    compression = (firstAttr & 0x07) as CompressionType;
  }
  const first = messages[0]!;
  const reassign = options.baseOffset !== undefined;
  const baseOffset = options.baseOffset ?? first.offset;
  const records: RecordInput[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (!reassign && i > 0 && m.offset <= messages[i - 1]!.offset) {
      fail('records', 'offsets are not increasing (pass baseOffset to reassign them)');
    }
    const offsetDelta = reassign ? i : Number(m.offset - baseOffset);
    records[i] = { key: m.key, value: m.value, timestamp: m.timestamp, offsetDelta };
  }
  const logAppend = first.timestampType === TimestampType.LogAppendTime;
  return buildRecordBatch({
    baseOffset,
    records,
    compression,
    timestampType: logAppend ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    timestamp: logAppend ? first.timestamp : NO_TIMESTAMP,
    ...(options.partitionLeaderEpoch === undefined ? {} : { partitionLeaderEpoch: options.partitionLeaderEpoch }),
  });
}

/** Down-conversion cannot represent this batch (e.g. zstd for a pre-v2 fetch). */
export class UnsupportedDownConversionError extends Error {
  override readonly name = 'UnsupportedDownConversionError';
}

/**
 * Down-converts v2 batches to a v0/v1 message set for old fetch versions, like Kafka's
 * RecordsUtil.downConvert: control batches are dropped, headers are lost, each compressed batch
 * becomes one compressed wrapper, v0 drops timestamps. A partial trailing batch is ignored.
 * zstd batches throw UnsupportedDownConversionError (Kafka answers UNSUPPORTED_COMPRESSION_TYPE).
 */
export function convertBatchesToLegacy(buf: Buffer, magic: LegacyMagic, options: DecompressOptions = {}): Buffer {
  const parts: Buffer[] = [];
  for (const view of iterateBatches(buf)) {
    if (view.isControl || view.recordCount === 0) continue;
    const compression = view.compression;
    if (compression === CompressionType.Zstd) {
      throw new UnsupportedDownConversionError(`zstd batches cannot be down-converted to magic ${magic}`);
    }
    const records = decodeRecords(view, options);
    const timestampType = view.timestampType;
    const messages: LegacyMessageInput[] = records.map((r) => ({
      offset: r.offset,
      key: r.key,
      value: r.value,
      timestamp: r.timestamp,
    }));
    if (compression === CompressionType.None) {
      parts.push(encodeMessageSet(messages, { magic, timestampType, timestamp: view.maxTimestamp }));
    } else {
      parts.push(
        encodeMessageSet(messages, {
          magic,
          compression,
          timestampType,
          timestamp: view.maxTimestamp,
          baseOffset: records[0]!.offset,
        }),
      );
    }
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
