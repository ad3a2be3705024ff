// Decoding and building of v2 records inside a record batch.
//
// Record := length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
//           key (varint len, -1 = null) | value (same) | headers varint count [key string, value bytes]
import { crc32c } from '../crc.js';
import { type CompressOptions, compress, type DecompressOptions, decompress } from './compression/index.js';
import {
  ATTRIBUTES_OFFSET,
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  CompressionType,
  CRC_OFFSET,
  CURRENT_MAGIC,
  InvalidRecordBatchError,
  LOG_OVERHEAD,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  RECORD_BATCH_HEADER_SIZE,
  type RecordBatchView,
  TIMESTAMP_TYPE_MASK,
  TimestampType,
  TRANSACTIONAL_FLAG_MASK,
  validateBatch,
} from './record-batch.js';
import {
  sizeOfUnsignedVarint,
  sizeOfVarint,
  sizeOfVarlongBig,
  VarintReader,
  writeUnsignedVarint,
  writeVarint,
  writeVarlongBig,
} from './varint.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface DecodedRecord {
  offset: bigint;
  timestamp: bigint;
  /** Zero-copy slices of the batch (or of its decompressed payload). */
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  attributes: number;
}

/** The uncompressed records section of a batch (decompressing if needed). */
export function recordsSection(view: RecordBatchView, options?: DecompressOptions): Buffer {
  const payload = view.recordsPayload;
  const codec = view.attributes & COMPRESSION_CODEC_MASK;
  if (codec === CompressionType.None) return payload;
  if (codec > CompressionType.Zstd) throw new InvalidRecordBatchError('compression', `unknown codec ${codec}`);
  return decompress(codec, payload, options);
}

/**
 * Decodes every record of a batch. Checks that exactly `recordCount` well-formed records fill the
 * records section (Kafka: declared count must match; trailing bytes are an error). Does not verify
 * the CRC; use validateBatch first for untrusted input.
 */
export function decodeRecords(view: RecordBatchView, options?: DecompressOptions): DecodedRecord[] {
  const section = recordsSection(view, options);
  const count = view.recordCount;
  if (count < 0) throw new InvalidRecordBatchError('count', `negative record count ${count}`);
  // Each record is at least 7 bytes; reject absurd counts before allocating the result array.
  if (count > section.length / 7 + 1) throw new InvalidRecordBatchError('count', `record count ${count} too large`);
  const baseOffset = view.baseOffset;
  const baseTimestamp = view.baseTimestamp;
  const logAppend = view.timestampType === TimestampType.LogAppendTime;
  const maxTimestamp = logAppend ? view.maxTimestamp : 0n;
  const r: VarintReader = new VarintReader(section, 0, section.length);
  const out: DecodedRecord[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const length = r.readVarint();
    const start = r.pos;
    if (length < 0 || length > r.end - start) r.fail(`record length ${length}`);
    const recordEnd = start + length;
    const outerEnd = r.end;
    r.end = recordEnd;
    const attributes = r.readInt8();
    const tsDelta = r.readVarlong();
    const offsetDelta = r.readVarint();
    const key = r.readBytes();
    const value = r.readBytes();
    const headerCount = r.readVarint();
    if (headerCount < 0 || headerCount > recordEnd - r.pos) r.fail(`header count ${headerCount}`);
    const headers: RecordHeader[] = new Array(headerCount);
    for (let h = 0; h < headerCount; h++) {
      const hk = r.readBytes();
      if (hk === null) r.fail('null header key');
      headers[h] = { key: hk.toString('utf8'), value: r.readBytes() };
    }
    if (r.pos !== recordEnd) r.fail(`record body has ${recordEnd - r.pos} unread bytes`);
    r.end = outerEnd;
    out[i] = {
      offset: baseOffset + BigInt(offsetDelta),
      timestamp: logAppend ? maxTimestamp : baseTimestamp + BigInt(tsDelta),
      key,
      value,
      headers,
      attributes,
    };
  }
  if (r.pos !== r.end) {
    throw new InvalidRecordBatchError('count', `${r.end - r.pos} bytes left after ${count} declared records`);
  }
  return out;
}

