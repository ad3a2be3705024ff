// Zero-copy view over a v2 record batch (Kafka "DefaultRecordBatch") header.
//
// Layout (big-endian):
//   baseOffset int64 @0 | batchLength int32 @8 | partitionLeaderEpoch int32 @12 | magic int8 @16
//   crc uint32 @17 (CRC-32C of bytes 21..end) | attributes int16 @21 | lastOffsetDelta int32 @23
//   baseTimestamp int64 @27 | maxTimestamp int64 @35 | producerId int64 @43 | producerEpoch int16 @51
//   baseSequence int32 @53 | recordCount int32 @57 | records...
import { crc32c } from '../crc.js';

export const LOG_OVERHEAD = 12;
export const RECORD_BATCH_HEADER_SIZE = 61;
/** Smallest legal batchLength: header without the 12-byte log overhead. */
export const MIN_BATCH_LENGTH = RECORD_BATCH_HEADER_SIZE - LOG_OVERHEAD;
export const CURRENT_MAGIC = 2;

export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORDS_COUNT_OFFSET = 57;

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;
export const NO_TIMESTAMP = -1n;

export const CompressionType = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];

export const TimestampType = { CreateTime: 0, LogAppendTime: 1 } as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;
export const DELETE_HORIZON_FLAG_MASK = 0x40;

export type InvalidRecordBatchReason =
  | 'length'
  | 'magic'
  | 'crc'
  | 'count'
  | 'offset-range'
  | 'compression'
  | 'records'
  | 'timestamp';

/** A malformed or corrupt record batch. `reason` is stable and machine-readable. */
export class InvalidRecordBatchError extends Error {
  override readonly name = 'InvalidRecordBatchError';
  constructor(
    readonly reason: InvalidRecordBatchReason,
    message: string,
  ) {
    super(message);
  }
}

export class RecordBatchView {
  constructor(
    readonly buf: Buffer,
    readonly pos = 0,
  ) {}

  get baseOffset(): bigint {
    return this.buf.readBigInt64BE(this.pos + BASE_OFFSET_OFFSET);
  }
  get batchLength(): number {
    return this.buf.readInt32BE(this.pos + BATCH_LENGTH_OFFSET);
  }
  /** Total bytes of this batch on the wire / on disk: LOG_OVERHEAD + batchLength. */
  get sizeInBytes(): number {
    return LOG_OVERHEAD + this.batchLength;
  }
  get partitionLeaderEpoch(): number {
    return this.buf.readInt32BE(this.pos + PARTITION_LEADER_EPOCH_OFFSET);
  }
  get magic(): number {
    return this.buf.readInt8(this.pos + MAGIC_OFFSET);
  }
  get crc(): number {
    return this.buf.readUInt32BE(this.pos + CRC_OFFSET);
  }
  get attributes(): number {
    return this.buf.readInt16BE(this.pos + ATTRIBUTES_OFFSET);
  }
  get compression(): CompressionType {
    return (this.attributes & COMPRESSION_CODEC_MASK) as CompressionType;
  }
  get timestampType(): TimestampType {
    return (this.attributes & TIMESTAMP_TYPE_MASK) === 0 ? 0 : 1;
  }
  get isTransactional(): boolean {
    return (this.attributes & TRANSACTIONAL_FLAG_MASK) !== 0;
  }
  get isControl(): boolean {
    return (this.attributes & CONTROL_FLAG_MASK) !== 0;
  }
  get hasDeleteHorizon(): boolean {
    return (this.attributes & DELETE_HORIZON_FLAG_MASK) !== 0;
  }
  get lastOffsetDelta(): number {
    return this.buf.readInt32BE(this.pos + LAST_OFFSET_DELTA_OFFSET);
  }
  get lastOffset(): bigint {
    return this.baseOffset + BigInt(this.lastOffsetDelta);
  }
  /** Offset the next batch should start at. */
  get nextOffset(): bigint {
    return this.lastOffset + 1n;
  }
  get baseTimestamp(): bigint {
    return this.buf.readBigInt64BE(this.pos + BASE_TIMESTAMP_OFFSET);
  }
  get maxTimestamp(): bigint {
    return this.buf.readBigInt64BE(this.pos + MAX_TIMESTAMP_OFFSET);
  }
  get producerId(): bigint {
    return this.buf.readBigInt64BE(this.pos + PRODUCER_ID_OFFSET);
  }
  get producerEpoch(): number {
    return this.buf.readInt16BE(this.pos + PRODUCER_EPOCH_OFFSET);
  }
  get baseSequence(): number {
    return this.buf.readInt32BE(this.pos + BASE_SEQUENCE_OFFSET);
  }
  /** Sequence of the last record; wraps past INT32_MAX like Kafka's DefaultRecordBatch.incrementSequence. */
  get lastSequence(): number {
    const base = this.baseSequence;
    if (base === NO_SEQUENCE) return NO_SEQUENCE;
    return incrementSequence(base, this.lastOffsetDelta);
  }
  get recordCount(): number {
    return this.buf.readInt32BE(this.pos + RECORDS_COUNT_OFFSET);
  }
  /** The whole batch (zero-copy). */
  get bytes(): Buffer {
    return this.buf.subarray(this.pos, this.pos + this.sizeInBytes);
  }
  /** The records section after the 61-byte header, possibly compressed (zero-copy). */
  get recordsPayload(): Buffer {
    return this.buf.subarray(this.pos + RECORD_BATCH_HEADER_SIZE, this.pos + this.sizeInBytes);
  }

