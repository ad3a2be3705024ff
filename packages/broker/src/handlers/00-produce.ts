// Appends record batches as received (storage checks the CRC and assigns offsets; no per-record work),
// except on topics whose compression.type names a codec: there each batch is rebuilt with that codec.
// Versions 0-11 (flexible from 9); v0-2 may carry magic 0/1 message sets, up-converted to one v2 batch.
// acks=0 gets no response. Per-partition errors: UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION,
// CORRUPT_MESSAGE, INVALID_RECORD, MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_TIMESTAMP,
// UNSUPPORTED_COMPRESSION_TYPE, OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE,
// NOT_ENOUGH_REPLICAS (acks=-1 under min.insync.replicas > 1), INVALID_REQUIRED_ACKS, KAFKA_STORAGE_ERROR.
import {
  CompressionError,
  CompressionType,
  convertLegacyToBatch,
  ErrorCode,
  InvalidRecordBatchError,
  LOG_OVERHEAD,
  ProduceRequest,
  ProduceResponse,
  type ProduceResponsePartitionProduceResponse,
  RECORD_BATCH_HEADER_SIZE,
  RecordBatchView,
  recompressBatch,
  recordsMagic,
} from '@brook/protocol';
import {
  CorruptRecordError,
  DuplicateSequenceError,
  InvalidProducerEpochError,
  OutOfOrderSequenceError,
  type PartitionLog,
  RecordTooLargeError,
} from '@brook/storage';
import type { TopicPolicy } from '../config.js';
import { defineHandler, NO_RESPONSE, type RequestContext } from '../handler.js';
import { LEADER_EPOCH, resolvePartition } from '../state/data-path.js';
import { topicNameError } from '../state/topics.js';
import type { TransactionCoordinator } from '../state/transactions/coordinator.js';

type PartitionResponse = ProduceResponsePartitionProduceResponse;

export const produce = defineHandler(
  ProduceRequest,
  ProduceResponse,
  { min: 0, max: 11 },
  // Not async: without a flush to wait for, the response is encoded and written in the same tick
  // (no promise chain per request, and responses to frames of one socket read share one write).
  (req, ctx) => {
    const now = Date.now();
    const acksValid = req.acks === 0 || req.acks === 1 || req.acks === -1;
    const waits: Promise<void>[] = [];
    const responses = req.topicData.map((t) => {
      return {
        name: t.name,
        partitionResponses: t.partitionData.map((p): PartitionResponse => {
          if (!acksValid) return failed(p.index, ErrorCode.INVALID_REQUIRED_ACKS, 'acks must be -1, 0 or 1');
          const res = appendPartition(ctx, t.name, p.index, p.records, now, req.acks);
          if (res.durable) {
            // Always handled, so a failed fsync after an acks=0 produce cannot go unhandled.
            const flushed = res.durable.then(
              () => {},
              (err: unknown) => {
                ctx.log.error({ err, topic: t.name, partition: p.index }, 'flush before acknowledging failed');
                Object.assign(res.response, failed(p.index, ErrorCode.KAFKA_STORAGE_ERROR, 'flush failed'));
              },
            );
            if (req.acks !== 0) waits.push(flushed);
          }
          return res.response;
        }),
      };
    });
    // Kafka closes the connection on an acks=0 error; Brook just stays silent (the records were refused).
    if (req.acks === 0) return NO_RESPONSE;
    const response = { responses, throttleTimeMs: 0 };
    return waits.length > 0 ? Promise.all(waits).then(() => response) : response;
  },
  {
    errorResponse: (req, errorCode) => ({
      responses: req.topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p) => failed(p.index, errorCode, null)),
      })),
      throttleTimeMs: 0,
    }),
  },
);

