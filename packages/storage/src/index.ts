export { type CompactionOptions, type CompactionResult, compactLog, SimulatedCrash } from './compaction.js';
export {
  type CleanupPolicy,
  DEFAULT_LOG_CONFIG,
  isCompacted,
  type LogConfig,
  resolveConfig,
  type TimestampTypeName,
} from './config.js';
export {
  type CorruptReason,
  CorruptRecordError,
  DuplicateSequenceError,
  InvalidOffsetError,
  InvalidProducerEpochError,
  LogClosedError,
  OffsetOutOfRangeError,
  OutOfOrderSequenceError,
  RecordTooLargeError,
  StorageError,
} from './errors.js';
export {
  type AppendOptions,
  type AppendResult,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  type Logger,
  MAX_TIMESTAMP,
  PartitionLog,
  type ReadOptions,
  type ReadResult,
  type TimestampOffset,
} from './log.js';
export { CLEAN_SHUTDOWN_MARKER, LogManager, type LogManagerOptions } from './log-manager.js';
export { type BatchMetadata, NUM_BATCHES_TO_RETAIN, type ProducerStateEntry } from './producer-state.js';
export { type AbortedTxn, appendTxnMarker, type CompletedTxn, TXN_INDEX_FILE, TxnIndex } from './txn-index.js';