  computeCrc(): number {
    return crc32c(this.buf, this.pos + ATTRIBUTES_OFFSET, this.pos + this.sizeInBytes);
  }
  verifyCrc(): boolean {
    return this.computeCrc() === this.crc;
  }

  /** Rewrites the base offset in place. The CRC does not cover it, so no recompute. */
  setBaseOffset(offset: bigint): void {
    this.buf.writeBigInt64BE(offset, this.pos + BASE_OFFSET_OFFSET);
  }
  /** Rewrites the leader epoch in place (not covered by the CRC). */
  setPartitionLeaderEpoch(epoch: number): void {
    this.buf.writeInt32BE(epoch, this.pos + PARTITION_LEADER_EPOCH_OFFSET);
  }
  /** Broker-side LogAppendTime stamping: set timestamp type bit and maxTimestamp, then recompute the CRC. */
  setMaxTimestampAndLogAppendTime(ts: bigint): void {
    this.setMaxTimestamp(TimestampType.LogAppendTime, ts);
  }
  /** Like Kafka's DefaultRecordBatch.setMaxTimestamp: skips the CRC recompute when nothing changes. */
  setMaxTimestamp(type: TimestampType, ts: bigint): void {
    if (this.timestampType === type && this.maxTimestamp === ts) return;
    const attrs =
      type === TimestampType.LogAppendTime
        ? this.attributes | TIMESTAMP_TYPE_MASK
        : this.attributes & ~TIMESTAMP_TYPE_MASK;
    this.buf.writeInt16BE(attrs, this.pos + ATTRIBUTES_OFFSET);
    this.buf.writeBigInt64BE(ts, this.pos + MAX_TIMESTAMP_OFFSET);
    this.writeCrc();
  }
  /** Recomputes and stores the CRC (after any in-place edit to bytes 21..end). */
  writeCrc(): void {
    this.buf.writeUInt32BE(this.computeCrc(), this.pos + CRC_OFFSET);
  }
}

export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > 0x7fffffff - increment) return increment - (0x7fffffff - sequence) - 1;
  return sequence + increment;
}

export type ScanStopReason = 'end' | 'truncated' | 'bad-length' | 'bad-magic' | 'bad-crc';

export interface ScanResult {
  /** Bytes covered by complete, valid batches from the start of the buffer. */
  validBytes: number;
  batches: number;
  stop: ScanStopReason;
}

export interface ScanOptions {
  /** Verify each batch CRC (default true: this is the recovery path). */
  verifyCrc?: boolean;
  /** Declared sizes above this are treated as 'bad-length' rather than waiting for more bytes. */
  maxBatchBytes?: number;
}

/**
 * Walks consecutive v2 batches, calling `visit` for each complete, valid one, and reports where
 * and why it stopped. Used by storage recovery to find the truncation point of a segment.
 */
export function scanBatches(
  buf: Buffer,
  visit?: (view: RecordBatchView) => void,
  options: ScanOptions = {},
): ScanResult {
  const checkCrc = options.verifyCrc ?? true;
  const maxBytes = options.maxBatchBytes ?? Number.POSITIVE_INFINITY;
  let pos = 0;
  let batches = 0;
  const done = (stop: ScanStopReason): ScanResult => ({ validBytes: pos, batches, stop });
  for (;;) {
    const remaining = buf.length - pos;
    if (remaining === 0) return done('end');
    if (remaining < LOG_OVERHEAD) return done('truncated');
    const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    if (batchLength < MIN_BATCH_LENGTH || LOG_OVERHEAD + batchLength > maxBytes) return done('bad-length');
    if (remaining <= MAGIC_OFFSET) return done('truncated');
    if (buf.readInt8(pos + MAGIC_OFFSET) !== CURRENT_MAGIC) return done('bad-magic');
    if (remaining < LOG_OVERHEAD + batchLength) return done('truncated');
    const view = new RecordBatchView(buf, pos);
    if (checkCrc && !view.verifyCrc()) return done('bad-crc');
    visit?.(view);
    batches++;
    pos += LOG_OVERHEAD + batchLength;
  }
}