export interface RecordsSummary {
  count: number;
  /** Largest record timestamp (CreateTime), NO_TIMESTAMP when the batch is empty. */
  maxTimestamp: bigint;
  /** Largest offsetDelta seen. */
  maxOffsetDelta: number;
  /** Number of records without a key (for compacted-topic validation). */
  nullKeys: number;
  uncompressedBytes: number;
}

/**
 * Walks the records without materialising them: structural validation, count check and the
 * aggregates the broker's append path needs. No per-record allocations.
 */
export function summarizeRecords(view: RecordBatchView, options?: DecompressOptions): RecordsSummary {
  const section = recordsSection(view, options);
  const count = view.recordCount;
  if (count < 0) throw new InvalidRecordBatchError('count', `negative record count ${count}`);
  const r: VarintReader = new VarintReader(section, 0, section.length);
  let maxTsDelta: number | bigint = Number.NEGATIVE_INFINITY;
  let maxOffsetDelta = -1;
  let lastOffsetDelta = -1;
  let nullKeys = 0;
  for (let i = 0; i < count; i++) {
    const length = r.readVarint();
    const start = r.pos;
    if (length < 0 || length > r.end - start) r.fail(`record length ${length}`);
    const recordEnd = start + length;
    const outerEnd = r.end;
    r.end = recordEnd;
    r.readInt8();
    const tsDelta = r.readVarlong();
    const offsetDelta = r.readVarint();
    if (offsetDelta <= lastOffsetDelta) r.fail(`offsetDelta ${offsetDelta} not increasing`);
    lastOffsetDelta = offsetDelta;
    if (r.skipBytes() < 0) nullKeys++;
    r.skipBytes();
    const headerCount = r.readVarint();
    if (headerCount < 0) r.fail(`header count ${headerCount}`);
    for (let h = 0; h < headerCount; h++) {
      if (r.skipBytes() < 0) r.fail('null header key');
      r.skipBytes();
    }
    if (r.pos !== recordEnd) r.fail(`record body has ${recordEnd - r.pos} unread bytes`);
    r.end = outerEnd;
    if (tsDelta > maxTsDelta) maxTsDelta = tsDelta;
    if (offsetDelta > maxOffsetDelta) maxOffsetDelta = offsetDelta;
  }
  if (r.pos !== r.end) {
    throw new InvalidRecordBatchError('count', `${r.end - r.pos} bytes left after ${count} declared records`);
  }
  return {
    count,
    maxTimestamp: count === 0 ? NO_TIMESTAMP : view.baseTimestamp + BigInt(maxTsDelta),
    maxOffsetDelta,
    nullKeys,
    uncompressedBytes: section.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Building

export type BytesLike = Uint8Array | string | null;

export interface RecordInput {
  key?: BytesLike;
  value?: BytesLike;
  headers?: readonly { key: string; value: BytesLike }[];
  /** Record timestamp (ms); defaults to the batch's `timestamp` option. */
  timestamp?: bigint | number;
  /** Defaults to the record's index in the batch. */
  offsetDelta?: number;
}

export interface BuildRecordBatchOptions {
  baseOffset?: bigint;
  records: readonly RecordInput[];
  compression?: CompressionType;
  compressOptions?: CompressOptions;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  partitionLeaderEpoch?: number;
  timestampType?: TimestampType;
  /** Default record timestamp, and the LogAppendTime when timestampType is 1. Defaults to now. */
  timestamp?: bigint | number;
  /** Override lastOffsetDelta (e.g. an empty batch left by compaction). */
  lastOffsetDelta?: number;
}

const MAX_NUMBER_DELTA = 2 ** 52;
const BIG_MAX_NUMBER_DELTA = 2n ** 52n;

function byteLen(b: BytesLike | undefined): number {
  if (b === null || b === undefined) return -1;
  return typeof b === 'string' ? Buffer.byteLength(b) : b.length;
}

function writeBytesField(buf: Buffer, pos: number, b: BytesLike | undefined, len: number): number {
  pos = writeVarint(buf, pos, len);
  if (len > 0) {
    if (typeof b === 'string') buf.write(b, pos, len, 'utf8');
    else buf.set(b as Uint8Array, pos);
    pos += len;
  }
  return pos;
}

/**
 * Builds one v2 record batch. Sizes are computed first so the uncompressed records are written
 * into a single exactly-sized buffer; with compression there is one more buffer for the output.
 */
export function buildRecordBatch(options: BuildRecordBatchOptions): Buffer {
  const records = options.records;
  const n = records.length;
  const compression = options.compression ?? CompressionType.None;
  const timestampType = options.timestampType ?? TimestampType.CreateTime;
  const defaultTs = options.timestamp === undefined ? BigInt(Date.now()) : BigInt(options.timestamp);
  const logAppend = timestampType === TimestampType.LogAppendTime;

  // Pass 1: timestamps, sizes. Deltas live in a Float64Array; the (absurd but legal) deltas
  // beyond 2^52 ms (where a number zig-zag would lose precision) are kept exactly in `bigDeltas` and flagged with NaN.
  let baseTimestamp = NO_TIMESTAMP;
  let maxTimestamp = NO_TIMESTAMP;
  const tsDeltas = new Float64Array(n);
  let bigDeltas: Map<number, bigint> | undefined;
  if (n > 0) {
    const first = records[0]!;
    baseTimestamp = logAppend || first.timestamp === undefined ? defaultTs : BigInt(first.timestamp);
    maxTimestamp = baseTimestamp;
    if (!logAppend) {
      const baseNum = Number(baseTimestamp);
      const fast = Number.isSafeInteger(baseNum) && Math.abs(baseNum) < 2 ** 52;
      const defaultDelta = defaultTs - baseTimestamp;
      let maxDelta = 0n;
      for (let i = 0; i < n; i++) {
        const t = records[i]!.timestamp;
        if (fast && (typeof t === 'number' || t === undefined)) {
          const delta = t === undefined ? Number(defaultDelta) : t - baseNum;
          if (delta > -MAX_NUMBER_DELTA && delta < MAX_NUMBER_DELTA) {
            tsDeltas[i] = delta;
            continue;
          }
        }
        const delta = t === undefined ? defaultDelta : BigInt(t) - baseTimestamp;
        if (delta > -BIG_MAX_NUMBER_DELTA && delta < BIG_MAX_NUMBER_DELTA) {
          tsDeltas[i] = Number(delta);
        } else {
          tsDeltas[i] = Number.NaN;
          bigDeltas ??= new Map();
          bigDeltas.set(i, delta);
          if (delta > maxDelta) maxDelta = delta;
        }
      }
      let maxNum = 0;
      for (let i = 0; i < n; i++) if (tsDeltas[i]! > maxNum) maxNum = tsDeltas[i]!;
      maxTimestamp = baseTimestamp + (maxDelta > BigInt(maxNum) ? maxDelta : BigInt(maxNum));
    }
  }

  const bodySizes = new Int32Array(n);
  const keyLens = new Int32Array(n);
  const valueLens = new Int32Array(n);
  let recordsSize = 0;
  let lastOffsetDelta = -1;
  for (let i = 0; i < n; i++) {
    const rec = records[i]!;
    const offsetDelta = rec.offsetDelta ?? i;
    if (offsetDelta > lastOffsetDelta) lastOffsetDelta = offsetDelta;
    const kl = byteLen(rec.key);
    const vl = byteLen(rec.value);
    keyLens[i] = kl;
    valueLens[i] = vl;
    let size =
      1 +
      (bigDeltas?.has(i) ? sizeOfVarlongBig(bigDeltas.get(i)!) : sizeOfVarint(tsDeltas[i]!)) +
      sizeOfVarint(offsetDelta) +
      sizeOfVarint(kl) +
      Math.max(kl, 0) +
      sizeOfVarint(vl) +
      Math.max(vl, 0);
    const headers = rec.headers;
    const hc = headers?.length ?? 0;
    size += sizeOfUnsignedVarint(hc * 2);
    for (let h = 0; h < hc; h++) {
      const hdr = headers![h]!;
      const hkl = Buffer.byteLength(hdr.key);
      const hvl = byteLen(hdr.value);
      size += sizeOfVarint(hkl) + hkl + sizeOfVarint(hvl) + Math.max(hvl, 0);
    }
    bodySizes[i] = size;
    recordsSize += sizeOfVarint(size) + size;
  }
  if (options.lastOffsetDelta !== undefined) lastOffsetDelta = options.lastOffsetDelta;
  if (n === 0 && options.lastOffsetDelta === undefined) lastOffsetDelta = 0;

  // Pass 2: write records, directly after the header when uncompressed.
  const uncompressed = compression === CompressionType.None;
  const recBuf = uncompressed
    ? Buffer.allocUnsafe(RECORD_BATCH_HEADER_SIZE + recordsSize)
    : Buffer.allocUnsafe(recordsSize);
  let pos = uncompressed ? RECORD_BATCH_HEADER_SIZE : 0;
  for (let i = 0; i < n; i++) {
    const rec = records[i]!;
    pos = writeVarint(recBuf, pos, bodySizes[i]!);
    recBuf[pos++] = 0;
    const big = bigDeltas?.get(i);
    pos = big === undefined ? writeVarint(recBuf, pos, tsDeltas[i]!) : writeVarlongBig(recBuf, pos, big);
    pos = writeVarint(recBuf, pos, rec.offsetDelta ?? i);
    pos = writeBytesField(recBuf, pos, rec.key, keyLens[i]!);
    pos = writeBytesField(recBuf, pos, rec.value, valueLens[i]!);
    const headers = rec.headers;
    const hc = headers?.length ?? 0;
    pos = writeUnsignedVarint(recBuf, pos, hc * 2);
    for (let h = 0; h < hc; h++) {
      const hdr = headers![h]!;
      pos = writeBytesField(recBuf, pos, hdr.key, Buffer.byteLength(hdr.key));
      pos = writeBytesField(recBuf, pos, hdr.value, byteLen(hdr.value));
    }
  }

  let out: Buffer;
  if (uncompressed) {
    out = recBuf;
  } else {
    const compressed = compress(compression, recBuf, options.compressOptions);
    out = Buffer.allocUnsafe(RECORD_BATCH_HEADER_SIZE + compressed.length);
    compressed.copy(out, RECORD_BATCH_HEADER_SIZE);
  }

  let attributes = compression & COMPRESSION_CODEC_MASK;
  if (logAppend) attributes |= TIMESTAMP_TYPE_MASK;
  if (options.isTransactional) attributes |= TRANSACTIONAL_FLAG_MASK;
  if (options.isControl) attributes |= CONTROL_FLAG_MASK;
  out.writeBigInt64BE(options.baseOffset ?? 0n, 0);
  out.writeInt32BE(out.length - LOG_OVERHEAD, 8);
  out.writeInt32BE(options.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH, 12);
  out.writeInt8(CURRENT_MAGIC, 16);
  out.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
  out.writeInt32BE(lastOffsetDelta, 23);
  out.writeBigInt64BE(baseTimestamp, 27);
  out.writeBigInt64BE(maxTimestamp, 35);
  out.writeBigInt64BE(options.producerId ?? NO_PRODUCER_ID, 43);
  out.writeInt16BE(options.producerEpoch ?? NO_PRODUCER_EPOCH, 51);
  out.writeInt32BE(options.baseSequence ?? NO_SEQUENCE, 53);
  out.writeInt32BE(n, 57);
  out.writeUInt32BE(crc32c(out, ATTRIBUTES_OFFSET, out.length), CRC_OFFSET);
  return out;
}

/**
 * Rebuilds a producer's batch with another codec (a topic's compression.type, as Kafka's LogValidator
 * recompresses): the same records, timestamps, timestamp type and producer fields (id, epoch, base
 * sequence, transactional flag). Validates the batch first, and that inner offsets run 0..n-1 as
 * Kafka requires of producer batches. Throws InvalidRecordBatchError or CompressionError.
 */
export function recompressBatch(
  view: RecordBatchView,
  compression: CompressionType,
  compressOptions?: CompressOptions,
  decompressOptions?: DecompressOptions,
): Buffer {
  validateBatch(view);
  const records = decodeRecords(view, decompressOptions);
  const base = view.baseOffset; // read once, not per record
  for (let i = 0; i < records.length; i++) {
    const offsetDelta = Number(records[i]!.offset - base);
    if (offsetDelta !== i) {
      throw new InvalidRecordBatchError('offset-range', `inner record ${i} has offset delta ${offsetDelta}`);
    }
  }
  return rebuildBatch(view, records, { compression, ...(compressOptions ? { compressOptions } : {}) });
}

/**
 * A new batch of `records` (decoded from `view`, or some of them) that keeps the view's base offset,
 * producer fields (id, epoch, base sequence, transactional flag), leader epoch, timestamp type and,
 * under LogAppendTime, its timestamp. Recompression and compaction both rebuild batches this way.
 */
export function rebuildBatch(
  view: RecordBatchView,
  records: readonly DecodedRecord[],
  options: Pick<BuildRecordBatchOptions, 'compression' | 'compressOptions' | 'lastOffsetDelta'>,
): Buffer {
  const base = view.baseOffset;
  const logAppend = view.timestampType === TimestampType.LogAppendTime;
  return buildRecordBatch({
    ...options,
    baseOffset: base,
    records: records.map(
      (r): RecordInput => ({
        key: r.key,
        value: r.value,
        headers: r.headers,
        timestamp: r.timestamp,
        offsetDelta: Number(r.offset - base),
      }),
    ),
    producerId: view.producerId,
    producerEpoch: view.producerEpoch,
    baseSequence: view.baseSequence,
    isTransactional: view.isTransactional,
    partitionLeaderEpoch: view.partitionLeaderEpoch,
    timestampType: view.timestampType,
    ...(logAppend ? { timestamp: view.maxTimestamp } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// Control records (transaction markers)

export const ControlRecordType = { Abort: 0, Commit: 1 } as const;
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType];

export interface ControlRecordKey {
  version: number;
  /** 0 = abort, 1 = commit; other values are other control types (e.g. KRaft's). */
  type: number;
}

export function encodeControlRecordKey(type: ControlRecordType | number, version = 0): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt16BE(version, 0);
  b.writeInt16BE(type, 2);
  return b;
}

export function parseControlRecordKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < 4) {
    throw new InvalidRecordBatchError('records', `control record key too short (${key?.length ?? 'null'})`);
  }
  return { version: key.readInt16BE(0), type: key.readInt16BE(2) };
}

/** EndTransactionMarker value: version int16 (0) | coordinatorEpoch int32. */
export function encodeEndTxnMarkerValue(coordinatorEpoch: number, version = 0): Buffer {
  const b = Buffer.allocUnsafe(6);
  b.writeInt16BE(version, 0);
  b.writeInt32BE(coordinatorEpoch, 2);
  return b;
}

export function parseEndTxnMarkerValue(value: Buffer | null): { version: number; coordinatorEpoch: number } {
  if (value === null || value.length < 6) throw new InvalidRecordBatchError('records', 'end txn marker too short');
  return { version: value.readInt16BE(0), coordinatorEpoch: value.readInt32BE(2) };
}

export interface ControlBatchOptions {
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
}

/** A transactional control batch holding one commit/abort marker, as the coordinator writes. */
export function buildControlBatch(
  type: 'commit' | 'abort',
  producerId: bigint,
  producerEpoch: number,
  coordinatorEpoch: number,
  timestamp: bigint | number,
  options: ControlBatchOptions = {},
): Buffer {
  return buildRecordBatch({
    baseOffset: options.baseOffset ?? 0n,
    partitionLeaderEpoch: options.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
    records: [
      {
        key: encodeControlRecordKey(type === 'commit' ? ControlRecordType.Commit : ControlRecordType.Abort),
        value: encodeEndTxnMarkerValue(coordinatorEpoch),
      },
    ],
    timestamp,
    producerId,
    producerEpoch,
    baseSequence: NO_SEQUENCE,
    isTransactional: true,
    isControl: true,
  });
}

/** For a control batch: its marker type ('commit' | 'abort'), or null for other control types. */
export function controlBatchType(view: RecordBatchView): 'commit' | 'abort' | null {
  if (!view.isControl) return null;
  const [rec] = decodeRecords(view);
  if (rec === undefined) return null;
  const { type } = parseControlRecordKey(rec.key);
  return type === ControlRecordType.Commit ? 'commit' : type === ControlRecordType.Abort ? 'abort' : null;
}
