// Raw header field reads for walking stored batches. The append path validates through
// @brook/protocol's RecordBatchView; these are only used where batches are already trusted
// (our own segments), to avoid allocating a view per batch on hot read paths.
import {
  BASE_SEQUENCE_OFFSET,
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
} from '@brook/protocol';

export function batchSize(buf: Buffer, pos: number): number {
  return LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
}
export function batchBaseOffset(buf: Buffer, pos: number): bigint {
  return buf.readBigInt64BE(pos);
}
export function batchLastOffset(buf: Buffer, pos: number): bigint {
  return buf.readBigInt64BE(pos) + BigInt(buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET));
}
export function batchMaxTimestamp(buf: Buffer, pos: number): bigint {
  return buf.readBigInt64BE(pos + MAX_TIMESTAMP_OFFSET);
}
export function batchProducerId(buf: Buffer, pos: number): bigint {
  return buf.readBigInt64BE(pos + PRODUCER_ID_OFFSET);
}
export function batchProducerEpoch(buf: Buffer, pos: number): number {
  return buf.readInt16BE(pos + PRODUCER_EPOCH_OFFSET);
}
export function batchBaseSequence(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + BASE_SEQUENCE_OFFSET);
}

/** 20-digit zero-padded base offset, Kafka's segment file naming. */
export function offsetFileName(offset: bigint): string {
  return offset.toString().padStart(20, '0');
}