/**
 * Splits a records blob into batch views. A partial trailing batch is skipped silently (fetch
 * responses may legitimately end mid-batch); a bad length or magic throws. CRCs are not checked
 * here; call `validateBatch` where that matters.
 */
export function* iterateBatches(buf: Buffer): Generator<RecordBatchView> {
  let pos = 0;
  while (buf.length - pos >= LOG_OVERHEAD) {
    const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    if (batchLength < MIN_BATCH_LENGTH) {
      throw new InvalidRecordBatchError('length', `record batch at ${pos} has invalid length ${batchLength}`);
    }
    if (buf.length - pos <= MAGIC_OFFSET) return;
    const magic = buf.readInt8(pos + MAGIC_OFFSET);
    if (magic !== CURRENT_MAGIC) {
      throw new InvalidRecordBatchError('magic', `record batch at ${pos} has unsupported magic ${magic}`);
    }
    if (buf.length - pos < LOG_OVERHEAD + batchLength) return;
    yield new RecordBatchView(buf, pos);
    pos += LOG_OVERHEAD + batchLength;
  }
}

export interface ValidateBatchOptions {
  /**
   * Accept batches whose offset range is wider than their count (compacted / replicated data,
   * where records were removed but lastOffsetDelta was kept). Default false: producer batches.
   */
  allowCompacted?: boolean;
}

/**
 * Validates a batch header the way Kafka's broker does for appends (DefaultRecordBatch.ensureValid
 * plus LogValidator.validateBatch): size >= 61 and within the buffer, magic 2, CRC-32C, and
 * record count consistent with the offset range: count > 0 and lastOffsetDelta + 1 === count
 * ("Inconsistent batch offset range ... and count of records"). With `allowCompacted`, only
 * lastOffsetDelta + 1 >= count is required. That the records section actually holds `count`
 * records is checked when records are decoded (decodeRecords).
 */
export function validateBatch(view: RecordBatchView, options: ValidateBatchOptions = {}): void {
  const available = view.buf.length - view.pos;
  if (available < LOG_OVERHEAD) {
    throw new InvalidRecordBatchError('length', `record batch truncated: ${available} bytes`);
  }
  const batchLength = view.batchLength;
  if (batchLength < MIN_BATCH_LENGTH) {
    throw new InvalidRecordBatchError(
      'length',
      `record batch size ${LOG_OVERHEAD + batchLength} is smaller than the minimum ${RECORD_BATCH_HEADER_SIZE}`,
    );
  }
  if (LOG_OVERHEAD + batchLength > available) {
    throw new InvalidRecordBatchError(
      'length',
      `record batch size ${LOG_OVERHEAD + batchLength} exceeds the ${available} bytes available`,
    );
  }
  if (view.magic !== CURRENT_MAGIC) {
    throw new InvalidRecordBatchError('magic', `unsupported record batch magic ${view.magic}`);
  }
  const stored = view.crc;
  const computed = view.computeCrc();
  if (stored !== computed) {
    throw new InvalidRecordBatchError(
      'crc',
      `record batch CRC mismatch: stored ${stored.toString(16)}, computed ${computed.toString(16)}`,
    );
  }
  const count = view.recordCount;
  const delta = view.lastOffsetDelta;
  if (count <= 0) throw new InvalidRecordBatchError('count', `invalid record count ${count}`);
  if (delta < 0) throw new InvalidRecordBatchError('offset-range', `invalid lastOffsetDelta ${delta}`);
  if (options.allowCompacted ? delta + 1 < count : delta + 1 !== count) {
    throw new InvalidRecordBatchError(
      'count',
      `inconsistent batch offset range (lastOffsetDelta ${delta}) and count of records ${count}`,
    );
  }
  if ((view.attributes & COMPRESSION_CODEC_MASK) > CompressionType.Zstd) {
    throw new InvalidRecordBatchError('compression', `unknown compression codec ${view.attributes & 7}`);
  }
}
