// Typed storage errors. Each maps to one Kafka error code; the broker does the mapping.

export class StorageError extends Error {
  override name = 'StorageError';
}

export type CorruptReason =
  | 'length'
  | 'magic'
  | 'crc'
  | 'count'
  | 'offset-range'
  | 'compression'
  | 'records'
  | 'timestamp'
  | 'truncated'
  | 'control';

/** A batch failed validation; nothing of the append was written. Kafka: CORRUPT_MESSAGE. */
export class CorruptRecordError extends StorageError {
  override name = 'CorruptRecordError';
  constructor(
    readonly reason: CorruptReason,
    message: string,
    /** Byte position of the bad batch inside the appended buffer. */
    readonly position = 0,
  ) {
    super(message);
  }
}

/** A batch larger than max.message.bytes (or than a segment). Kafka: MESSAGE_TOO_LARGE / RECORD_TOO_LARGE. */
export class RecordTooLargeError extends StorageError {
  override name = 'RecordTooLargeError';
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`record batch of ${size} bytes exceeds the limit of ${limit}`);
  }
}

/** Kafka: OFFSET_OUT_OF_RANGE. */
export class OffsetOutOfRangeError extends StorageError {
  override name = 'OffsetOutOfRangeError';
  constructor(
    readonly offset: bigint,
    readonly logStartOffset: bigint,
    readonly logEndOffset: bigint,
  ) {
    super(`offset ${offset} is outside [${logStartOffset}, ${logEndOffset}]`);
  }
}

/**
 * A retry of one of the producer's last 5 batches. Nothing was written; the broker answers
 * with success and these original offsets. Kafka: DUPLICATE_SEQUENCE_NUMBER is never sent for this.
 */
export class DuplicateSequenceError extends StorageError {
  override name = 'DuplicateSequenceError';
  constructor(
    readonly producerId: bigint,
    readonly baseOffset: bigint,
    readonly lastOffset: bigint,
    readonly logAppendTime: bigint,
  ) {
    super(`duplicate batch for producer ${producerId}, originally at ${baseOffset}..${lastOffset}`);
  }
}

/** Kafka: OUT_OF_ORDER_SEQUENCE_NUMBER. */
export class OutOfOrderSequenceError extends StorageError {
  override name = 'OutOfOrderSequenceError';
}

/** Kafka: INVALID_PRODUCER_EPOCH. */
export class InvalidProducerEpochError extends StorageError {
  override name = 'InvalidProducerEpochError';
}

/** Operation on a closed or deleted log. Kafka: KAFKA_STORAGE_ERROR / NOT_LEADER depending on context. */
export class LogClosedError extends StorageError {
  override name = 'LogClosedError';
}

/** Invalid argument to a storage API (e.g. truncating below the log start). */
export class InvalidOffsetError extends StorageError {
  override name = 'InvalidOffsetError';
}