const CODECS: Record<string, CompressionType> = {
  uncompressed: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

function failed(index: number, errorCode: number, errorMessage: string | null): PartitionResponse {
  return {
    index,
    errorCode,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordErrors: [],
    errorMessage,
  };
}

function appendPartition(
  ctx: RequestContext,
  topic: string,
  index: number,
  records: Buffer | null,
  now: number,
  acks: number,
): { response: PartitionResponse; durable?: Promise<void> } {
  const version = ctx.apiVersion;
  const broker = ctx.broker;
  if (topicNameError(topic))
    return { response: failed(index, ErrorCode.INVALID_TOPIC_EXCEPTION, 'invalid topic name') };
  const resolved = resolvePartition(broker.topics, broker.logs, topic, index);
  if (resolved.errorCode !== 0 || !('log' in resolved)) {
    return { response: failed(index, resolved.errorCode, null) };
  }
  if (resolved.topic.internal) {
    return { response: failed(index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic}`) };
  }

  const prepared = prepareRecords(records, version);
  if (typeof prepared === 'object' && 'errorCode' in prepared) {
    return { response: failed(index, prepared.errorCode, prepared.message) };
  }
  let batches = prepared;
  const log = resolved.log;
  const policy = broker.topics.policy(resolved.topic);
  // On one broker the ISR is this broker alone (Kafka's Partition.appendRecordsToLeader check).
  const isrError =
    acks === -1 && policy.minInsyncReplicas > 1
      ? {
          errorCode: ErrorCode.NOT_ENOUGH_REPLICAS,
          message: `The size of the current ISR Set(${broker.nodeId}) is insufficient to satisfy the min.isr requirement of ${policy.minInsyncReplicas} for partition ${topic}-${index}`,
        }
      : null;
  const check = checkBatches(batches, log, now, policy, version, broker.transactions, isrError);
  if (check) return { response: failed(index, check.errorCode, check.message) };
  const codec = CODECS[policy.compressionType];
  if (codec !== undefined) {
    const rebuilt = recompress(batches, codec, policy.compressionLevel);
    if ('errorCode' in rebuilt) return { response: failed(index, rebuilt.errorCode, rebuilt.message) };
    batches = rebuilt.batches;
  }

  try {
    const r = log.append(batches, { now, leaderEpoch: LEADER_EPOCH });
    const response: PartitionResponse = {
      index,
      errorCode: ErrorCode.NONE,
      baseOffset: r.baseOffset,
      logAppendTimeMs: r.logAppendTime,
      logStartOffset: r.logStartOffset,
      recordErrors: [],
      errorMessage: null,
    };
    return { response, durable: flushBeforeAck(log, r.durable) };
  } catch (err) {
    return { response: appendError(ctx, err, index, log, topic) };
  }
}

/**
 * The request's records as v2 batch bytes, or an error. v3+ must carry exactly one v2 batch (Kafka's
 * ProduceRequest.validateRecords); older versions may carry message sets, which are up-converted.
 */
function prepareRecords(records: Buffer | null, version: number): Buffer | { errorCode: number; message: string } {
  if (records === null || records.length === 0) {
    return { errorCode: ErrorCode.INVALID_RECORD, message: 'Produce requests must have at least one record batch' };
  }
  const magic = recordsMagic(records);
  if (magic === 2) {
    if (records.length < RECORD_BATCH_HEADER_SIZE) {
      return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: 'record batch is truncated' };
    }
    const size = LOG_OVERHEAD + records.readInt32BE(8);
    if (size > records.length) return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: 'record batch is truncated' };
    if (version >= 3 && size < records.length) {
      return {
        errorCode: ErrorCode.INVALID_RECORD,
        message: `Produce requests with version ${version} must have exactly one record batch per partition`,
      };
    }
    return records;
  }
  if (magic === 0 || magic === 1) {
    if (version >= 3) {
      return {
        errorCode: ErrorCode.INVALID_RECORD,
        message: `Produce requests with version ${version} are only allowed to contain record batches with magic version 2`,
      };
    }
    try {
      return convertLegacyToBatch(records);
    } catch (err) {
      const message = err instanceof Error ? err.message : 'invalid message set';
      return { errorCode: ErrorCode.CORRUPT_MESSAGE, message };
    }
  }
  return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: `unknown record magic ${magic}` };
}

/**
 * The slow path for topics with a compression.type codec: every batch not already in that codec is
 * decoded and rebuilt with it (Kafka's LogValidator does the same). Batches in the codec stay as sent.
 */
function recompress(
  buf: Buffer,
  codec: CompressionType,
  level: number | undefined,
): { batches: Buffer } | { errorCode: number; message: string } {
  const out: Buffer[] = [];
  let changed = false;
  try {
    for (let pos = 0; pos < buf.length; ) {
      if (buf.length - pos < RECORD_BATCH_HEADER_SIZE) return { batches: buf }; // storage reports the truncation
      const view = new RecordBatchView(buf, pos);
      const size = view.sizeInBytes;
      if (size < RECORD_BATCH_HEADER_SIZE || pos + size > buf.length) return { batches: buf };
      if (view.compression === codec) out.push(view.bytes);
      else {
        out.push(recompressBatch(view, codec, level === undefined ? {} : { level }));
        changed = true;
      }
      pos += size;
    }
  } catch (err) {
    if (err instanceof InvalidRecordBatchError) {
      const code =
        err.reason === 'crc' || err.reason === 'length' || err.reason === 'magic'
          ? ErrorCode.CORRUPT_MESSAGE
          : ErrorCode.INVALID_RECORD;
      return { errorCode: code, message: err.message };
    }
    if (err instanceof CompressionError) return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: err.message };
    throw err;
  }
  if (!changed) return { batches: buf };
  return { batches: out.length === 1 ? out[0]! : Buffer.concat(out) };
}

/**
 * Header-only checks storage does not make, in Kafka's order: compression by version and transaction
 * verification (before the append), then the ISR check (`isrError`), then timestamps (log validation).
 */
function checkBatches(
  buf: Buffer,
  log: PartitionLog,
  now: number,
  policy: TopicPolicy,
  version: number,
  txns: TransactionCoordinator,
  isrError: { errorCode: number; message: string } | null,
): { errorCode: number; message: string } | null {
  const createTime = log.config.messageTimestampType === 'CreateTime';
  const nowBig = BigInt(now);
  let timestampError: { errorCode: number; message: string } | null = null;
  for (let pos = 0; pos + RECORD_BATCH_HEADER_SIZE <= buf.length; ) {
    const view = new RecordBatchView(buf, pos);
    const size = view.sizeInBytes;
    if (size < RECORD_BATCH_HEADER_SIZE || view.magic !== 2) break; // storage reports the corruption
    if (view.compression === CompressionType.Zstd && version < 7) {
      return {
        errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
        message: 'Produce requests with zstd compression need version 7 or later',
      };
    }
    if (view.isTransactional) {
      // Kafka's transaction verification: the partition must be in the producer's ongoing transaction
      // (INVALID_TXN_STATE), at the current epoch (INVALID_PRODUCER_EPOCH for a fenced producer).
      const errorCode = txns.verifyProduce(view.producerId, view.producerEpoch, log.topic, log.partition);
      if (errorCode !== ErrorCode.NONE) {
        return { errorCode, message: 'transactional batch outside an ongoing transaction of its producer' };
      }
    }
    if (createTime && timestampError === null) {
      // Batch-level bounds (first and max timestamp) instead of a per-record walk.
      const first = view.baseTimestamp;
      const max = view.maxTimestamp;
      if (first >= 0n && Number(nowBig - first) > policy.timestampBeforeMaxMs) {
        timestampError = {
          errorCode: ErrorCode.INVALID_TIMESTAMP,
          message: `timestamp ${first} is older than allowed`,
        };
      } else if (max >= 0n && Number(max - nowBig) > policy.timestampAfterMaxMs) {
        timestampError = {
          errorCode: ErrorCode.INVALID_TIMESTAMP,
          message: `timestamp ${max} is too far in the future`,
        };
      }
    }
    pos += size;
  }
  return isrError ?? timestampError;
}

/**
 * acks=1/-1 waits for fsync only when asked: brook.fsync.before.ack (storage's group-committed
 * `durable`) or flush.messages=1, which Kafka honours by flushing before it answers.
 */
function flushBeforeAck(log: PartitionLog, durable: Promise<void>): Promise<void> | undefined {
  if (log.config.fsyncOnAppend) return durable;
  if (log.config.flushMessages <= 1) return log.flush();
  return undefined;
}

function appendError(
  ctx: RequestContext,
  err: unknown,
  index: number,
  log: PartitionLog,
  topic: string,
): PartitionResponse {
  if (err instanceof DuplicateSequenceError) {
    // A retry of a batch already stored: success with the original offsets, as Kafka answers.
    return {
      index,
      errorCode: ErrorCode.NONE,
      baseOffset: err.baseOffset,
      logAppendTimeMs: log.config.messageTimestampType === 'LogAppendTime' ? err.logAppendTime : -1n,
      logStartOffset: log.logStartOffset,
      recordErrors: [],
      errorMessage: null,
    };
  }
  if (err instanceof CorruptRecordError) {
    const code =
      err.reason === 'timestamp'
        ? ErrorCode.INVALID_TIMESTAMP
        : err.reason === 'control' ||
            err.reason === 'count' ||
            err.reason === 'offset-range' ||
            err.reason === 'records'
          ? ErrorCode.INVALID_RECORD
          : ErrorCode.CORRUPT_MESSAGE;
    return failed(index, code, err.message);
  }
  if (err instanceof InvalidRecordBatchError) return failed(index, ErrorCode.CORRUPT_MESSAGE, err.message);
  if (err instanceof RecordTooLargeError) {
    const code =
      err.limit === log.config.maxMessageBytes ? ErrorCode.MESSAGE_TOO_LARGE : ErrorCode.RECORD_LIST_TOO_LARGE;
    return failed(index, code, err.message);
  }
  if (err instanceof OutOfOrderSequenceError) return failed(index, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, err.message);
  if (err instanceof InvalidProducerEpochError) return failed(index, ErrorCode.INVALID_PRODUCER_EPOCH, err.message);
  ctx.log.error({ err, topic, partition: index }, 'append failed');
  return failed(index, ErrorCode.KAFKA_STORAGE_ERROR, 'append failed');
}
